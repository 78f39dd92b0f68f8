import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accepts, type DimsePeer } from './dcmtk.js';
import { lightboxDicomPeer } from './dimse-targets.js';
import { settle } from './ingest-phase.js';
import { scratchPostgres, type ScratchDatabase } from './postgres.js';
import { freePort, startProgram, type ServerProcess } from './processes.js';
import {
  measureHl7Throughput,
  type Hl7Throughput,
  type MllpTarget,
  type OutgoingMessage,
} from './ris-hl7.js';
import { dicomDate, ormNewOrder, risOrders, type RisOrder } from './ris-messages.js';
import {
  crossCheckWithFindscu,
  measureWorklist,
  type FindscuCheck,
  type WorklistLatency,
  type WorklistWorkload,
} from './ris-worklist.js';

/** The name of the reference in the report. */
export const MLLP_ECHO = 'MLLP echo (reference)';

/** What the RIS scenario measures, and how much. */
export interface RisPlan {
  /** ORM^O01 messages per throughput run. */
  messages: number;
  /** Kept-open connections to send them over, one run each, e.g. [1, 4]. */
  connections: number[];
  /** Untimed messages per connection before each timed run. */
  warmupPerConnection: number;
  /** Scheduled procedure steps the worklist holds at least (orders are added when the runs sent fewer). */
  worklistSteps: number;
  /** Days the orders' steps spread over, from today. */
  worklistDays: number;
  /** Timed worklist queries (the kinds in turn). */
  worklistQueries: number;
}

/** What the bench provides to start servers. */
export interface RisSetup {
  workDir: string;
  /** Starts a Lightbox process with the bench's environment plus `env`. */
  startLightbox(env: Record<string, string>): Promise<ServerProcess>;
  /** PostgreSQL server for a Lightbox on PostgreSQL (a scratch database per start), if any. */
  postgresAdminUrl?: string;
  /** DCMTK's findscu is installed (for the cross-check of the worklist counts). */
  dcmtk: boolean;
  log(line: string): void;
}

/** Modality Worklist latency on one Lightbox, after its throughput runs filled it with orders. */
export interface WorklistRun extends WorklistLatency {
  server: string;
  /** Scheduled procedure steps it holds: every order accepted (warm-up and timed runs, top-up). */
  steps: number;
  days: number;
  /** Orders sent after the throughput runs to reach the plan's step count (untimed). */
  topUp: number;
  /** DCMTK `findscu -W` against the bench's SCU and the seed, one query of each kind (absent without DCMTK). */
  findscu?: FindscuCheck[];
}

/** What the RIS scenario measured (issue #6). */
export interface RisReport {
  plan: RisPlan;
  /** ORM^O01 throughput per server and connection count, the reference included. */
  throughput: Hl7Throughput[];
  worklist: WorklistRun[];
}

/** A started MLLP listener (Lightbox or the reference) and how to end it. */
interface RunningMllp {
  target: MllpTarget;
  stop(): Promise<void>;
}

/** A Lightbox started for the RIS scenario: its MLLP port and its DICOM peer. */
interface RunningLightbox extends RunningMllp {
  dicom: DimsePeer;
}

/** A Lightbox under test, started afresh (an empty database) for every session. */
interface LightboxServer {
  name: string;
  /** Short prefix of its orders' control IDs, placer and accession numbers. */
  tag: string;
  start(): Promise<RunningLightbox>;
}

let starts = 0;

/** The HL7 port of a started Lightbox, from its banner ("  HL7 v2:     MLLP port N"). */
function lightboxHl7Port(output: string): number {
  const match = /HL7 v2:\s+MLLP port (\d+)/.exec(output);
  if (match === null) throw new Error(`no HL7 listener in the Lightbox banner:\n${output}`);
  return Number(match[1]);
}

