import type { CommitRate, IndexBuild } from './build-index.js';
import type { BenchOptions } from './bench-options.js';
import type { MachineInfo } from './machine-info.js';
import type { StoreScpResult } from './peers.js';
import type { RetrieveResult, SampledLatency, StowResult } from './scenarios.js';

/** Ingest and read-back figures of one server. */
export interface ServerSession {
  server: string;
  stow: StowResult[];
  metadata?: SampledLatency;
  frameUncompressed?: SampledLatency;
  frameJ2kDecoded?: SampledLatency;
  frameJ2kAsStored?: SampledLatency;
  seriesAsStored?: RetrieveResult;
  seriesConverted?: RetrieveResult;
}

/** QIDO figures of one server on one archive. */
export interface QidoSession {
  server: string;
  studies: number;
  instances: number;
  queries: Array<{ id: string; label: string } & SampledLatency>;
}

/** A target of the issue and whether this run met it. */
export interface TargetCheck {
  name: string;
  measured: string;
  target: string;
  pass: boolean;
}

/** Everything a run measured (written as JSON to bench-results/). */
export interface BenchReport {
  machine: MachineInfo;
  options: BenchOptions;
  durationSeconds: number;
  index: {
    build: IndexBuild;
    commitRate: Record<string, CommitRate>;
  };
  sessions: ServerSession[];
  storescp?: StoreScpResult[];
  qido: QidoSession[];
  comparisonLoad?: Record<string, StowResult>;
  /** Phases of the run with the 1-minute load average when each began. */
  phases: Array<{ phase: string; at: string; loadAverage: number }>;
  loadAverageAtEnd: number;
  ratios: Array<{ what: string; lightbox: string; ratio: number }>;
  targets: TargetCheck[];
  notes: string[];
}

const f = (n: number | undefined, digits = 1) =>
  n === undefined || Number.isNaN(n) ? '–' : n.toFixed(n >= 100 ? 0 : digits);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function latencyCells(s: SampledLatency | undefined): string[] {
  if (s === undefined) return ['–', '–', '–'];
  if (s.error !== undefined) return [`error: ${s.error.slice(0, 40)}`, '', ''];
  return [f(s.latency.p50, 2), f(s.latency.p95, 2), String(s.latency.n)];
}

