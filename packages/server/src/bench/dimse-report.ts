import type { DimseReport } from './dimse-phase.js';
import type { CFindResult, CMoveResult, CStoreResult } from './dimse-scenario.js';
import type { BenchReport, TargetCheck } from './report.js';
import { figure as f, table } from './text-table.js';

const ORTHANC = 'Orthanc';
const STORESCP = 'DCMTK storescp';

function peerOf(report: DimseReport, server: string, associations: number): CStoreResult | undefined {
  const run = report.ingest.find((r) => r.server === server && r.associations === associations);
  return run !== undefined && run.failures === 0 ? run : undefined;
}

/** Instances/s of `run` divided by those of `server` with as many associations, when both succeeded. */
function ingestRatio(report: DimseReport, run: CStoreResult, server: string): number | undefined {
  const theirs = peerOf(report, server, run.associations);
  return theirs !== undefined && run.failures === 0 && run.server !== server
    ? run.instancesPerSecond / theirs.instancesPerSecond
    : undefined;
}

/** Orthanc's p50 divided by `find`'s (a speed ratio), when both answered. */
function findRatio(report: DimseReport, find: CFindResult): number | undefined {
  const theirs = report.find.find((x) => x.server === ORTHANC);
  if (theirs === undefined || theirs.error !== undefined || find.error !== undefined) return undefined;
  return find.server === ORTHANC ? undefined : theirs.latency.p50 / find.latency.p50;
}

/** Instances/s of `move` divided by Orthanc's, when both moved the whole study. */
function moveRatio(report: DimseReport, move: CMoveResult): number | undefined {
  const theirs = report.move.find((m) => m.server === ORTHANC);
  if (theirs === undefined || theirs.error !== undefined || move.error !== undefined) return undefined;
  return move.server === ORTHANC ? undefined : move.instancesPerSecond / theirs.instancesPerSecond;
}

const times = (ratio: number | undefined) => (ratio === undefined ? '–' : `${f(ratio, 2)}×`);

function ingestRows(report: DimseReport): string[][] {
  return report.ingest.map((r) => [
    r.server,
    String(r.associations),
    String(r.instances),
    f(r.instancesPerSecond),
    r.rounds !== undefined && r.rounds.length > 1
      ? `${f(Math.min(...r.rounds))}–${f(Math.max(...r.rounds))}`
      : '–',
    f(r.mbPerSecond),
    times(ingestRatio(report, r, ORTHANC)),
    times(ingestRatio(report, r, STORESCP)),
    r.resources !== undefined ? f(r.resources.peakRssMb, 0) : '–',
    r.resources !== undefined ? f(r.resources.cpuPercent, 0) : '–',
    String(r.failures),
  ]);
}

function findRows(report: DimseReport): string[][] {
  return report.find.map((x) =>
    x.error !== undefined
      ? [x.server, `error: ${x.error.slice(0, 60)}`, '', '', '', '']
      : [
          x.server,
          f(x.latency.p50, 2),
          f(x.latency.p95, 2),
          String(x.latency.n),
          String(x.matches),
          times(findRatio(report, x)),
        ],
  );
}

function moveRows(report: DimseReport): string[][] {
  return report.move.map((m) =>
    m.error !== undefined
      ? [m.server, `error: ${m.error.slice(0, 60)}`, '', '', '', '']
      : [
          m.server,
          `${m.instances}/${m.expected}`,
          f(m.seconds, 2),
          f(m.instancesPerSecond),
          f(m.mbPerSecond),
          times(moveRatio(report, m)),
        ],
  );
}

