import { rmSync } from 'node:fs';
import path from 'node:path';
import { writeCtSeriesFiles, type CtSeriesFiles } from './ct-series.js';
import { sendWithStorescu } from './dcmtk.js';
import {
  measureCMove,
  measureCStore,
  medianCStore,
  sampleCFind,
  type CFindResult,
  type CMoveResult,
  type CStoreResult,
  type FindPlan,
} from './dimse-scenario.js';
import type { DimseTarget, RunningDimseTarget } from './dimse-targets.js';
import { settle } from './ingest-phase.js';
import { syntheticCtPixels } from './synthetic-ct.js';

/** What the DIMSE scenario measures, and how often. */
export interface DimsePlan {
  /** Slices of the CT sent by C-STORE (512×512, 16 bits). */
  instances: number;
  /** Association counts to send it over, e.g. [1, 8]. */
  associations: number[];
  /** Rounds per target and association count, interleaved across targets; the median is reported. */
  rounds: number;
  find: FindPlan;
}

/** What the DIMSE scenario measured. */
export interface DimseReport {
  instances: number;
  /** Bytes of the CT's Part 10 files. */
  bytes: number;
  rounds: number;
  /** Slices stored (untimed) into every fresh target before the timed ingest. */
  warmupInstances: number;
  /** The median round per target and association count. */
  ingest: CStoreResult[];
  find: CFindResult[];
  /** C-MOVE of the CT's study to a storescp, once per archive (after its last ingest). */
  move: CMoveResult[];
}

const WARMUP_INSTANCES = 20;

interface DimseFiles {
  ct: CtSeriesFiles;
  warmup: CtSeriesFiles;
}

/** The study-level C-FIND keys that find the CT by its Patient ID. */
export function studyFindKeys(patientId: string): string[] {
  return ['QueryRetrieveLevel=STUDY', `PatientID=${patientId}`, 'StudyInstanceUID'];
}

/**
 * Stores the warm-up series (untimed), then the CT over `associations` associations (timed), and
 * counts what the target holds afterwards: anything missing is a failure.
 */
async function ingestOnce(
  target: DimseTarget,
  running: RunningDimseTarget,
  files: DimseFiles,
  associations: number,
): Promise<CStoreResult> {
  const warm = await sendWithStorescu(running.peer, [files.warmup.files]);
  if (warm.failures.length > 0) throw new Error(`${target.name}: warm-up failed: ${warm.failures[0]}`);
  await settle();
  const result = await measureCStore(target.name, running, files.ct.files, files.ct.bytes, associations);
  const expected = files.warmup.files.length + files.ct.files.length;
  const stored = await running.storedInstances();
  if (stored !== expected) {
    result.failures = Number.isFinite(stored) ? Math.max(0, expected - stored) : files.ct.files.length;
    result.firstFailure ??= `${target.name} holds ${stored} instances, ${expected} expected`;
  }
  return result;
}

function describeIngest(result: CStoreResult): string {
  const rss = result.resources !== undefined ? ` (${result.resources.peakRssMb.toFixed(0)} MiB)` : '';
  const missing = result.failures > 0 ? `, ${result.failures} missing: ${result.firstFailure}` : '';
  return `${result.server}, ${result.associations} association(s): ${result.instancesPerSecond.toFixed(1)} inst/s${rss}${missing}`;
}

/** Samples the study-level C-FIND of the CT on a target that holds it (after a sync). */
async function findTheCt(
  target: DimseTarget,
  running: RunningDimseTarget,
  ct: CtSeriesFiles,
  plan: FindPlan,
  log: (line: string) => void,
): Promise<CFindResult> {
  await settle();
  const keys = studyFindKeys(ct.patientId);
  const measured = await sampleCFind(target.name, running.peer, keys, ct.plan.studyUid, plan);
  const { p50, p95, n } = measured.latency;
  log(
    `${target.name}: C-FIND p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (n=${n}${measured.error !== undefined ? `, ${measured.error}` : ''})`,
  );
  return measured;
}

/** C-MOVE of the CT's study from a target that holds it to a fresh storescp (after a sync). */
async function moveTheCt(
  target: DimseTarget,
  running: RunningDimseTarget,
  ct: CtSeriesFiles,
  workDir: string,
  log: (line: string) => void,
): Promise<CMoveResult> {
  await settle();
  const moved = await measureCMove(
    target.name,
    running.peer,
    (destination) => running.addMoveDestination!(destination),
    { uid: ct.plan.studyUid, instances: ct.files.length, bytes: ct.bytes },
    path.join(workDir, 'dimse-move'),
  );
  log(
    `${target.name}: C-MOVE of the CT to storescp ${moved.instancesPerSecond.toFixed(1)} inst/s${moved.error !== undefined ? ` (${moved.error})` : ''}`,
  );
  return moved;
}

/**
 * C-STORE ingest, C-FIND latency and C-MOVE throughput (issue #3). The CT is written once as files; for every round, each
 * target in turn (the order rotating) and each association count, the target is started afresh, warmed
 * up, and sent the CT by `storescu` processes (one per association); the median round is reported with
 * the highest RSS of any round. In the last round, after the last ingest, targets that answer C-FIND
 * are queried for the CT's study by Patient ID, one `findscu` process per query, and then asked to move
 * it (C-MOVE) to a fresh DCMTK storescp.
 */
export async function runDimsePhase(
  targets: readonly DimseTarget[],
  plan: DimsePlan,
  workDir: string,
  log: (line: string) => void,
): Promise<DimseReport> {
  const pixels = syntheticCtPixels(512, 512);
  const dirs = [path.join(workDir, 'dimse-ct'), path.join(workDir, 'dimse-warmup')] as const;
  try {
    log(`writing the ${plan.instances}-slice CT and a ${WARMUP_INSTANCES}-slice warm-up series as files`);
    const files: DimseFiles = {
      ct: writeCtSeriesFiles(dirs[0], plan.instances, pixels, 'DIMSE'),
      warmup: writeCtSeriesFiles(dirs[1], WARMUP_INSTANCES, pixels, 'DIMSE-WARMUP'),
    };
    const runs = new Map<string, CStoreResult[]>();
    const find: CFindResult[] = [];
    const move: CMoveResult[] = [];
    for (let round = 0; round < plan.rounds; round++) {
      for (let i = 0; i < targets.length; i++) {
        const target = targets[(i + round) % targets.length]!;
        for (const associations of plan.associations) {
          const running = await target.start();
          try {
            const result = await ingestOnce(target, running, files, associations);
            const key = `${target.name}\u0000${associations}`;
            runs.set(key, [...(runs.get(key) ?? []), result]);
            log(`round ${round + 1}/${plan.rounds} ${describeIngest(result)}`);
            const lastIngest =
              round === plan.rounds - 1 && associations === plan.associations[plan.associations.length - 1];
            if (lastIngest && target.kind !== 'storescp') {
              find.push(await findTheCt(target, running, files.ct, plan.find, log));
              if (running.addMoveDestination !== undefined) {
                move.push(await moveTheCt(target, running, files.ct, workDir, log));
              }
            }
          } finally {
            await running.stop();
          }
        }
      }
    }
    return {
      instances: plan.instances,
      bytes: files.ct.bytes,
      rounds: plan.rounds,
      warmupInstances: WARMUP_INSTANCES,
      ingest: targets.flatMap((target) =>
        plan.associations.map((n) => medianCStore(runs.get(`${target.name}\u0000${n}`)!)),
      ),
      find: targets.flatMap((target) => find.filter((f) => f.server === target.name)),
      move: targets.flatMap((target) => move.filter((m) => m.server === target.name)),
    };
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}
