import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { TransferSyntaxUid, type DicomJson, type DicomJsonAttribute } from '@lightbox/dicom';
import { CommandField, Status, type Association } from '@lightbox/dimse';
import { encodeIdentifier } from '../dimse-scp/identifier.js';
import { ServiceSopClass } from '../dimse-scp/sop-classes.js';
import { openNodeAssociation } from '../dimse-scu/open-node-association.js';
import { DCMTK_ENV, type DimsePeer } from './dcmtk.js';
import { cpuSecondsOf } from './processes.js';
import { addDays, RIS_MODALITIES, type RisOrder } from './ris-messages.js';
import { summarize, type LatencySummary } from './stats.js';

/** The kinds of Modality Worklist query a department sends, in the order the mix cycles through them. */
export const WORKLIST_QUERY_KINDS = [
  { id: 'station-day', label: 'station AE + modality + one day' },
  { id: 'modality-3-days', label: 'modality + 3-day date range' },
  { id: 'patient', label: 'PatientID' },
  { id: 'accession', label: 'AccessionNumber' },
] as const;

/** One of {@link WORKLIST_QUERY_KINDS}. */
export type WorklistQueryKind = (typeof WORKLIST_QUERY_KINDS)[number]['id'];

/** Keywords of the keys the bench sends: tag and VR. */
const KEYS = {
  ScheduledStationAETitle: ['00400001', 'AE'],
  Modality: ['00080060', 'CS'],
  ScheduledProcedureStepStartDate: ['00400002', 'DA'],
  ScheduledProcedureStepStartTime: ['00400003', 'TM'],
  ScheduledProcedureStepID: ['00400009', 'SH'],
  ScheduledProcedureStepDescription: ['00400007', 'LO'],
  PatientName: ['00100010', 'PN'],
  PatientID: ['00100020', 'LO'],
  AccessionNumber: ['00080050', 'SH'],
  StudyInstanceUID: ['0020000D', 'UI'],
  RequestedProcedureID: ['00401001', 'SH'],
} as const;

type Keyword = keyof typeof KEYS;

/** The keys of the Scheduled Procedure Step Sequence item every query asks for (matching or returned). */
const STEP_KEYS: readonly Keyword[] = [
  'ScheduledStationAETitle',
  'Modality',
  'ScheduledProcedureStepStartDate',
  'ScheduledProcedureStepStartTime',
  'ScheduledProcedureStepID',
  'ScheduledProcedureStepDescription',
];
/** The top-level return keys of every query. */
const ROOT_KEYS: readonly Keyword[] = [
  'PatientName',
  'PatientID',
  'AccessionNumber',
  'StudyInstanceUID',
  'RequestedProcedureID',
];

/** One worklist query: its identifier, the same keys for findscu, and how many steps it must find. */
export interface WorklistQuery {
  kind: WorklistQueryKind;
  identifier: DicomJson;
  /** `-k` arguments of `findscu -W`. */
  findscuKeys: string[];
  expected: number;
}

function attribute(keyword: Keyword, value: string | undefined): DicomJsonAttribute {
  const vr = KEYS[keyword][1];
  if (value === undefined) return { vr };
  return vr === 'PN' ? { vr, Value: [{ Alphabetic: value }] } : { vr, Value: [value] };
}

/** Builds a query from the matching values of the step item and of the top level; other keys are returned. */
function worklistQuery(
  kind: WorklistQueryKind,
  step: Partial<Record<Keyword, string>>,
  root: Partial<Record<Keyword, string>>,
  expected: number,
): WorklistQuery {
  const item: DicomJson = {};
  const findscuKeys: string[] = [];
  for (const keyword of STEP_KEYS) {
    item[KEYS[keyword][0]] = attribute(keyword, step[keyword]);
    const value = step[keyword];
    findscuKeys.push(`ScheduledProcedureStepSequence[0].${keyword}${value !== undefined ? `=${value}` : ''}`);
  }
  const identifier: DicomJson = { '00400100': { vr: 'SQ', Value: [item] } };
  for (const keyword of ROOT_KEYS) {
    identifier[KEYS[keyword][0]] = attribute(keyword, root[keyword]);
    const value = root[keyword];
    findscuKeys.push(`${keyword}${value !== undefined ? `=${value}` : ''}`);
  }
  return { kind, identifier, findscuKeys, expected };
}

/** What the worklist holds: every order the server accepted, and the days they span. */
export interface WorklistWorkload {
  orders: readonly RisOrder[];
  firstDate: string;
  days: number;
}

/**
 * The n-th query of a kind, with values drawn from the seeded orders (different ones from sample to
 * sample) and the number of steps the seed says it must find.
 */
