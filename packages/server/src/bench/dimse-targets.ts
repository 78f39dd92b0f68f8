import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { accepts, MOVESCU_AE_TITLE, startStorescp, type DimsePeer } from './dcmtk.js';
import { instancesByCFind } from './dimse-scenario.js';
import { HttpClient } from './http-client.js';
import { startOrthanc } from './peers.js';
import { scratchPostgres } from './postgres.js';
import type { ServerProcess } from './processes.js';

/** The calling AE title of DCMTK's findscu, registered as a node where C-FIND needs one. */
export const FINDSCU_AE_TITLE = 'FINDSCU';

/** A started C-STORE SCP: where to send, its process, what it holds, and how to end it. */
export interface RunningDimseTarget {
  peer: DimsePeer;
  /** The process that stores (sampled for memory and CPU); absent for storescp, which forks per association. */
  pid?: number;
  /** Instances it holds now. */
  storedInstances(): Promise<number>;
  /** Makes `destination` a C-MOVE destination it knows (archives only). */
  addMoveDestination?(destination: DimsePeer): Promise<void>;
  /** Stops it and deletes what it stored. */
  stop(): Promise<void>;
}

/** A C-STORE SCP under test, started afresh (an empty archive) for every measured run. */
export interface DimseTarget {
  /** As shown in the report: "Lightbox SQLite", "Orthanc", "DCMTK storescp". */
  name: string;
  kind: 'lightbox' | 'orthanc' | 'storescp';
  start(): Promise<RunningDimseTarget>;
}

/** What the bench provides to start the targets. */
export interface DimseTargetSetup {
  /** Where the targets keep their data (a fresh directory per start). */
  workDir: string;
  /** Starts a Lightbox process with the bench's environment plus `env`. */
  startLightbox(env: Record<string, string>): Promise<ServerProcess>;
  /** Authorization header value of the bench's administrator. */
  authorization: string;
  /** PostgreSQL server for a Lightbox on PostgreSQL (a scratch database per start), if any. */
  postgresAdminUrl?: string;
  /** Orthanc is installed; its DICOMweb plugin is loaded when given (not needed for DIMSE). */
  orthanc?: { plugin?: string };
}

let starts = 0;
function freshDir(setup: DimseTargetSetup, name: string): string {
  return path.join(setup.workDir, `dimse-${name}-${++starts}`);
}

/** The DICOM port of a started Lightbox, from its banner ("  DICOM:      AE title X, port N"). */
export function lightboxDicomPeer(output: string): DimsePeer {
  const match = /DICOM:\s+AE title (\S+), port (\d+)/.exec(output);
  if (match === null) throw new Error(`no DICOM listener in the Lightbox banner:\n${output}`);
  return { aeTitle: match[1]!, host: '127.0.0.1', port: Number(match[2]) };
}

/** Registers a DICOM node with a Lightbox (`PUT /api/dicom-nodes/{name}`). */
async function registerNode(
  baseUrl: string,
  authorization: string,
  name: string,
  node: { aet: string; host: string; port: number },
): Promise<void> {
  const client = new HttpClient(`${baseUrl}/api`, { authorization });
  try {
    const answer = await client.request('PUT', `/dicom-nodes/${name}`, {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(node)),
      keepBody: true,
    });
    if (answer.status !== 200 && answer.status !== 201)
      throw new Error(`PUT /api/dicom-nodes/${name}: ${answer.status} ${answer.body?.toString('utf8')}`);
  } finally {
    client.close();
  }
}

/**
 * Registers findscu's and movescu's AE titles as DICOM nodes (Lightbox answers C-FIND and C-MOVE from
 * registered nodes only).
 */
async function registerQueryTools(baseUrl: string, authorization: string): Promise<void> {
  await registerNode(baseUrl, authorization, 'findscu', {
    aet: FINDSCU_AE_TITLE,
    host: '127.0.0.1',
    port: 104,
  });
  await registerNode(baseUrl, authorization, 'movescu', {
    aet: MOVESCU_AE_TITLE,
    host: '127.0.0.1',
    port: 104,
  });
}