function lightboxServer(name: string, tag: string, setup: RisSetup, postgres: boolean): LightboxServer {
  const admin = setup.postgresAdminUrl;
  return {
    name,
    tag,
    async start() {
      const dir = path.join(setup.workDir, `ris-lightbox-${++starts}`);
      let db: ScratchDatabase | undefined;
      const cleanup = async () => {
        await db?.drop();
        rmSync(dir, { recursive: true, force: true });
      };
      try {
        if (postgres && admin !== undefined)
          db = await scratchPostgres(admin, `lightbox_bench_scratch_${process.pid}_ris`, { replace: true });
        const server = await setup.startLightbox({
          LIGHTBOX_DATA_DIR: dir,
          LIGHTBOX_HL7_PORT: '0',
          ...(db !== undefined ? { LIGHTBOX_DATABASE_URL: db.url } : {}),
        });
        return {
          target: { name, port: lightboxHl7Port(server.output()), pid: server.pid },
          dicom: lightboxDicomPeer(server.output()),
          async stop() {
            await server.stop();
            await cleanup();
          },
        };
      } catch (error) {
        await cleanup();
        throw error;
      }
    },
  };
}

/** The transport ceiling: an MLLP listener that answers AA without doing anything (ris-echo-server.ts). */
async function startEcho(): Promise<RunningMllp> {
  const script = fileURLToPath(new URL('./ris-echo-server.js', import.meta.url));
  const port = await freePort();
  const started = await startProgram(process.execPath, [script, String(port)], {
    ready: () => accepts('127.0.0.1', port),
    timeoutMs: 10_000,
  });
  return { target: { name: MLLP_ECHO, port, pid: started.pid }, stop: started.stop };
}

function encode(orders: readonly RisOrder[]): OutgoingMessage[] {
  return orders.map((order) => ({
    controlId: order.controlId,
    bytes: Buffer.from(ormNewOrder(order), 'latin1'),
  }));
}

function describe(run: Hl7Throughput): string {
  const cpu = run.resources !== undefined ? `, server CPU ${run.resources.cpuPercent.toFixed(0)} %` : '';
  const failed = run.failures > 0 ? `, ${run.failures} failed: ${run.firstFailure}` : '';
  return `${run.server} ${run.messageType}, ${run.connections} connection(s): ${run.messagesPerSecond.toFixed(0)} msg/s, ACK p50 ${run.ackLatency.p50.toFixed(2)} ms, p95 ${run.ackLatency.p95.toFixed(2)} ms${cpu}${failed}`;
}

/** The throughput runs on one started server: each connection count in turn, warm-up then timed. */
async function throughputRuns(
  target: MllpTarget,
  plan: RisPlan,
  tag: string,
  firstDate: string,
  setup: RisSetup,
): Promise<{ runs: Hl7Throughput[]; sent: RisOrder[] }> {
  const runs: Hl7Throughput[] = [];
  const sent: RisOrder[] = [];
  for (const connections of plan.connections) {
    const shape = { days: plan.worklistDays, firstDate };
    const warmup = risOrders({
      ...shape,
      tag: `${tag}${connections}w`,
      orders: plan.warmupPerConnection * connections,
    });
    const timed = risOrders({ ...shape, tag: `${tag}${connections}`, orders: plan.messages });
    await settle();
    const run = await measureHl7Throughput(target, 'ORM^O01', encode(warmup), encode(timed), connections);
    setup.log(describe(run));
    runs.push(run);
    sent.push(...warmup, ...timed);
  }
  return { runs, sent };
}

