import type { BenchReport, TargetCheck } from './report.js';
import type { SecurityReport, SecurityRun } from './security-phase.js';
import { figure as f, table } from './text-table.js';

/** Slowdowns (on ÷ off − 1) that authentication, the audit trail and encryption at rest cause together. */
export interface SecurityCost {
  /** ms per request: authentication (Basic, cached) and writing one audit event. */
  authMs: number;
  auditMs: number;
  stow: number;
  wadoSeries: number;
  frame: number;
}

function runOf(report: SecurityReport, encrypted: boolean): SecurityRun {
  return report.runs.find((r) => r.encrypted === encrypted)!;
}

/**
 * Every request is authenticated and audited in both runs; only encryption differs. The "all off"
 * baseline is therefore the run in the clear minus the measured cost of authentication and of one audit
 * event per request.
 */
export function securityCost(report: SecurityReport): SecurityCost {
  const sealed = runOf(report, true);
  const clear = runOf(report, false);
  // DICOMweb clients send the same Basic credentials with every request: the cached check is the cost.
  const authMs = report.authentication.basicMs;
  const auditMs = 1000 / report.auditEventsPerSecond;
  const overhead = authMs + auditMs;
  const perInstance = (run: SecurityRun) => 1000 / run.stow.instancesPerSecond;
  const seriesMs = (run: SecurityRun) => (run.stow.objectBytes / 1e6 / run.retrieveMbPerSecond) * 1000;
  return {
    authMs,
    auditMs,
    stow: perInstance(sealed) / (perInstance(clear) - overhead) - 1,
    wadoSeries: seriesMs(sealed) / (seriesMs(clear) - overhead) - 1,
    frame: sealed.frameP50 / (clear.frameP50 - overhead) - 1,
  };
}

/** The printed section. */
export function formatSecurity(report: SecurityReport): string[] {
  const cost = securityCost(report);
  const rows = report.runs.map((r) => [
    r.encrypted ? 'sealed at rest (default)' : 'in the clear',
    f(r.stow.instancesPerSecond),
    r.stow.rounds !== undefined && r.stow.rounds.length > 1
      ? `${f(Math.min(...r.stow.rounds))}–${f(Math.max(...r.stow.rounds))}`
      : '–',
    f(r.stow.requestLatency.p50, 2),
    f(r.retrieveMbPerSecond),
    f(r.frameP50, 2),
  ]);
  const pct = (x: number) => `${f(100 * x, 1)} %`;
  return [
    `Security cost (issue #4): Lightbox on SQLite, a ${report.instances}-slice 512×512 CT by STOW-RS (1 client), the series by WADO-RS as stored, /frames/1 raw; a fresh server per run, rounds alternating`,
    table(['objects', 'STOW inst/s', 'range', 'request p50 ms', 'WADO series MB/s', 'frame p50 ms'], rows),
    `  per request: authentication ${f(cost.authMs, 4)} ms with Basic (verified password, cached), ${f(report.authentication.bearerMs, 3)} ms with an API token (two index lookups); one audit event ${f(cost.auditMs, 3)} ms (${f(report.auditEventsPerSecond, 0)} events/s written)`,
    `  over HTTP: GET /api/me ${f(report.requests.basicP50, 2)} ms with Basic, ${f(report.requests.bearerP50, 2)} ms with a token; public /api/health ${f(report.requests.publicP50, 2)} ms (p50)`,
    `  slowdown with authentication + audit + encryption on, against all off: STOW ${pct(cost.stow)}, WADO series ${pct(cost.wadoSeries)}, single frame ${pct(cost.frame)}`,
    '',
  ];
}

/** Issue #4's target: all three together cost less than 10 %. */
export function securityChecks(report: SecurityReport): {
  targets: TargetCheck[];
  ratios: BenchReport['ratios'];
} {
  const cost = securityCost(report);
  const check = (name: string, x: number): TargetCheck => ({
    name: `auth + audit + encryption, ${name}`,
    measured: `${f(100 * x, 1)} % slower`,
    target: '< 10 % slower',
    pass: x < 0.1,
  });
  return {
    targets: [
      check('STOW-RS', cost.stow),
      check('WADO-RS series', cost.wadoSeries),
      check('single frame', cost.frame),
    ],
    ratios: [],
  };
}
