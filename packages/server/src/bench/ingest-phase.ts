import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TransferSyntaxUid } from '@lightbox/dicom';
import type { BenchOptions } from './bench-options.js';
import { stowBody } from './http-client.js';
import type { ServerSession } from './report.js';
import {
  runRetrieve,
  runStow,
  sampleGets,
  stowWorkload,
  type SamplingPlan,
  type StowResult,
  type StowWorkload,
  type Target,
} from './scenarios.js';
import { ctAttributes, seriesPlan, type SeriesPlan } from './ct-series.js';
import { syntheticPart10 } from './synthetic-ct.js';

const ACCEPT_RAW_FRAME = 'multipart/related; type="application/octet-stream"';
const ACCEPT_AS_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const ACCEPT_IMPLICIT = `multipart/related; type="application/dicom"; transfer-syntax=${TransferSyntaxUid.ImplicitVRLittleEndian}`;

/** A server taking part in the ingest phase. */
export interface IngestServer {
  name: string;
  target: Target;
}

/** How the read-back requests sample. */
export interface ReadBackPlans {
  metadata: SamplingPlan;
  frame: SamplingPlan;
  j2k: SamplingPlan;
}

/** The STOW bodies of one round: a series for one client and four series for four clients (new UIDs). */
interface RoundWorkloads {
  single: StowWorkload;
  singlePlan: SeriesPlan;
  four: StowWorkload;
  /** Where the objects were also written as files (round 0 only, for the DCMTK reference). */
  fileDirs?: { single: string; four: string[] };
}

function roundWorkloads(
  options: BenchOptions,
  pixels: Uint8Array,
  round: number,
  fileDir: string | undefined,
): RoundWorkloads {
  const n = options.seriesInstances;
  const perClient = Math.ceil(n / 4);
  const singlePlan = seriesPlan(n);
  const fourPlans = [0, 1, 2, 3].map(() => seriesPlan(perClient));
  let fileDirs: RoundWorkloads['fileDirs'];
  if (fileDir !== undefined) {
    fileDirs = {
      single: path.join(fileDir, 'files-single'),
      four: fourPlans.map((_, c) => path.join(fileDir, `files-four-${c}`)),
    };
    for (const d of [fileDirs.single, ...fileDirs.four]) mkdirSync(d, { recursive: true });
  }
  const keep = (dir: string | undefined, k: number, bytes: Uint8Array) => {
    if (dir !== undefined) writeFileSync(path.join(dir, `${String(k).padStart(5, '0')}.dcm`), bytes);
    return bytes;
  };
  const single = stowWorkload(
    1,
    n,
    options.stowBatch,
    (_c, k) => keep(fileDirs?.single, k, syntheticPart10(ctAttributes(singlePlan, k, `ONE${round}`), pixels)),
    stowBody,
  );
  const four = stowWorkload(
    4,
    perClient,
    options.stowBatch,
    (c, k) =>
      keep(
        fileDirs?.four[c],
        k,
        syntheticPart10(ctAttributes(fourPlans[c]!, k, `FOUR${round}-${c}`), pixels),
      ),
    stowBody,
  );
  return { single, singlePlan, four, ...(fileDirs !== undefined ? { fileDirs } : {}) };
}

/** Flushes dirty pages to disk and lets the machine settle, so that reads are not measured against writeback. */
export async function settle(): Promise<void> {
  spawnSync('sync');
  await new Promise((resolve) => setTimeout(resolve, 1500));
}

function median(results: StowResult[]): StowResult {
  const sorted = [...results].sort((a, b) => a.instancesPerSecond - b.instancesPerSecond);
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const peak = Math.max(...results.map((r) => r.server?.peakRssMb ?? 0));
  return {
    ...chosen,
    ...(chosen.server !== undefined ? { server: { ...chosen.server, peakRssMb: peak } } : {}),
    rounds: results.map((r) => r.instancesPerSecond),
  };
}

/** What the ingest phase produced: a session per server and the files of round 0 (DCMTK reference). */
export interface IngestPhase {
  sessions: ServerSession[];
  fileDirs: { single: string; four: string[] };
  bytes: { single: number; four: number };
}

