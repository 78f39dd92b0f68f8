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
  medianThroughput,
  type Hl7Throughput,
  type MllpTarget,
  type OutgoingMessage,
} from './ris-hl7.js';
import { dicomDate, omiNewOrder, ormNewOrder, risOrders, type RisOrder } from './ris-messages.js';
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
  /** A throughput run stops sending after this long (a slow server gets fewer messages), seconds. */
  runBudgetSeconds: number;
  /** Kept-open connections to send them over, e.g. [1, 4]. */
  connections: number[];
  /** Rounds per server and connection count, interleaved across servers; the median is reported. */
  rounds: number;
  /** Untimed messages per connection before each timed run. */
  warmupPerConnection: number;
  /** Scheduled procedure steps seeded for the worklist queries (one order, one step each). */
  worklistSteps: number;
  /** Days the seeded steps spread over, from today. */
  worklistDays: number;
  /** Timed worklist queries (the kinds in turn). */
  worklistQueries: number;
  /** Connections the worklist is seeded over. */
  seedConnections: number;
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

/** The worklist scenario on one Lightbox: the seeding over HL7, then the query latencies. */
export interface WorklistRun extends WorklistLatency {
  server: string;
  steps: number;
  days: number;
  /** The seeding itself: OMI^O23 messages with the step's station (IPC-9), over kept-open connections. */
  seeding: Hl7Throughput;
  /** DCMTK `findscu -W` against the bench's SCU and the seed, one query of each kind (absent without DCMTK). */
  findscu?: FindscuCheck[];
}

/** What the RIS scenario measured (issue #6). */
export interface RisReport {
  plan: RisPlan;
  /** ORM^O01 throughput: the median round per server and connection count, the reference included. */
  throughput: Hl7Throughput[];
  worklist: WorklistRun[];
}

/** A Lightbox started for the RIS scenario: its MLLP port and DICOM peer. */
interface RunningRisServer {
  target: MllpTarget;
  dicom: DimsePeer;
  stop(): Promise<void>;
}

/** A server under test, started afresh (an empty database) for every run. */
interface RisServer {
  name: string;
  kind: 'lightbox' | 'reference';
  start(): Promise<RunningRisServer>;
}

let starts = 0;

/** The HL7 port of a started Lightbox, from its banner ("  HL7 v2:     MLLP port N"). */
function lightboxHl7Port(output: string): number {
  const match = /HL7 v2:\s+MLLP port (\d+)/.exec(output);
  if (match === null) throw new Error(`no HL7 listener in the Lightbox banner:\n${output}`);
  return Number(match[1]);
}

