import type { CommitRate, IndexBuild } from './build-index.js';
import type { BenchOptions } from './bench-options.js';
import type { MachineInfo } from './machine-info.js';
import type { StoreScpResult } from './peers.js';
import type { RetrieveResult, SampledLatency, StowResult } from './scenarios.js';
import { formatDimse } from './dimse-report.js';
import type { DimseReport } from './dimse-phase.js';
import { formatSecurity } from './security-report.js';
import { formatViewer } from './viewer-report.js';
import type { ViewerReport } from './viewer-phase.js';
import type { SecurityReport } from './security-phase.js';
import { figure, table } from './text-table.js';

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
  /** The synthetic index and the commit rate (absent when the QIDO scenario was left out). */
  index?: {
    build: IndexBuild;
    commitRate: Record<string, CommitRate>;
  };
  sessions: ServerSession[];
  storescp?: StoreScpResult[];
  qido: QidoSession[];
  comparisonLoad?: Record<string, StowResult>;
  /** C-STORE ingest and C-FIND latency over DIMSE (issue #3). */
  dimse?: DimseReport;
  /** The cost of authentication, audit and encryption at rest (absent when the scenario was left out). */
  security?: SecurityReport;
  viewer?: ViewerReport;
  /** Phases of the run with the 1-minute load average when each began. */
  phases: Array<{ phase: string; at: string; loadAverage: number }>;
  loadAverageAtEnd: number;
  ratios: Array<{ what: string; lightbox: string; ratio: number }>;
  targets: TargetCheck[];
  notes: string[];
}

const f = figure;

function latencyCells(s: SampledLatency | undefined): string[] {
  if (s === undefined) return ['–', '–', '–'];
  if (s.error !== undefined) return [`error: ${s.error.slice(0, 40)}`, '', ''];
  return [f(s.latency.p50, 2), f(s.latency.p95, 2), String(s.latency.n)];
}

function formatHeader(report: BenchReport): string[] {
  const m = report.machine;
  return [
    `Lightbox benchmark — ${m.date.slice(0, 16).replace('T', ' ')} UTC, ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Node ${m.node}`,
    `SQLite ${m.sqlite}${m.postgres ? `, PostgreSQL ${m.postgres}` : ''}${m.orthanc ? `, Orthanc ${m.orthanc}` : ''}${m.dcmtk ? `, DCMTK ${m.dcmtk}` : ''}; run took ${(report.durationSeconds / 60).toFixed(1)} min${report.options.only.length > 0 ? `; only ${report.options.only.join(', ')}` : ''}`,
    `1-min load average by phase (${m.cores} cores; anything else running skews the figures): ${report.phases
      .map((p) => `${p.phase.split(' (')[0]} ${p.loadAverage}`)
      .join(', ')}, end ${report.loadAverageAtEnd}`,
    '',
  ];
}

function formatIndex(report: BenchReport): string[] {
  if (report.index === undefined) return [];
  const build = report.index.build;
  const out = [
    `Synthetic index: ${build.instances / report.options.instancesPerStudy} studies, ${build.instances} instances — ` +
      (build.buildSeconds !== undefined
        ? `built in ${f(build.buildSeconds, 0)} s (set-wise batches of instanceRecord rows; ${f(build.recordMicros, 0)} µs per instanceRecord)`
        : `from the cache (${build.cacheDir})`),
  ];
  for (const [engine, rate] of Object.entries(report.index.commitRate)) {
    out.push(
      `  IndexStore beginWrite+commitInstance on ${engine}: ${f(rate.perSecond, 0)} instances/s (${rate.instances} instances; ${f(build.instances / rate.perSecond / 60, 0)} min for this index one by one)`,
    );
  }
  out.push('');
  return out;
}

function formatStow(report: BenchReport): string[] {
  if (report.sessions.length === 0 && report.storescp === undefined) return [];
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
  return [
    `STOW-RS ingest (512×512 16-bit CT, Explicit VR Little Endian, ${report.options.stowBatch} per request, real HTTP; median of ${report.options.rounds} interleaved round(s))`,
    table(
      [
        'server',
        'clients',
        'inst',
        'inst/s',
        'range',
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
  ];
}

function formatReadBack(report: BenchReport): string[] {
  if (report.sessions.length === 0) return [];
  const readRows: string[][] = [];
  for (const session of report.sessions) {
    readRows.push([`${session.server}: series metadata`, ...latencyCells(session.metadata)]);
    readRows.push([`${session.server}: frame, uncompressed`, ...latencyCells(session.frameUncompressed)]);
    readRows.push([`${session.server}: frame, J2K → raw`, ...latencyCells(session.frameJ2kDecoded)]);
    readRows.push([`${session.server}: frame, J2K as stored`, ...latencyCells(session.frameJ2kAsStored)]);
  }
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
  return [
    'Read-back of the stored series (one request at a time; ms)',
    table(['request', 'p50', 'p95', 'n'], readRows),
    '',
    'WADO-RS series retrieve (multipart, median of repetitions)',
    table(['retrieve', 'MB/s', 'MB', 's'], retrieveRows),
    '',
  ];
}

function formatQido(report: BenchReport): string[] {
  return report.qido.flatMap((q) => [
    `QIDO-RS /studies — ${q.server}, ${q.studies} studies / ${q.instances} instances (ms)`,
    table(
      ['query', 'p50', 'p95', 'n', 'results'],
      q.queries.map((x) => [
        x.label,
        ...latencyCells(x),
        x.medianResults === undefined ? '–' : f(x.medianResults, 0),
      ]),
    ),
    '',
  ]);
}

function formatRatiosAndTargets(report: BenchReport): string[] {
  const out: string[] = [];
  if (report.ratios.length > 0) {
    out.push(
      'Lightbox ÷ Orthanc (speed; above 1 = Lightbox faster)',
      table(
        ['what', 'Lightbox', 'ratio'],
        report.ratios.map((r) => [r.what, r.lightbox, `${f(r.ratio, 2)}×`]),
      ),
      '',
    );
  }
  out.push(
    'Targets of issues #2 (DICOMweb), #3 (DIMSE), #4 (security) and #5 (viewer)',
    table(
      ['target', 'measured', 'goal', ''],
      report.targets.map((t) => [t.name, t.measured, t.target, t.pass ? 'PASS' : 'MISS']),
    ),
  );
  if (report.notes.length > 0) out.push('', ...report.notes.map((n) => `note: ${n}`));
  return out;
}

/** The human-readable report printed at the end of a run. */
export function formatReport(report: BenchReport): string {
  return [
    ...formatHeader(report),
    ...formatIndex(report),
    ...formatStow(report),
    ...formatReadBack(report),
    ...(report.dimse !== undefined ? formatDimse(report.dimse) : []),
    ...(report.security !== undefined ? formatSecurity(report.security) : []),
    ...(report.viewer !== undefined ? formatViewer(report.viewer) : []),
    ...formatQido(report),
    ...formatRatiosAndTargets(report),
  ].join('\n');
}