/** The human-readable report printed at the end of a run. */
export function formatReport(report: BenchReport): string {
  const m = report.machine;
  const out: string[] = [];
  out.push(
    `Lightbox benchmark — ${m.date.slice(0, 16).replace('T', ' ')} UTC, ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}`,
    `SQLite ${m.sqlite}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}${m.orthanc ? `, Orthanc ${m.orthanc}` : ''}; run took ${(report.durationSeconds / 60).toFixed(1)} min`,
    `1-min load average by phase (2 cores; anything else running skews the figures): ${report.phases
      .map((p) => `${p.phase.split(' (')[0]} ${p.loadAverage}`)
      .join(', ')}, end ${report.loadAverageAtEnd}`,
    '',
  );

  const build = report.index.build;
  out.push(
    `Synthetic index: ${build.instances / report.options.instancesPerStudy} studies, ${build.instances} instances — ` +
      (build.buildSeconds !== undefined
        ? `built in ${f(build.buildSeconds, 0)} s (set-wise batches of instanceRecord rows; ${f(build.recordMicros, 0)} µs per instanceRecord)`
        : `from the cache (${build.cacheDir})`),
  );
  for (const [engine, rate] of Object.entries(report.index.commitRate)) {
    out.push(
      `  IndexStore beginWrite+commitInstance on ${engine}: ${f(rate.perSecond, 0)} instances/s (${rate.instances} instances; ${f(build.instances / rate.perSecond / 60, 0)} min for this index one by one)`,
    );
  }
  out.push('');

  out.push(
    `STOW-RS ingest (512×512 16-bit CT, Explicit VR Little Endian, ${report.options.stowBatch} per request, real HTTP; median of ${report.options.rounds} interleaved round(s))`,
  );
  const stowRows: string[][] = [];
  for (const session of report.sessions) {
    for (const s of session.stow) {
      stowRows.push([
        session.server,
        String(s.clients),
        String(s.instances),
        f(s.instancesPerSecond),
        s.rounds !== undefined && s.rounds.length > 1
          ? `${f(Math.min(...s.rounds))}–${f(Math.max(...s.rounds))}`
          : '–',
        f(s.mbPerSecond),
        f(s.requestLatency.p50),
        f(s.requestLatency.p95),
        s.server ? f(s.server.peakRssMb, 0) : '–',
        s.server ? f(s.server.cpuPercent, 0) : '–',
        String(s.failures),
      ]);
    }
  }
  for (const s of report.storescp ?? []) {
    stowRows.push([
      'DCMTK storescu→storescp (C-STORE, no fsync)',
      String(s.associations),
      String(s.instances),
      f(s.instances / s.seconds),
      '–',
      f(s.bytes / 1e6 / s.seconds),
      '–',
      '–',
      '–',
      '–',
      '0',
    ]);
  }
  out.push(
    table(
      [
        'server',
        'clients',
        'inst',
        'inst/s',
        'MB/s',
        'req p50 ms',
        'req p95 ms',
        'peak RSS MiB',
        'CPU %',
        'failed',
      ],
      stowRows,
    ),
    '',
  );

  out.push('Read-back of the stored series (one request at a time; ms)');
  const readRows: string[][] = [];
  for (const session of report.sessions) {
    readRows.push([`${session.server}: series metadata`, ...latencyCells(session.metadata)]);
    readRows.push([`${session.server}: frame, uncompressed`, ...latencyCells(session.frameUncompressed)]);
    readRows.push([`${session.server}: frame, J2K → raw`, ...latencyCells(session.frameJ2kDecoded)]);
    readRows.push([`${session.server}: frame, J2K as stored`, ...latencyCells(session.frameJ2kAsStored)]);
  }
  out.push(table(['request', 'p50', 'p95', 'n'], readRows), '');

  out.push('WADO-RS series retrieve (multipart, median of repetitions)');
  const retrieveRows: string[][] = [];
  for (const session of report.sessions) {
    for (const [label, r] of [
      ['as stored (transfer-syntax=*)', session.seriesAsStored],
      ['converted to Implicit VR LE', session.seriesConverted],
    ] as const) {
      if (r === undefined) continue;
      retrieveRows.push([
        `${session.server}: ${label}`,
        r.error !== undefined ? `error ${r.error}` : f(r.mbPerSecond),
        f(r.bytes / 1e6),
        f(r.seconds, 2),
      ]);
    }
  }
  out.push(table(['retrieve', 'MB/s', 'MB', 's'], retrieveRows), '');

  for (const q of report.qido) {
    out.push(`QIDO-RS /studies — ${q.server}, ${q.studies} studies / ${q.instances} instances (ms)`);
    out.push(
      table(
        ['query', 'p50', 'p95', 'n', 'results'],
        q.queries.map((x) => [
          x.label,
          ...latencyCells(x),
          x.medianResults === undefined ? '–' : f(x.medianResults, 0),
        ]),
      ),
      '',
    );
  }

  if (report.ratios.length > 0) {
    out.push('Lightbox ÷ Orthanc (speed; above 1 = Lightbox faster)');
    out.push(
      table(
        ['what', 'Lightbox', 'ratio'],
        report.ratios.map((r) => [r.what, r.lightbox, `${f(r.ratio, 2)}×`]),
      ),
      '',
    );
  }

  out.push('Targets of issue #2');
  out.push(
    table(
      ['target', 'measured', 'goal', ''],
      report.targets.map((t) => [t.name, t.measured, t.target, t.pass ? 'PASS' : 'MISS']),
    ),
  );
  if (report.notes.length > 0) out.push('', ...report.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}