export function worklistQueryOf(
  kind: WorklistQueryKind,
  n: number,
  workload: WorklistWorkload,
): WorklistQuery {
  const { orders, firstDate, days } = workload;
  switch (kind) {
    case 'station-day': {
      // A modality asks for its own AE title; steps no station is assigned to (ORM^O01 v2.3.1 cannot
      // assign one) are offered to every station of their modality.
      const stations = RIS_MODALITIES.flatMap((m) =>
        m.stations.map((s) => ({ station: s, modality: m.modality })),
      );
      const { station, modality } = stations[n % stations.length]!;
      const date = addDays(firstDate, (n * 3) % days);
      const expected = orders.filter((o) => o.modality === modality && o.date === date).length;
      return worklistQuery(
        kind,
        { ScheduledStationAETitle: station, Modality: modality, ScheduledProcedureStepStartDate: date },
        {},
        expected,
      );
    }
    case 'modality-3-days': {
      const modality = RIS_MODALITIES[n % RIS_MODALITIES.length]!.modality;
      const from = addDays(firstDate, n % Math.max(1, days - 2));
      const to = addDays(from, 2);
      const expected = orders.filter((o) => o.modality === modality && o.date >= from && o.date <= to).length;
      return worklistQuery(
        kind,
        { Modality: modality, ScheduledProcedureStepStartDate: `${from}-${to}` },
        {},
        expected,
      );
    }
    case 'patient': {
      const patientId = orders[(n * 104_729 + 17) % orders.length]!.patientId;
      const expected = orders.filter((o) => o.patientId === patientId).length;
      return worklistQuery(kind, {}, { PatientID: patientId }, expected);
    }
    case 'accession': {
      const accession = orders[(n * 7907 + 13) % orders.length]!.accessionNumber;
      return worklistQuery(kind, {}, { AccessionNumber: accession }, 1);
    }
  }
}

/** Latency of one kind of query over the samples, and what they found. */
export interface WorklistKindResult {
  kind: WorklistQueryKind;
  label: string;
  latency: LatencySummary;
  medianMatches: number;
  minMatches: number;
  maxMatches: number;
  /** Server CPU (user + system, /proc) per query of this kind, ms; absent without the server's pid. */
  serverCpuMsPerQuery?: number;
}

/** What one worklist session measured. */
export interface WorklistLatency {
  /** All queries of the mix. */
  overall: LatencySummary;
  /** Server CPU per match over the timed queries (all kinds), ms; absent without the server's pid. */
  serverCpuMsPerMatch?: number;
  kinds: WorklistKindResult[];
  /** Queries that did not end in Success or found another number of steps than seeded. */
  failures: number;
  firstFailure?: string;
}

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** Opens an association for Modality Worklist C-FIND with the project's own SCU, as a modality would. */
export async function openWorklistAssociation(peer: DimsePeer, callingAeTitle: string): Promise<Association> {
  return openNodeAssociation({
    node: { name: 'bench', aet: peer.aeTitle, host: peer.host, port: peer.port, tls: false, source: 'api' },
    local: { aeTitle: callingAeTitle },
    contexts: [
      {
        id: 1,
        abstractSyntax: ServiceSopClass.ModalityWorklistFind,
        transferSyntaxes: [
          TransferSyntaxUid.ExplicitVRLittleEndian,
          TransferSyntaxUid.ImplicitVRLittleEndian,
        ],
      },
    ],
    logger: quiet,
  });
}

/** Sends one C-FIND-RQ (PS3.4 K.6) and waits for the final response: ms, matches and final status. */
export async function worklistFind(
  association: Association,
  identifier: DicomJson,
): Promise<{ ms: number; matches: number; status: number; comment?: string }> {
  const context = association.findContext(ServiceSopClass.ModalityWorklistFind);
  if (context === undefined) throw new Error('the Modality Worklist context was not accepted');
  const bytes = encodeIdentifier(identifier, context.transferSyntax);
  let matches = 0;
  const started = performance.now();
  const final = await association.sendRequest(
    context.id,
    {
      commandField: CommandField.CFindRq,
      priority: 0,
      affectedSopClassUid: ServiceSopClass.ModalityWorklistFind,
    },
    bytes,
    (pending) => {
      if (pending.dataSet !== undefined) matches++;
    },
  );
  const ms = performance.now() - started;
  return {
    ms,
    matches,
    status: final.command.status ?? -1,
    ...(final.command.errorComment !== undefined ? { comment: final.command.errorComment } : {}),
  };
}

/**
 * Times `samples` worklist queries on one kept-open association, the kinds in turn (after `warmup`
 * untimed ones), from sending the C-FIND-RQ to the final response; each must end in Success with as many
 * matches as the seed says.
 */