/** The DIMSE section of the printed report: C-STORE ingest, C-FIND latency and C-MOVE throughput, with ratios. */
export function formatDimse(report: DimseReport): string[] {
  return [
    `DIMSE C-STORE ingest (a ${report.instances}-slice 512×512 16-bit CT, ${f(report.bytes / 1e6, 0)} MB, Explicit VR Little Endian; one DCMTK storescu per association, TCP_NODELAY=1; a fresh server per run; median of ${report.rounds} interleaved round(s))`,
    table(
      [
        'server',
        'assoc',
        'inst',
        'inst/s',
        'range',
        'MB/s',
        '÷ Orthanc',
        '÷ storescp',
        'peak RSS MiB',
        'CPU %',
        'missing',
      ],
      ingestRows(report),
    ),
    '',
    `DIMSE C-FIND, study level by PatientID, one match (ms per findscu run: process start, association, query, release)`,
    table(['server', 'p50', 'p95', 'n', 'matches', 'speed ÷ Orthanc'], findRows(report)),
    '',
    `DIMSE C-MOVE of the CT's study to a DCMTK storescp (one movescu; from its start to the final response)`,
    table(['server', 'arrived', 's', 'inst/s', 'MB/s', '÷ Orthanc'], moveRows(report)),
    '',
  ];
}

function ingestTargets(report: DimseReport, run: CStoreResult): TargetCheck[] {
  const name = `C-STORE ${run.associations} association(s), ${run.server}`;
  const orthanc = ingestRatio(report, run, ORTHANC);
  const storescp = ingestRatio(report, run, STORESCP);
  const missing = run.failures > 0 ? `${run.failures} missing` : undefined;
  return [
    {
      name,
      measured: missing ?? (orthanc === undefined ? 'no Orthanc figure' : `${f(orthanc, 2)}× Orthanc`),
      target: '≥ 3× Orthanc',
      pass: missing === undefined && orthanc !== undefined && orthanc >= 3,
    },
    {
      name,
      measured:
        missing ?? (storescp === undefined ? 'no storescp figure' : `${f(100 * storescp, 0)} % of storescp`),
      target: '≥ 60 % of storescp',
      pass: missing === undefined && storescp !== undefined && storescp >= 0.6,
    },
  ];
}

function rssTarget(server: string, runs: CStoreResult[]): TargetCheck | undefined {
  const peaks = runs.flatMap((r) => (r.resources !== undefined ? [r.resources.peakRssMb] : []));
  if (peaks.length === 0) return undefined;
  const peak = Math.max(...peaks);
  return {
    name: `RSS during C-STORE ingest, ${server}`,
    measured: `${f(peak, 0)} MiB`,
    target: '< 300 MiB',
    pass: peak < 300,
  };
}

/** The targets of issue #3 that the DIMSE figures meet or miss, and their ratios against Orthanc. */
export function dimseChecks(report: DimseReport): {
  targets: TargetCheck[];
  ratios: BenchReport['ratios'];
} {
  const targets: TargetCheck[] = [];
  const ratios: BenchReport['ratios'] = [];
  const lightboxes = [...new Set(report.ingest.map((r) => r.server))].filter((s) => s.startsWith('Lightbox'));
  for (const server of lightboxes) {
    const runs = report.ingest.filter((r) => r.server === server);
    for (const run of runs) {
      targets.push(...ingestTargets(report, run));
      const theirs = peerOf(report, ORTHANC, run.associations);
      const ratio = ingestRatio(report, run, ORTHANC);
      if (theirs !== undefined && ratio !== undefined) {
        ratios.push({
          what: `C-STORE ${run.associations} association(s), ${server}`,
          lightbox: `${f(run.instancesPerSecond)} vs ${f(theirs.instancesPerSecond)} inst/s`,
          ratio,
        });
      }
    }
    const rss = rssTarget(server, runs);
    if (rss !== undefined) targets.push(rss);
  }
  const orthancFind = report.find.find((x) => x.server === ORTHANC);
  for (const find of report.find) {
    const ratio = findRatio(report, find);
    if (ratio === undefined || orthancFind === undefined) continue;
    ratios.push({
      what: `C-FIND study level p50 (findscu run), ${find.server}`,
      lightbox: `${f(find.latency.p50, 2)} vs ${f(orthancFind.latency.p50, 2)} ms`,
      ratio,
    });
  }
  const orthancMove = report.move.find((m) => m.server === ORTHANC);
  for (const move of report.move) {
    const ratio = moveRatio(report, move);
    if (ratio === undefined || orthancMove === undefined) continue;
    ratios.push({
      what: `C-MOVE of a study to storescp, ${move.server}`,
      lightbox: `${f(move.instancesPerSecond)} vs ${f(orthancMove.instancesPerSecond)} inst/s`,
      ratio,
    });
  }
  return { targets, ratios };
}