function lightboxServer(name: string, setup: RisSetup, postgres: boolean): RisServer {
  const admin = setup.postgresAdminUrl;
  return {
    name,
    kind: 'lightbox',
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
function echoServer(): RisServer {
  const script = fileURLToPath(new URL('./ris-echo-server.js', import.meta.url));
  return {
    name: MLLP_ECHO,
    kind: 'reference',
    async start() {
      const port = await freePort();
      const started = await startProgram(process.execPath, [script, String(port)], {
        ready: () => accepts('127.0.0.1', port),
        timeoutMs: 10_000,
      });
      return {
        target: { name: MLLP_ECHO, port, pid: started.pid },
        dicom: { aeTitle: '', host: '127.0.0.1', port: 0 },
        stop: started.stop,
      };
    },
  };
}

function encode(orders: readonly RisOrder[], build: (order: RisOrder) => string): OutgoingMessage[] {
  return orders.map((order) => ({ controlId: order.controlId, bytes: Buffer.from(build(order), 'latin1') }));
}

function describe(run: Hl7Throughput): string {
  const cpu = run.resources !== undefined ? `, server CPU ${run.resources.cpuPercent.toFixed(0)} %` : '';
  const failed = run.failures > 0 ? `, ${run.failures} failed: ${run.firstFailure}` : '';
  return `${run.server} ${run.messageType}, ${run.connections} connection(s): ${run.messagesPerSecond.toFixed(0)} msg/s, ACK p50 ${run.ackLatency.p50.toFixed(2)} ms, p95 ${run.ackLatency.p95.toFixed(2)} ms${cpu}${failed}`;
}

/** One ORM^O01 throughput run on a fresh server: warm-up, then the timed messages. */
async function throughputOnce(
  server: RisServer,
  plan: RisPlan,
  connections: number,
  tag: string,
): Promise<Hl7Throughput> {
  const firstDate = dicomDate(new Date());
  const warmup = encode(
    risOrders({ tag: `${tag}w`, orders: plan.warmupPerConnection * connections, days: 10, firstDate }),
    ormNewOrder,
  );
  const messages = encode(risOrders({ tag, orders: plan.messages, days: 10, firstDate }), ormNewOrder);
  const running = await server.start();
  try {
    await settle();
    return await measureHl7Throughput(
      running.target,
      'ORM^O01',
      warmup,
      messages,
      connections,
      plan.runBudgetSeconds * 1000,
    );
  } finally {
    await running.stop();
  }
}

/** A Lightbox seeded with the worklist's steps. */
interface SeededServer {
  server: RisServer;
  running: RunningRisServer;
  seeding: Hl7Throughput;
}

/** Starts a fresh Lightbox and seeds it with the worklist's steps over HL7 (OMI^O23 with IPC). */
async function seedWorklist(
  server: RisServer,
  workload: WorklistWorkload,
  plan: RisPlan,
  setup: RisSetup,
): Promise<SeededServer> {
  const running = await server.start();
  try {
    const seeding = await measureHl7Throughput(
      running.target,
      'OMI^O23',
      [],
      encode(workload.orders, omiNewOrder),
      plan.seedConnections,
    );
    setup.log(`  ${describe(seeding)}`);
    return { server, running, seeding };
  } catch (error) {
    await running.stop();
    throw error;
  }
}

/** Times the worklist queries on a seeded Lightbox, and cross-checks one query of each kind with findscu. */
async function queryWorklist(
  seeded: SeededServer,
  workload: WorklistWorkload,
  plan: RisPlan,
  setup: RisSetup,
): Promise<WorklistRun> {
  const { server, running, seeding } = seeded;
  await settle();
  const latency = await measureWorklist(running.dicom, workload, {
    warmup: 12,
    samples: plan.worklistQueries,
  });
  const kinds = latency.kinds
    .map((k) => `${k.kind} p95 ${k.latency.p95.toFixed(1)} ms (${k.medianMatches} matches)`)
    .join(', ');
  setup.log(
    `${server.name} worklist C-FIND: p50 ${latency.overall.p50.toFixed(1)} ms, p95 ${latency.overall.p95.toFixed(1)} ms, p99 ${latency.overall.p99.toFixed(1)} ms; ${kinds}${latency.failures > 0 ? `; ${latency.failures} failed: ${latency.firstFailure}` : ''}`,
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
      `  findscu -W cross-check: ${findscu.map((c) => `${c.kind} ${c.findscu}/${c.scu}/${c.expected}`).join(', ')} (findscu/SCU/seeded)`,
    );
  }
  return {
    server: server.name,
    steps: workload.orders.length,
    days: workload.days,
    seeding,
    ...latency,
    ...(findscu !== undefined ? { findscu } : {}),
  };
}

/**
 * The worklist part: a fresh Lightbox per engine, all seeded at once over HL7 (the seeding is not what is
 * measured here, and the engines wait on different things: fsync, round trips), then queried one after
 * the other.
 */
async function worklistPhase(
  lightboxes: readonly RisServer[],
  plan: RisPlan,
  setup: RisSetup,
): Promise<WorklistRun[]> {
  const firstDate = dicomDate(new Date());
  const orders = risOrders({ tag: 'mwl', orders: plan.worklistSteps, days: plan.worklistDays, firstDate });
  const workload: WorklistWorkload = { orders, firstDate, days: plan.worklistDays };
  setup.log(
    `seeding ${orders.length} scheduled steps (OMI^O23 with IPC) over HL7 into ${lightboxes.map((l) => l.name).join(' and ')} at once …`,
  );
  const seeded = await Promise.allSettled(lightboxes.map((l) => seedWorklist(l, workload, plan, setup)));
  try {
    const runs: WorklistRun[] = [];
    for (const result of seeded) {
      if (result.status === 'rejected') throw result.reason;
      runs.push(await queryWorklist(result.value, workload, plan, setup));
    }
    return runs;
  } finally {
    for (const result of seeded) if (result.status === 'fulfilled') await result.value.running.stop();
  }
}

/**
 * The RIS scenario (issue #6). HL7: for every round, each server in turn (the order rotating) and each
 * connection count, a fresh server is sent `plan.messages` ORM^O01 new orders over kept-open MLLP
 * connections, each connection waiting for the ACK before its next message; the MLLP echo is the
 * reference. Worklist: a fresh Lightbox per engine is seeded with `plan.worklistSteps` orders over HL7
 * (OMI^O23, each step assigned to a station), then Modality Worklist C-FIND is timed on one association.
 */
export async function runRisPhase(setup: RisSetup, plan: RisPlan): Promise<RisReport> {
  const lightboxes = [lightboxServer('Lightbox SQLite', setup, false)];
  if (setup.postgresAdminUrl !== undefined)
    lightboxes.push(lightboxServer('Lightbox PostgreSQL', setup, true));
  const servers = [...lightboxes, echoServer()];
  const runs = new Map<string, Hl7Throughput[]>();
  for (let round = 0; round < plan.rounds; round++) {
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(i + round) % servers.length]!;
      for (const connections of plan.connections) {
        const tag = `r${round}${server.kind === 'reference' ? 'e' : 'l'}${connections}`;
        const result = await throughputOnce(server, plan, connections, tag);
        const key = `${server.name}\u0000${connections}`;
        runs.set(key, [...(runs.get(key) ?? []), result]);
        setup.log(`round ${round + 1}/${plan.rounds} ${describe(result)}`);
      }
    }
  }
  const throughput = servers.flatMap((server) =>
    plan.connections.map((n) => medianThroughput(runs.get(`${server.name}\u0000${n}`)!)),
  );
  const worklist = await worklistPhase(lightboxes, plan, setup);
  return { plan, throughput, worklist };
}
