import { readdirSync, rmSync } from 'node:fs';
import {
  runFindscu,
  runMovescu,
  sendWithStorescu,
  splitIntoGroups,
  startStorescp,
  type DimsePeer,
} from './dcmtk.js';
import { ResourceSampler } from './processes.js';
import type { ServerResources } from './scenarios.js';
import { mbPerSecond, summarize, type LatencySummary } from './stats.js';

/** A C-STORE SCP while it runs: where to send, and its process (sampled for memory and CPU). */
export interface StoreTarget {
  peer: DimsePeer;
  pid?: number;
}

/** The outcome of one C-STORE ingest (or the median of several rounds). */
export interface CStoreResult {
  server: string;
  associations: number;
  instances: number;
  /** Bytes of the Part 10 files sent. */
  bytes: number;
  seconds: number;
  instancesPerSecond: number;
  mbPerSecond: number;
  /** Instances missing from the archive afterwards (0 when every C-STORE succeeded). */
  failures: number;
  firstFailure?: string;
  /** Memory and CPU of the storing process during the ingest (absent for storescp, which forks). */
  resources?: ServerResources;
  /** Instances per second of every round, when the figure is the median of several rounds. */
  rounds?: number[];
}

/**
 * Sends `files` to `target` over `associations` associations at once (the files split into contiguous
 * groups, one `storescu` process each), sampling the storing process's memory and CPU meanwhile.
 * `failures` is left at 0: the caller counts what arrived.
 */
export async function measureCStore(
  server: string,
  target: StoreTarget,
  files: readonly string[],
  bytes: number,
  associations: number,
): Promise<CStoreResult> {
  const groups = splitIntoGroups(files, associations);
  const sampler = target.pid !== undefined ? new ResourceSampler(target.pid) : undefined;
  const sent = await sendWithStorescu(target.peer, groups);
  const resources = sampler?.stop();
  return {
    server,
    associations: groups.length,
    instances: files.length,
    bytes,
    seconds: sent.seconds,
    instancesPerSecond: files.length / sent.seconds,
    mbPerSecond: mbPerSecond(bytes, sent.seconds),
    failures: 0,
    ...(sent.failures.length > 0 ? { firstFailure: sent.failures[0] } : {}),
    ...(resources !== undefined
      ? {
          resources: {
            peakRssMb: resources.peakRssMb,
            hwmMb: resources.hwmMb,
            cpuPercent: resources.cpuPercent,
          },
        }
      : {}),
  };
}

/** The median round of several C-STORE runs of one server and association count, with the highest RSS. */
export function medianCStore(runs: readonly CStoreResult[]): CStoreResult {
  const sorted = [...runs].sort((a, b) => a.instancesPerSecond - b.instancesPerSecond);
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const peak = Math.max(...runs.map((r) => r.resources?.peakRssMb ?? 0));
  const failed = runs.find((r) => r.failures > 0);
  return {
    ...chosen,
    failures: runs.reduce((n, r) => n + r.failures, 0),
    ...(failed?.firstFailure !== undefined ? { firstFailure: failed.firstFailure } : {}),
    ...(chosen.resources !== undefined ? { resources: { ...chosen.resources, peakRssMb: peak } } : {}),
    rounds: runs.map((r) => r.instancesPerSecond),
  };
}

/** C-FIND latency of one server: wall time of whole `findscu` runs (process start and association included). */
export interface CFindResult {
  server: string;
  /** The `-k` keys of the query. */
  keys: string[];
  latency: LatencySummary;
  /** Matches of the last run. */
  matches: number;
  /** Set when a run failed or did not find exactly the expected study. */
  error?: string;
}

/** How a C-FIND latency is sampled. */
export interface FindPlan {
  warmup: number;
  samples: number;
}

/**
 * Runs the same study-level C-FIND `plan.samples` times after `plan.warmup` runs, one `findscu` process
 * after the other, and checks that each run answers exactly `studyUid`.
 */
export async function sampleCFind(
  server: string,
  peer: DimsePeer,
  keys: string[],
  studyUid: string,
  plan: FindPlan,
): Promise<CFindResult> {
  const latencies: number[] = [];
  let matches = 0;
  for (let n = 0; n < plan.warmup + plan.samples; n++) {
    const run = await runFindscu(peer, keys);
    matches = run.matches.length;
    const found = run.matches.map((m) => m['0020,000D'] ?? '(no StudyInstanceUID)');
    const error =
      run.error ??
      (found.length !== 1 || found[0] !== studyUid
        ? `expected the one study ${studyUid}, got ${found.length} match(es): ${found.join(', ')}`
        : undefined);
    if (error !== undefined) return { server, keys, latency: summarize(latencies), matches, error };
    if (n >= plan.warmup) latencies.push(run.ms);
  }
  return { server, keys, latency: summarize(latencies), matches };
}

/** The instances a C-FIND SCP holds: the sum of NumberOfStudyRelatedInstances over all its studies. */
export async function instancesByCFind(peer: DimsePeer): Promise<number> {
  const run = await runFindscu(peer, [
    'QueryRetrieveLevel=STUDY',
    'StudyInstanceUID',
    'NumberOfStudyRelatedInstances',
  ]);
  if (run.error !== undefined) throw new Error(`C-FIND of the stored instances failed: ${run.error}`);
  return run.matches.reduce((n, match) => n + Number(match['0020,1208'] ?? NaN), 0);
}

/** One C-MOVE of a study to a DCMTK storescp: how fast the archive sent it. */
export interface CMoveResult {
  server: string;
  /** Instances that arrived at the destination. */
  instances: number;
  /** Instances the study holds. */
  expected: number;
  bytes: number;
  seconds: number;
  instancesPerSecond: number;
  mbPerSecond: number;
  error?: string;
}

/**
 * Asks `peer` (study root C-MOVE, one `movescu` process) to send the study `studyUid` to a fresh DCMTK
 * `storescp` writing to `dir`, registered first through `addDestination`; the time runs from starting
 * movescu until its final response. Whatever did not arrive is an error.
 */
export async function measureCMove(
  server: string,
  peer: DimsePeer,
  addDestination: (destination: DimsePeer) => Promise<void>,
  study: { uid: string; instances: number; bytes: number },
  dir: string,
): Promise<CMoveResult> {
  const scp = await startStorescp(dir);
  try {
    await addDestination(scp.peer);
    const run = await runMovescu(peer, scp.peer.aeTitle, [
      'QueryRetrieveLevel=STUDY',
      `StudyInstanceUID=${study.uid}`,
    ]);
    const instances = readdirSync(dir).length;
    const error =
      run.error ??
      (instances !== study.instances ? `${instances} of ${study.instances} instances arrived` : undefined);
    return {
      server,
      instances,
      expected: study.instances,
      bytes: study.bytes,
      seconds: run.seconds,
      instancesPerSecond: instances / run.seconds,
      mbPerSecond: mbPerSecond((study.bytes * instances) / study.instances, run.seconds),
      ...(error !== undefined ? { error } : {}),
    };
  } finally {
    await scp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