function lightboxTarget(
  name: string,
  setup: DimseTargetSetup,
  database: (() => Promise<{ url: string; drop(): Promise<void> }>) | undefined,
): DimseTarget {
  return {
    name,
    kind: 'lightbox',
    async start() {
      const dir = freshDir(setup, 'lightbox');
      const db = database !== undefined ? await database() : undefined;
      const cleanup = async () => {
        await db?.drop();
        rmSync(dir, { recursive: true, force: true });
      };
      let server: ServerProcess;
      try {
        server = await setup.startLightbox({
          LIGHTBOX_DATA_DIR: dir,
          ...(db !== undefined ? { LIGHTBOX_DATABASE_URL: db.url } : {}),
        });
      } catch (error) {
        await cleanup();
        throw error;
      }
      const peer = lightboxDicomPeer(server.output());
      await registerQueryTools(server.url, setup.authorization);
      return {
        peer,
        pid: server.pid,
        storedInstances: () => instancesByCFind(peer),
        addMoveDestination: (destination) =>
          registerNode(server.url, setup.authorization, 'move-destination', {
            aet: destination.aeTitle,
            host: destination.host,
            port: destination.port,
          }),
        async stop() {
          await server.stop();
          await cleanup();
        },
      };
    },
  };
}

function orthancTarget(setup: DimseTargetSetup, plugin: string | undefined): DimseTarget {
  return {
    name: 'Orthanc',
    kind: 'orthanc',
    async start() {
      const dir = freshDir(setup, 'orthanc');
      const orthanc = await startOrthanc(dir, plugin);
      const stop = async () => {
        await orthanc.stop();
        rmSync(dir, { recursive: true, force: true });
      };
      if (!(await waitUntilAccepting(orthanc.dicom))) {
        await stop();
        throw new Error(`Orthanc's DICOM port ${orthanc.dicom.port} does not accept connections`);
      }
      return {
        peer: orthanc.dicom,
        pid: orthanc.pid,
        storedInstances: () => instancesByCFind(orthanc.dicom),
        async addMoveDestination(destination) {
          const client = new HttpClient(orthanc.url, {});
          try {
            const answer = await client.request('PUT', '/modalities/move-destination', {
              headers: { 'content-type': 'application/json' },
              body: Buffer.from(
                JSON.stringify({ AET: destination.aeTitle, Host: destination.host, Port: destination.port }),
              ),
              keepBody: true,
            });
            if (answer.status !== 200)
              throw new Error(`Orthanc PUT /modalities: ${answer.status} ${answer.body?.toString('utf8')}`);
          } finally {
            client.close();
          }
        },
        stop,
      };
    },
  };
}

async function waitUntilAccepting(peer: DimsePeer, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await accepts(peer.host, peer.port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function storescpTarget(setup: DimseTargetSetup): DimseTarget {
  return {
    name: 'DCMTK storescp',
    kind: 'storescp',
    async start() {
      const dir = freshDir(setup, 'storescp');
      const scp = await startStorescp(dir);
      return {
        peer: scp.peer,
        storedInstances: async () => readdirSync(dir).length,
        async stop() {
          await scp.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  };
}

/**
 * The targets of the DIMSE scenario: Lightbox on SQLite, on PostgreSQL (when a server is given),
 * Orthanc (when installed) and DCMTK's storescp, the reference that only writes files.
 */
export function dimseTargets(setup: DimseTargetSetup): DimseTarget[] {
  const targets = [lightboxTarget('Lightbox SQLite', setup, undefined)];
  const admin = setup.postgresAdminUrl;
  if (admin !== undefined) {
    targets.push(
      lightboxTarget('Lightbox PostgreSQL', setup, () =>
        scratchPostgres(admin, `lightbox_bench_scratch_${process.pid}_dimse`, { replace: true }),
      ),
    );
  }
  if (setup.orthanc !== undefined) targets.push(orthancTarget(setup, setup.orthanc.plugin));
  targets.push(storescpTarget(setup));
  return targets;
}