/** Times the worklist queries on a Lightbox holding `workload`, and cross-checks one of each kind with findscu. */
async function worklistRun(
  server: LightboxServer,
  running: RunningLightbox,
  workload: WorklistWorkload,
  topUp: number,
  plan: RisPlan,
  setup: RisSetup,
): Promise<WorklistRun> {
  await settle();
  const latency = await measureWorklist(running.dicom, workload, {
    warmup: 12,
    samples: plan.worklistQueries,
    ...(running.target.pid !== undefined ? { serverPid: running.target.pid } : {}),
  });
  const cpuOf = (ms: number | undefined) => (ms !== undefined ? `, server CPU ${ms.toFixed(1)} ms` : '');
  const kinds = latency.kinds
    .map(
      (k) =>
        `${k.kind} p50 ${k.latency.p50.toFixed(1)} ms, p95 ${k.latency.p95.toFixed(1)} ms (${k.medianMatches} matches${cpuOf(k.serverCpuMsPerQuery)})`,
    )
    .join(', ');
  const perMatch =
    latency.serverCpuMsPerMatch !== undefined
      ? `; server CPU ${latency.serverCpuMsPerMatch.toFixed(3)} ms per match`
      : '';
  setup.log(
    `${server.name} worklist C-FIND (${workload.orders.length} steps): p50 ${latency.overall.p50.toFixed(1)} ms, p95 ${latency.overall.p95.toFixed(1)} ms, p99 ${latency.overall.p99.toFixed(1)} ms; ${kinds}${perMatch}${latency.failures > 0 ? `; ${latency.failures} failed: ${latency.firstFailure}` : ''}`,
  );
  let findscu: FindscuCheck[] | undefined;
  if (setup.dcmtk) {
    const dir = path.join(setup.workDir, 'ris-findscu');
    mkdirSync(dir, { recursive: true });
    try {
      findscu = await crossCheckWithFindscu(running.dicom, workload, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    setup.log(
      `  findscu -W cross-check (findscu/SCU/seeded): ${findscu.map((c) => `${c.kind} ${c.findscu}/${c.scu}/${c.expected}`).join(', ')}`,
    );
  }
  return {
    server: server.name,
    steps: workload.orders.length,
    days: workload.days,
    topUp,
    ...latency,
    ...(findscu !== undefined ? { findscu } : {}),
  };
}

/**
 * One Lightbox, fresh: the ORM^O01 throughput runs (1 connection, then 4, the second on the orders of the
 * first), more orders if they left fewer steps than the plan's, then the worklist queries on all of them.
 */
async function lightboxSession(
  server: LightboxServer,
  plan: RisPlan,
  setup: RisSetup,
): Promise<{ throughput: Hl7Throughput[]; worklist: WorklistRun }> {
  const firstDate = dicomDate(new Date());
  const running = await server.start();
  try {
    const { runs, sent } = await throughputRuns(running.target, plan, server.tag, firstDate, setup);
    const missing = plan.worklistSteps - sent.length;
    if (missing > 0) {
      const more = risOrders({ tag: `${server.tag}t`, orders: missing, days: plan.worklistDays, firstDate });
      const topUp = await measureHl7Throughput(running.target, 'ORM^O01', [], encode(more), 4);
      setup.log(`  ${missing} more orders for the worklist: ${describe(topUp)}`);
      sent.push(...more);
    }
    const workload: WorklistWorkload = { orders: sent, firstDate, days: plan.worklistDays };
    const worklist = await worklistRun(server, running, workload, Math.max(0, missing), plan, setup);
    return { throughput: runs, worklist };
  } finally {
    await running.stop();
  }
}

/**
 * The RIS scenario (issue #6). Each Lightbox (SQLite, and PostgreSQL when given) is started afresh and
 * sent `plan.messages` ORM^O01 new orders over 1 and then over 4 kept-open MLLP connections, each
 * connection waiting for the ACK before its next message; the MLLP echo is the reference. The orders
 * those runs placed (topped up to `plan.worklistSteps`) are then the worklist that Modality Worklist
 * C-FIND is timed on, over one association.
 */
export async function runRisPhase(setup: RisSetup, plan: RisPlan): Promise<RisReport> {
  const lightboxes = [lightboxServer('Lightbox SQLite', 's', setup, false)];
  if (setup.postgresAdminUrl !== undefined)
    lightboxes.push(lightboxServer('Lightbox PostgreSQL', 'p', setup, true));
  const throughput: Hl7Throughput[] = [];
  const worklist: WorklistRun[] = [];
  for (const server of lightboxes) {
    const session = await lightboxSession(server, plan, setup);
    throughput.push(...session.throughput);
    worklist.push(session.worklist);
  }
  const echo = await startEcho();
  try {
    const { runs } = await throughputRuns(echo.target, plan, 'e', dicomDate(new Date()), setup);
    throughput.push(...runs);
  } finally {
    await echo.stop();
  }
  return { plan, throughput, worklist };
}