/**
 * STOW-RS on every server, interleaved: all servers run at once, and each of `rounds` rounds sends a new
 * 1-client series and new 4-client series to each server in turn (the order rotating), so that the
 * machine's state (page cache, writeback, other load) is shared fairly; the median round is reported,
 * and the highest RSS of any round. Then the first round's 1-client series is read back on each server
 * after the disks are synced: metadata, single frames (uncompressed and J2K), the whole series as
 * stored and converted.
 */
export async function runIngestPhase(
  servers: IngestServer[],
  options: BenchOptions,
  pixels: Uint8Array,
  j2k: Uint8Array | undefined,
  workDir: string,
  plans: ReadBackPlans,
  log: (line: string) => void,
): Promise<IngestPhase> {
  const warmPlan = seriesPlan(20);
  const warmup = stowWorkload(
    1,
    20,
    options.stowBatch,
    (_c, k) => syntheticPart10(ctAttributes(warmPlan, k, 'WARM'), pixels),
    stowBody,
  );
  for (const server of servers) {
    log(`${server.name}: STOW warm-up`);
    const result = await runStow(server.target, warmup);
    if (result.failures > 0) throw new Error(`${server.name}: warm-up failed: ${result.firstFailure}`);
  }
  const results = new Map<string, { one: StowResult[]; four: StowResult[] }>(
    servers.map((s) => [s.name, { one: [], four: [] }]),
  );
  let first: RoundWorkloads | undefined;
  for (let round = 0; round < options.rounds; round++) {
    const workloads = roundWorkloads(options, pixels, round, round === 0 ? workDir : undefined);
    first ??= workloads;
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(i + round) % servers.length]!;
      const mine = results.get(server.name)!;
      const one = await runStow(server.target, workloads.single);
      const four = await runStow(server.target, workloads.four);
      mine.one.push(one);
      mine.four.push(four);
      log(
        `round ${round + 1}/${options.rounds} ${server.name}: 1 client ${one.instancesPerSecond.toFixed(1)} inst/s, 4 clients ${four.instancesPerSecond.toFixed(1)} inst/s (${four.server?.peakRssMb.toFixed(0)} MiB), ${one.failures + four.failures} failed`,
      );
    }
  }
  const sessions: ServerSession[] = [];
  const { studyUid, seriesUid, sopUids } = first!.singlePlan;
  const series = `/studies/${studyUid}/series/${seriesUid}`;
  const j2kPlan = seriesPlan(1);
  const j2kBody =
    j2k === undefined
      ? undefined
      : stowWorkload(
          1,
          1,
          1,
          () =>
            syntheticPart10(ctAttributes(j2kPlan, 0, 'J2K'), j2k, TransferSyntaxUid.JPEG2000Lossless, true),
          stowBody,
        );
  for (const server of servers) {
    const mine = results.get(server.name)!;
    const session: ServerSession = {
      server: server.name,
      stow: [median(mine.one), median(mine.four)],
    };
    const target = server.target;
    if (j2kBody !== undefined) await runStow(target, j2kBody);
    await settle();
    log(`${server.name}: read-back of the ${sopUids.length}-instance series`);
    session.metadata = await sampleGets(target, () => `${series}/metadata`, plans.metadata);
    session.frameUncompressed = await sampleGets(
      target,
      (n) => `${series}/instances/${sopUids[n % sopUids.length]}/frames/1`,
      plans.frame,
      { headers: { accept: ACCEPT_RAW_FRAME } },
    );
    if (j2kBody !== undefined) {
      const frame = `/studies/${j2kPlan.studyUid}/series/${j2kPlan.seriesUid}/instances/${j2kPlan.sopUids[0]}/frames/1`;
      session.frameJ2kDecoded = await sampleGets(target, () => frame, plans.j2k, {
        headers: { accept: ACCEPT_RAW_FRAME },
      });
      session.frameJ2kAsStored = await sampleGets(target, () => frame, plans.frame, {
        headers: { accept: 'multipart/related; type="image/jp2"' },
      });
    }
    session.seriesAsStored = await runRetrieve(target, series, ACCEPT_AS_STORED, 3);
    session.seriesConverted = await runRetrieve(target, series, ACCEPT_IMPLICIT, 3);
    sessions.push(session);
  }
  return {
    sessions,
    fileDirs: first!.fileDirs!,
    bytes: { single: first!.single.objectBytes, four: first!.four.objectBytes },
  };
}
