import type { TargetCheck } from './report.js';
import type { Hl7Throughput } from './ris-hl7.js';
import { MLLP_ECHO, type RisReport, type WorklistRun } from './ris-phase.js';
import { figure as f, table } from './text-table.js';

/** Issue #6's targets. */
const MESSAGES_PER_SECOND = 500;
const WORKLIST_P95_MS = 50;

/** The reference's run with as many connections. */
function referenceOf(report: RisReport, run: Hl7Throughput): Hl7Throughput | undefined {
  return report.throughput.find((r) => r.server === MLLP_ECHO && r.connections === run.connections);
}

/** Messages/s of `run` divided by the reference's with as many connections, when both succeeded. */
function referenceRatio(report: RisReport, run: Hl7Throughput): number | undefined {
  const reference = referenceOf(report, run);
  return reference !== undefined && reference.failures === 0 && run.server !== MLLP_ECHO
    ? run.messagesPerSecond / reference.messagesPerSecond
    : undefined;
}

function throughputRow(report: RisReport, r: Hl7Throughput): string[] {
  const ratio = referenceRatio(report, r);
  return [
    r.server,
    String(r.connections),
    String(r.messages),
    f(r.messagesPerSecond),
    ratio === undefined ? '–' : `${f(ratio, 2)}×`,
    f(r.ackLatency.p50, 2),
    f(r.ackLatency.p95, 2),
    f(r.ackLatency.p99, 2),
    r.resources !== undefined ? f(r.resources.cpuPercent, 0) : '–',
    r.resources !== undefined ? f(r.resources.peakRssMb, 0) : '–',
    f(r.clientCpuPercent, 0),
    String(r.failures),
  ];
}

function worklistRows(run: WorklistRun): string[][] {
  const rows = run.kinds.map((k) => [
    `${run.server}: ${k.label}`,
    f(k.latency.p50, 2),
    f(k.latency.p95, 2),
    f(k.latency.p99, 2),
    String(k.latency.n),
    k.minMatches === k.maxMatches
      ? f(k.medianMatches, 0)
      : `${f(k.medianMatches, 0)} (${k.minMatches}–${k.maxMatches})`,
    k.serverCpuMsPerQuery !== undefined ? f(k.serverCpuMsPerQuery, 2) : '–',
  ]);
  rows.push([
    `${run.server}: all (the mix)`,
    f(run.overall.p50, 2),
    f(run.overall.p95, 2),
    f(run.overall.p99, 2),
    String(run.overall.n),
    '',
    run.serverCpuMsPerMatch !== undefined ? `${f(run.serverCpuMsPerMatch, 3)} per match` : '–',
  ]);
  return rows;
}

/** True when findscu, the bench's SCU and the seed agree on every cross-checked query. */
function findscuAgrees(run: WorklistRun): boolean | undefined {
  if (run.findscu === undefined) return undefined;
  return run.findscu.every((c) => c.error === undefined && c.findscu === c.scu && c.scu === c.expected);
}

function findscuLine(run: WorklistRun): string {
  if (run.findscu === undefined) return `  ${run.server}: no findscu cross-check (DCMTK is not installed)`;
  const counts = run.findscu
    .map(
      (c) => `${c.kind} ${c.findscu}/${c.scu}/${c.expected}${c.error !== undefined ? ` (${c.error})` : ''}`,
    )
    .join(', ');
  return `  ${run.server}: findscu -W / bench SCU / seeded matches: ${counts} — ${findscuAgrees(run) ? 'agree' : 'DISAGREE'}`;
}

/** The RIS section of the printed report: HL7 throughput with the reference, and worklist latency. */
export function formatRis(report: RisReport): string[] {
  const { plan } = report;
  const out = [
    `RIS (issue #6): HL7 ORM^O01 v2.3.1 new orders over MLLP, kept-open connections, each sending its next message once the ACK of the last has come; ${plan.messages} per run after ${plan.warmupPerConnection} untimed per connection; a fresh server for the 1-connection run, the 4-connection run on the same one; ${MLLP_ECHO} = an MLLP listener (the same framing code) that only parses each message and answers AA`,
    table(
      [
        'server',
        'conn',
        'msgs',
        'msg/s',
        '÷ reference',
        'ACK p50 ms',
        'p95',
        'p99',
        'server CPU %',
        'peak RSS MiB',
        'client CPU %',
        'failed',
      ],
      report.throughput.map((r) => throughputRow(report, r)),
    ),
    '',
  ];
  for (const run of report.worklist) {
    out.push(
      `Modality Worklist C-FIND — ${run.server}, ${run.steps} scheduled steps over ${run.days} days (the orders of the runs above${run.topUp > 0 ? ` and ${run.topUp} more` : ''}), one association kept open, request to final response (ms)`,
      table(['query', 'p50', 'p95', 'p99', 'n', 'matches', 'server CPU ms/query'], worklistRows(run)),
      findscuLine(run),
      ...(run.failures > 0 ? [`  ${run.failures} queries failed: ${run.firstFailure}`] : []),
      '',
    );
  }
  return out;
}

/** Issue #6's targets: ORM throughput ≥ 500 messages/s with every ACK AA; worklist p95 < 50 ms at 10k steps. */
export function risChecks(report: RisReport): { targets: TargetCheck[] } {
  const targets: TargetCheck[] = [];
  for (const run of report.throughput.filter((r) => r.server !== MLLP_ECHO)) {
    const ratio = referenceRatio(report, run);
    targets.push({
      name: `HL7 ${run.messageType} ${run.connections} connection(s), ${run.server}`,
      measured:
        run.failures > 0
          ? `${run.failures} non-AA`
          : `${f(run.messagesPerSecond, 0)} msg/s${ratio !== undefined ? ` (${f(ratio, 2)}× echo)` : ''}`,
      target: `≥ ${MESSAGES_PER_SECOND} msg/s, all AA`,
      pass: run.failures === 0 && run.messagesPerSecond >= MESSAGES_PER_SECOND,
    });
  }
  for (const run of report.worklist) {
    const agrees = findscuAgrees(run);
    const problem =
      run.failures > 0 ? `${run.failures} failed` : agrees === false ? 'findscu disagrees' : undefined;
    targets.push({
      name: `Modality Worklist C-FIND p95, ${run.server}`,
      measured: problem ?? `p95 ${f(run.overall.p95, 1)} ms`,
      target: `p95 < ${WORKLIST_P95_MS} ms at ${run.steps} steps`,
      pass: problem === undefined && run.overall.p95 < WORKLIST_P95_MS,
    });
  }
  return { targets };
}

/**
 * The printed report with the RIS section placed before the ratios and targets at its end (report.ts
 * lays out the other scenarios' sections); appended when those are not found.
 */
export function withRisSection(text: string, report: RisReport | undefined): string {
  if (report === undefined) return text;
  const section = formatRis(report).join('\n');
  const at = ['\nLightbox ÷ Orthanc', '\nTargets of issues']
    .map((marker) => text.indexOf(marker))
    .filter((i) => i >= 0)
    .sort((a, b) => a - b)[0];
  return at === undefined
    ? `${text}\n\n${section}`
    : `${text.slice(0, at + 1)}${section}\n${text.slice(at + 1)}`;
}