export async function measureWorklist(
  peer: DimsePeer,
  workload: WorklistWorkload,
  plan: { warmup: number; samples: number; serverPid?: number },
): Promise<WorklistLatency> {
  const association = await openWorklistAssociation(peer, 'CT1');
  const all: number[] = [];
  const byKind = new Map<WorklistQueryKind, { ms: number[]; matches: number[]; cpuSeconds: number }>(
    WORKLIST_QUERY_KINDS.map((k) => [k.id, { ms: [], matches: [], cpuSeconds: 0 }]),
  );
  const { serverPid } = plan;
  // /proc counts CPU in 10 ms ticks: per query it is coarse, summed over a kind's queries it is not.
  const cpu = () => (serverPid !== undefined ? cpuSecondsOf(serverPid) : NaN);
  let failures = 0;
  let firstFailure: string | undefined;
  try {
    for (let n = 0; n < plan.warmup + plan.samples; n++) {
      const kind = WORKLIST_QUERY_KINDS[n % WORKLIST_QUERY_KINDS.length]!.id;
      // Warm-up queries draw other values than the timed ones.
      const sample =
        n < plan.warmup ? 1_000 + n : Math.floor((n - plan.warmup) / WORKLIST_QUERY_KINDS.length);
      const query = worklistQueryOf(kind, sample, workload);
      const cpuBefore = cpu();
      const answer = await worklistFind(association, query.identifier);
      const cpuSeconds = cpu() - cpuBefore;
      if (answer.status !== Status.Success || answer.matches !== query.expected) {
        failures++;
        firstFailure ??= `${kind}: status ${answer.status.toString(16)}H${answer.comment ? ` (${answer.comment})` : ''}, ${answer.matches} matches, ${query.expected} seeded`;
      }
      if (n < plan.warmup) continue;
      all.push(answer.ms);
      byKind.get(kind)!.ms.push(answer.ms);
      byKind.get(kind)!.matches.push(answer.matches);
      byKind.get(kind)!.cpuSeconds += cpuSeconds;
    }
  } finally {
    await association.release().catch(() => association.abort());
  }
  const groups = [...byKind.values()];
  const totalCpu = groups.reduce((sum, g) => sum + g.cpuSeconds, 0);
  const totalMatches = groups.reduce((sum, g) => sum + g.matches.reduce((a, b) => a + b, 0), 0);
  return {
    overall: summarize(all),
    ...(serverPid !== undefined && totalMatches > 0
      ? { serverCpuMsPerMatch: (totalCpu * 1000) / totalMatches }
      : {}),
    kinds: WORKLIST_QUERY_KINDS.map(({ id, label }) => {
      const { ms, matches, cpuSeconds } = byKind.get(id)!;
      return {
        kind: id,
        label,
        latency: summarize(ms),
        medianMatches: summarize(matches).p50,
        minMatches: Math.min(...matches),
        maxMatches: Math.max(...matches),
        ...(serverPid !== undefined && ms.length > 0
          ? { serverCpuMsPerQuery: (cpuSeconds * 1000) / ms.length }
          : {}),
      };
    }),
    failures,
    ...(firstFailure !== undefined ? { firstFailure } : {}),
  };
}

/** One query answered by DCMTK's `findscu -W` and by the bench's SCU: the counts must agree with the seed. */
export interface FindscuCheck {
  kind: WorklistQueryKind;
  findscu: number;
  scu: number;
  expected: number;
  /** findscu's wall time, process start included, ms. */
  ms: number;
  error?: string;
}

/** Runs `findscu -W -X` (responses written as files, counted) with the query's keys. */
function runWorklistFindscu(
  peer: DimsePeer,
  keys: readonly string[],
  dir: string,
): Promise<{ matches: number; ms: number; error?: string }> {
  const out = mkdtempSync(path.join(dir, 'findscu-'));
  const args = ['-W', '-X', '-od', out, '-aet', 'CT1', '-aec', peer.aeTitle];
  for (const key of keys) args.push('-k', key);
  args.push(peer.host, String(peer.port));
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('findscu', args, {
      env: { ...process.env, ...DCMTK_ENV },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (data: Buffer) => (log = (log + data.toString()).slice(-8192)));
    const done = (code: number | null, failure?: string) => {
      const ms = performance.now() - started;
      const matches = readdirSync(out).filter((f) => f.startsWith('rsp')).length;
      rmSync(out, { recursive: true, force: true });
      const error =
        failure ??
        (code !== 0 || /^[EF]: /m.test(log)
          ? `exit ${code}: ${log.trim().split('\n').pop() ?? ''}`
          : undefined);
      resolve({ matches, ms, ...(error !== undefined ? { error } : {}) });
    };
    child.once('error', (error) => done(null, error.message));
    child.once('close', (code) => done(code));
  });
}

/** Cross-checks one query of each kind: DCMTK `findscu -W` against the bench's SCU and the seed. */
export async function crossCheckWithFindscu(
  peer: DimsePeer,
  workload: WorklistWorkload,
  dir: string,
): Promise<FindscuCheck[]> {
  const association = await openWorklistAssociation(peer, 'CT1');
  const checks: FindscuCheck[] = [];
  try {
    for (const { id } of WORKLIST_QUERY_KINDS) {
      const query = worklistQueryOf(id, 0, workload);
      const ours = await worklistFind(association, query.identifier);
      const theirs = await runWorklistFindscu(peer, query.findscuKeys, dir);
      checks.push({
        kind: id,
        findscu: theirs.matches,
        scu: ours.matches,
        expected: query.expected,
        ms: theirs.ms,
        ...(theirs.error !== undefined ? { error: theirs.error } : {}),
      });
    }
  } finally {
    await association.release().catch(() => association.abort());
  }
  return checks;
}
