import { loadMasterKey } from '../security/keys/master-key.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchOptions, runsScenario, USAGE, type BenchOptions } from './bench-options.js';
import {
  dropIndexCache,
  ensureIndex,
  measureCommitRate,
  schemaFingerprint,
  type CommitRate,
  type IndexBuild,
} from './build-index.js';
import { dcmtkInstalled } from './dcmtk.js';
import { runDimsePhase, type DimseReport } from './dimse-phase.js';
import { dimseChecks } from './dimse-report.js';
import { dimseTargets } from './dimse-targets.js';
import { runSecurityPhase, type SecurityReport } from './security-phase.js';
import { securityChecks } from './security-report.js';
import { runViewerPhase, type ViewerReport } from './viewer-phase.js';
import { viewerChecks } from './viewer-report.js';
import { runRisPhase, type RisReport } from './ris-phase.js';
import { risChecks, withRisSection } from './ris-report.js';
import { basicAuth, HttpClient, stowBody } from './http-client.js';
import { machineInfo } from './machine-info.js';
import {
  orthancDicomwebPlugin,
  orthancVersion,
  runStoreScp,
  startOrthanc,
  type StoreScpResult,
} from './peers.js';
import { runIngestPhase, settle, type IngestPhase, type IngestServer } from './ingest-phase.js';
import { postgresVersion, scratchPostgres, type ScratchDatabase } from './postgres.js';
import { REPO_ROOT, startLightboxProcess } from './processes.js';
import { typicalQueries } from './queries.js';
import {
  formatReport,
  type BenchReport,
  type QidoSession,
  type ServerSession,
  type TargetCheck,
} from './report.js';
import {
  runStow,
  sampleGets,
  stowWorkload,
  type SamplingPlan,
  type StowResult,
  type StowWorkload,
  type Target,
} from './scenarios.js';
import { syntheticInstance, type ArchiveScale } from './synthetic-archive.js';
import { jpeg2000Codestream, syntheticCtPixels, syntheticPart10 } from './synthetic-ct.js';

const PASSWORD = 'lightbox-bench';
const AUTH = { authorization: basicAuth('admin', PASSWORD) };

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

function samplingPlans(options: BenchOptions): Record<'qido' | 'metadata' | 'frame' | 'j2k', SamplingPlan> {
  const q = options.quick;
  return {
    qido: { warmup: 5, samples: options.samples, budgetMs: q ? 4000 : 20_000, minSamples: q ? 5 : 10 },
    metadata: { warmup: 3, samples: q ? 20 : 60, budgetMs: q ? 5000 : 20_000, minSamples: 5 },
    frame: { warmup: 10, samples: q ? 60 : 300, budgetMs: q ? 4000 : 15_000, minSamples: 20 },
    j2k: { warmup: 3, samples: q ? 15 : 60, budgetMs: q ? 4000 : 15_000, minSamples: 10 },
  };
}

let logCounter = 0;
let logDir = os.tmpdir();

/** The environment every Lightbox process of the bench starts with (ports chosen by the system). */
function lightboxEnv(): Record<string, string> {
  return {
    LIGHTBOX_HOST: '127.0.0.1',
    LIGHTBOX_HTTP_PORT: '0',
    LIGHTBOX_DICOM_PORT: '0',
    LIGHTBOX_HL7_PORT: '0',
    LIGHTBOX_ADMIN_PASSWORD: PASSWORD,
  };
}

/** A log file of its own for the next Lightbox process. */
function nextLogFile(): string {
  return path.join(logDir, `lightbox-${++logCounter}.log`);
}

async function withLightbox<T>(
  env: Record<string, string>,
  work: (target: Target) => Promise<T>,
  label: string,
): Promise<T> {
  const server = await startLightboxProcess({ ...lightboxEnv(), ...env }, nextLogFile());
  const client = new HttpClient(`${server.url}/dicomweb`, AUTH);
  try {
    return await work({ label, client, pid: server.pid });
  } finally {
    client.close();
    await server.stop();
  }
}

/** Starts a Lightbox process for the ingest phase; `stop` also runs `cleanup`. */
async function startLightboxServer(
  name: string,
  env: Record<string, string>,
): Promise<{ server: IngestServer; stop(): Promise<void> }> {
  const process_ = await startLightboxProcess({ ...lightboxEnv(), ...env }, nextLogFile());
  const client = new HttpClient(`${process_.url}/dicomweb`, AUTH);
  return {
    server: { name, target: { label: name, client, pid: process_.pid } },
    async stop() {
      client.close();
      await process_.stop();
    },
  };
}

/** Marks the start of a phase: its name and the load average then (other work on the machine skews figures). */
const phases: Array<{ phase: string; at: string; loadAverage: number }> = [];
function phase(name: string): void {
  phases.push({
    phase: name,
    at: new Date().toISOString(),
    loadAverage: Number(os.loadavg()[0]!.toFixed(2)),
  });
  log(`== ${name} (load average ${os.loadavg()[0]!.toFixed(2)})`);
}

async function qidoSession(
  server: string,
  target: Target,
  scale: ArchiveScale,
  plan: SamplingPlan,
): Promise<QidoSession> {
  const session: QidoSession = {
    server,
    studies: scale.studies,
    instances: scale.studies * scale.instancesPerStudy,
    queries: [],
  };
  for (const query of typicalQueries(scale)) {
    const measured = await sampleGets(target, query.path, plan, {
      headers: { accept: 'application/dicom+json' },
      countJson: true,
    });
    log(
      `  ${server} ${query.label}: p50 ${measured.latency.p50.toFixed(2)} ms, p95 ${measured.latency.p95.toFixed(2)} ms (n=${measured.latency.n}${measured.error ? `, ${measured.error}` : ''})`,
    );
    session.queries.push({ id: query.id, label: query.label, ...measured });
  }
  return session;
}

/** Small objects (16×16 pixels) of the comparison archive: identical bytes for Lightbox and Orthanc. */
function comparisonWorkload(scale: ArchiveScale): StowWorkload {
  const pixels = new Uint8Array(16 * 16 * 2);
  const total = scale.studies * scale.instancesPerStudy;
  const clients = 4;
  const perClient = Math.ceil(total / clients);
  return stowWorkload(
    clients,
    perClient,
    20,
    (c, j) => {
      const ordinal = c * perClient + j;
      const i = Math.floor(Math.min(ordinal, total - 1) / scale.instancesPerStudy);
      const k = Math.min(ordinal, total - 1) % scale.instancesPerStudy;
      return syntheticPart10({ ...syntheticInstance(scale, i, k), rows: 16, columns: 16 }, pixels);
    },
    stowBody,
  );
}

interface ComparisonStores {
  lightboxDir: string;
  orthancDir: string;
  loaded: Record<string, StowResult>;
}

/** Loads (once, cached) the comparison archive into a Lightbox data dir and an Orthanc dir, over STOW. */
async function ensureComparisonStores(
  scale: ArchiveScale,
  cacheRoot: string,
  plugin: string,
): Promise<ComparisonStores> {
  const schema = await schemaFingerprint(cacheRoot);
  const dir = path.join(cacheRoot, `compare-${scale.studies}x${scale.instancesPerStudy}-g1-${schema}`);
  const stores: ComparisonStores = {
    lightboxDir: path.join(dir, 'lightbox'),
    orthancDir: path.join(dir, 'orthanc'),
    loaded: {},
  };
  const stampOf = (name: string) => path.join(dir, `${name}.json`);
  let workload: StowWorkload | undefined;
  const load = async (name: string, target: Target) => {
    workload ??= comparisonWorkload(scale);
    log(`loading the comparison archive (${workload.instances} small objects) into ${name} over STOW …`);
    const result = await runStow(target, workload);
    if (result.failures > 0)
      throw new Error(`${name}: ${result.failures} objects failed: ${result.firstFailure}`);
    stores.loaded[name] = result;
    writeFileSync(stampOf(name), JSON.stringify({ ...result, loadedAt: new Date().toISOString() }, null, 2));
    log(`  ${result.instancesPerSecond.toFixed(0)} instances/s`);
  };
  if (!existsSync(stampOf('lightbox'))) {
    rmSync(stores.lightboxDir, { recursive: true, force: true });
    await withLightbox({ LIGHTBOX_DATA_DIR: stores.lightboxDir }, (t) => load('lightbox', t), 'Lightbox');
  }
  if (!existsSync(stampOf('orthanc'))) {
    rmSync(stores.orthancDir, { recursive: true, force: true });
    const orthanc = await startOrthanc(stores.orthancDir, plugin);
    const client = new HttpClient(orthanc.dicomweb);
    try {
      await load('orthanc', { label: 'Orthanc', client, pid: orthanc.pid });
    } finally {
      client.close();
      await orthanc.stop();
    }
  }
  for (const name of ['lightbox', 'orthanc']) {
    if (stores.loaded[name] === undefined && existsSync(stampOf(name)))
      stores.loaded[name] = JSON.parse(readFileSync(stampOf(name), 'utf8')) as StowResult;
  }
  return stores;
}

function checkTargets(report: Omit<BenchReport, 'targets' | 'ratios' | 'durationSeconds'>): {
  targets: TargetCheck[];
  ratios: BenchReport['ratios'];
} {
  const targets: TargetCheck[] = [];
  const ratios: BenchReport['ratios'] = [];
  const orthanc = report.sessions.find((s) => s.server === 'Orthanc');
  for (const session of report.sessions.filter((s) => s.server.startsWith('Lightbox'))) {
    for (const stow of session.stow) {
      const theirs = orthanc?.stow.find((o) => o.clients === stow.clients);
      if (theirs !== undefined) {
        const ratio = stow.instancesPerSecond / theirs.instancesPerSecond;
        ratios.push({
          what: `STOW ${stow.clients} client(s), ${session.server}`,
          lightbox: `${stow.instancesPerSecond.toFixed(1)} vs ${theirs.instancesPerSecond.toFixed(1)} inst/s`,
          ratio,
        });
        targets.push({
          name: `STOW ${stow.clients} client(s) ${session.server}`,
          measured: `${ratio.toFixed(2)}× Orthanc`,
          target: '≥ 3× Orthanc',
          pass: ratio >= 3,
        });
      }
    }
    if (orthanc !== undefined) {
      const pairs: Array<[string, number | undefined, number | undefined]> = [
        ['series metadata p50', orthanc.metadata?.latency.p50, session.metadata?.latency.p50],
        [
          'uncompressed frame p50',
          orthanc.frameUncompressed?.latency.p50,
          session.frameUncompressed?.latency.p50,
        ],
        [
          'J2K frame as stored p50',
          orthanc.frameJ2kAsStored?.latency.p50,
          session.frameJ2kAsStored?.latency.p50,
        ],
      ];
      for (const [what, theirs, ours] of pairs) {
        if (theirs === undefined || ours === undefined || Number.isNaN(theirs) || Number.isNaN(ours))
          continue;
        ratios.push({
          what: `${what}, ${session.server}`,
          lightbox: `${ours.toFixed(2)} vs ${theirs.toFixed(2)} ms`,
          ratio: theirs / ours,
        });
      }
      for (const [what, ours, theirs] of [
        ['series retrieve as stored', session.seriesAsStored, orthanc.seriesAsStored],
        ['series retrieve converted', session.seriesConverted, orthanc.seriesConverted],
      ] as const) {
        if (
          ours?.error !== undefined ||
          theirs?.error !== undefined ||
          ours === undefined ||
          theirs === undefined
        )
          continue;
        ratios.push({
          what: `${what}, ${session.server}`,
          lightbox: `${ours.mbPerSecond.toFixed(0)} vs ${theirs.mbPerSecond.toFixed(0)} MB/s`,
          ratio: ours.mbPerSecond / theirs.mbPerSecond,
        });
      }
    }
    const four = session.stow.find((s) => s.clients === 4);
    if (four?.server !== undefined) {
      targets.push({
        name: `RSS ingesting, 4 clients, ${session.server}`,
        measured: `${four.server.peakRssMb.toFixed(0)} MiB`,
        target: '< 300 MiB',
        pass: four.server.peakRssMb < 300,
      });
    }
    if (session.metadata !== undefined && session.metadata.error === undefined) {
      targets.push({
        name: `series metadata (${report.options.seriesInstances} inst) p95, ${session.server}`,
        measured: `${session.metadata.latency.p95.toFixed(1)} ms`,
        target: '< 100 ms',
        pass: session.metadata.latency.p95 < 100,
      });
    }
    if (session.frameUncompressed !== undefined && session.frameUncompressed.error === undefined) {
      targets.push({
        name: `uncompressed frame p95, ${session.server}`,
        measured: `${session.frameUncompressed.latency.p95.toFixed(1)} ms`,
        target: '< 10 ms',
        pass: session.frameUncompressed.latency.p95 < 10,
      });
    }
  }
  const scaleInstances = report.options.studies * report.options.instancesPerStudy;
  for (const q of report.qido.filter(
    (s) => s.instances === scaleInstances && s.server.startsWith('Lightbox'),
  )) {
    for (const query of q.queries) {
      targets.push({
        name: `QIDO ${query.label}, ${q.server}`,
        measured: query.error !== undefined ? 'error' : `p95 ${query.latency.p95.toFixed(1)} ms`,
        target: `p95 < 20 ms at ${scaleInstances} inst`,
        pass: query.error === undefined && query.latency.p95 < 20,
      });
    }
  }
  const lightboxLoad = report.comparisonLoad?.lightbox;
  const orthancLoad = report.comparisonLoad?.orthanc;
  if (lightboxLoad !== undefined && orthancLoad !== undefined) {
    ratios.push({
      what: `STOW small objects (16×16), 4 clients × 20 per request`,
      lightbox: `${lightboxLoad.instancesPerSecond.toFixed(0)} vs ${orthancLoad.instancesPerSecond.toFixed(0)} inst/s`,
      ratio: lightboxLoad.instancesPerSecond / orthancLoad.instancesPerSecond,
    });
  }
  const compareLightbox = report.qido.find(
    (q) => q.server.startsWith('Lightbox') && q.server.includes('comparison'),
  );
  const compareOrthanc = report.qido.find((q) => q.server.startsWith('Orthanc'));
  if (compareLightbox !== undefined && compareOrthanc !== undefined) {
    for (const query of compareLightbox.queries) {
      const theirs = compareOrthanc.queries.find((x) => x.id === query.id);
      if (theirs === undefined || theirs.error !== undefined || query.error !== undefined) continue;
      if (theirs.medianResults !== query.medianResults) {
        report.notes.push(
          `QIDO "${query.label}": Orthanc answers ${theirs.medianResults} studies where Lightbox finds ${query.medianResults}, so it does not match the same way; no ratio`,
        );
        continue;
      }
      ratios.push({
        what: `QIDO ${query.label} (p50, ${compareLightbox.studies} studies)`,
        lightbox: `${query.latency.p50.toFixed(2)} vs ${theirs.latency.p50.toFixed(2)} ms`,
        ratio: theirs.latency.p50 / query.latency.p50,
      });
    }
  }
  if (report.dimse !== undefined) {
    const dimse = dimseChecks(report.dimse);
    targets.push(...dimse.targets);
    ratios.push(...dimse.ratios);
  }
  if (report.security !== undefined) targets.push(...securityChecks(report.security).targets);
  if (report.viewer !== undefined) targets.push(...viewerChecks(report.viewer).targets);
  return { targets, ratios };
}

/** What the phases of a run share. */
interface RunContext {
  options: BenchOptions;
  workDir: string;
  cacheRoot: string;
  /** The PostgreSQL server, when it answers and is wanted. */
  postgresAdmin: string | undefined;
  /** Orthanc's DICOMweb plugin, when installed. */
  plugin: string | undefined;
  /** Orthanc's version, when installed and wanted. */
  orthanc: string | undefined;
  scale: ArchiveScale;
  plans: ReturnType<typeof samplingPlans>;
  notes: string[];
}

/** 1. The synthetic index for QIDO at scale (cached), and what the honest one-by-one path costs. */
async function indexPhase(ctx: RunContext): Promise<NonNullable<BenchReport['index']>> {
  const { options, workDir, scale, postgresAdmin } = ctx;
  phase('synthetic index');
  const build = await ensureIndex({
    scale,
    cacheRoot: ctx.cacheRoot,
    postgresAdminUrl: postgresAdmin,
    rebuild: options.rebuildIndex,
    log,
  });
  const commitRate: Record<string, CommitRate> = {};
  const commitStudies = options.quick ? 30 : 100;
  phase('IndexStore.commitInstance one by one (the honest path)');
  commitRate.SQLite = await measureCommitRate(
    `sqlite:${path.join(workDir, 'commit-rate.db')}`,
    scale,
    commitStudies,
  );
  if (postgresAdmin !== undefined) {
    const db = await scratchPostgres(postgresAdmin, `lightbox_bench_scratch_${process.pid}_commit`, {
      replace: true,
    });
    try {
      commitRate.PostgreSQL = await measureCommitRate(db.url, scale, commitStudies);
    } finally {
      await db.drop();
    }
  }
  return { build, commitRate };
}

/** 2. STOW and read-back on each server (all running at once, rounds interleaved), the same objects for all. */
async function stowPhase(
  ctx: RunContext,
): Promise<{ sessions: ServerSession[]; storescp?: StoreScpResult[] }> {
  const { workDir, postgresAdmin, plugin, orthanc } = ctx;
  phase('STOW and read-back');
  const pixels = syntheticCtPixels(512, 512);
  const j2k = jpeg2000Codestream(pixels, 512, 512);
  if (j2k === undefined) ctx.notes.push('opj_compress (libopenjp2-tools) is missing: no J2K frame figures');
  const running: Array<{ server: IngestServer; stop(): Promise<void> }> = [];
  const scratch: ScratchDatabase[] = [];
  let ingest: IngestPhase;
  try {
    running.push(
      await startLightboxServer('Lightbox SQLite', {
        LIGHTBOX_DATA_DIR: path.join(workDir, 'lightbox-sqlite'),
      }),
    );
    if (postgresAdmin !== undefined) {
      const db = await scratchPostgres(postgresAdmin, `lightbox_bench_scratch_${process.pid}_stow`, {
        replace: true,
      });
      scratch.push(db);
      running.push(
        await startLightboxServer('Lightbox PostgreSQL', {
          LIGHTBOX_DATA_DIR: path.join(workDir, 'lightbox-postgres'),
          LIGHTBOX_DATABASE_URL: db.url,
        }),
      );
    }
    if (plugin !== undefined && orthanc !== undefined) {
      const server = await startOrthanc(path.join(workDir, 'orthanc'), plugin);
      const client = new HttpClient(server.dicomweb);
      running.push({
        server: { name: 'Orthanc', target: { label: 'Orthanc', client, pid: server.pid } },
        async stop() {
          client.close();
          await server.stop();
        },
      });
    }
    ingest = await runIngestPhase(
      running.map((r) => r.server),
      ctx.options,
      pixels,
      j2k,
      workDir,
      ctx.plans,
      log,
    );
  } finally {
    for (const r of running) await r.stop();
    for (const db of scratch) await db.drop();
  }
  for (const dir of ['lightbox-sqlite', 'lightbox-postgres', 'orthanc'])
    rmSync(path.join(workDir, dir), { recursive: true, force: true });
  if (plugin === undefined || orthanc === undefined) return { sessions: ingest.sessions };
  phase('DCMTK storescu → storescp reference');
  await settle();
  const one = await runStoreScp([ingest.fileDirs.single], path.join(workDir, 'scp-1'), ingest.bytes.single);
  const four = await runStoreScp(ingest.fileDirs.four, path.join(workDir, 'scp-4'), ingest.bytes.four);
  rmSync(path.join(workDir, 'scp-1'), { recursive: true, force: true });
  rmSync(path.join(workDir, 'scp-4'), { recursive: true, force: true });
  return {
    sessions: ingest.sessions,
    storescp: [one, four].filter((r): r is StoreScpResult => r !== undefined),
  };
}

/** 3. C-STORE ingest and C-FIND over DIMSE (issue #3): Lightbox, Orthanc and DCMTK's storescp. */
async function dimsePhase(ctx: RunContext): Promise<DimseReport | undefined> {
  if (!dcmtkInstalled()) {
    ctx.notes.push('DCMTK (storescu, storescp, findscu) is not installed: no DIMSE figures');
    return undefined;
  }
  phase('DIMSE C-STORE and C-FIND');
  await settle();
  const targets = dimseTargets({
    workDir: ctx.workDir,
    startLightbox: (env) => startLightboxProcess({ ...lightboxEnv(), ...env }, nextLogFile()),
    authorization: AUTH.authorization,
    ...(ctx.postgresAdmin !== undefined ? { postgresAdminUrl: ctx.postgresAdmin } : {}),
    ...(ctx.orthanc !== undefined ? { orthanc: { plugin: ctx.plugin } } : {}),
  });
  return runDimsePhase(
    targets,
    {
      instances: ctx.options.dimseInstances,
      associations: [1, 8],
      rounds: ctx.options.rounds,
      find: { warmup: 3, samples: ctx.options.findSamples },
    },
    ctx.workDir,
    log,
  );
}

/** 3b. What authentication, the audit trail and encryption at rest cost (issue #4). */
async function securityPhase(ctx: RunContext): Promise<SecurityReport> {
  phase('Security cost: STOW and WADO sealed at rest and in the clear, authentication, audit');
  await settle();
  return runSecurityPhase(
    (env) => startLightboxProcess({ ...lightboxEnv(), ...env }, nextLogFile()),
    AUTH.authorization,
    {
      instances: ctx.options.quick ? 100 : 300,
      rounds: Math.max(2, ctx.options.rounds),
      frame: ctx.plans.frame,
      workDir: ctx.workDir,
    },
  );
}

async function viewerPhase(ctx: RunContext): Promise<ViewerReport> {
  phase('Viewer: a CT opened in headless Chromium');
  await settle();
  return runViewerPhase(
    () =>
      startLightboxProcess(
        { ...lightboxEnv(), LIGHTBOX_DATA_DIR: path.join(ctx.workDir, 'viewer') },
        nextLogFile(),
      ),
    { username: 'admin', password: PASSWORD, authorization: AUTH.authorization },
    { slices: ctx.options.quick ? 100 : 300, runs: ctx.options.quick ? 1 : 3 },
  );
}

/** 3c. HL7 order throughput with ACKs and Modality Worklist C-FIND latency (issue #6). */
async function risPhase(ctx: RunContext): Promise<RisReport> {
  phase('RIS: HL7 ORM throughput and Modality Worklist C-FIND');
  await settle();
  return runRisPhase(
    {
      workDir: ctx.workDir,
      startLightbox: (env) => startLightboxProcess({ ...lightboxEnv(), ...env }, nextLogFile()),
      ...(ctx.postgresAdmin !== undefined ? { postgresAdminUrl: ctx.postgresAdmin } : {}),
      dcmtk: dcmtkInstalled(),
      log,
    },
    {
      messages: ctx.options.hl7Messages,
      connections: [1, 4],
      warmupPerConnection: 50,
      worklistSteps: ctx.options.worklistSteps,
      worklistDays: 10,
      worklistQueries: ctx.options.worklistQueries,
    },
  );
}

/** 4. QIDO at scale on the synthetic index. */
async function qidoAtScalePhase(ctx: RunContext, build: IndexBuild): Promise<QidoSession[]> {
  const { workDir, scale, plans } = ctx;
  const qido: QidoSession[] = [];
  phase(`QIDO on the synthetic index (${scale.studies} studies)`);
  // The cached index keeps the key ring and audit chain its first server sealed: every later run must
  // open it with the same master key, kept beside it in the cache.
  const masterKey = loadMasterKey(undefined, build.cacheDir).toString('base64');
  await settle();
  qido.push(
    await withLightbox(
      {
        LIGHTBOX_DATA_DIR: path.join(workDir, 'qido-sqlite'),
        LIGHTBOX_DATABASE_URL: build.sqliteUrl!,
        LIGHTBOX_MASTER_KEY: masterKey,
      },
      (t) => qidoSession('Lightbox SQLite', t, scale, plans.qido),
      'Lightbox SQLite',
    ),
  );
  if (build.postgresUrl !== undefined) {
    qido.push(
      await withLightbox(
        {
          LIGHTBOX_DATA_DIR: path.join(workDir, 'qido-postgres'),
          LIGHTBOX_DATABASE_URL: build.postgresUrl,
          LIGHTBOX_MASTER_KEY: masterKey,
        },
        (t) => qidoSession('Lightbox PostgreSQL', t, scale, plans.qido),
        'Lightbox PostgreSQL',
      ),
    );
  }
  return qido;
}

/** 5. QIDO against Orthanc: both loaded with the same objects over STOW (cached). */
async function comparisonPhase(
  ctx: RunContext,
  plugin: string,
): Promise<{ qido: QidoSession[]; comparisonLoad: Record<string, StowResult> }> {
  const compareScale: ArchiveScale = {
    studies: ctx.options.compareStudies,
    instancesPerStudy: ctx.options.instancesPerStudy,
  };
  phase('comparison archive');
  const stores = await ensureComparisonStores(compareScale, ctx.cacheRoot, plugin);
  phase(`QIDO comparison (${compareScale.studies} studies)`);
  await settle();
  const qido: QidoSession[] = [];
  qido.push(
    await withLightbox(
      { LIGHTBOX_DATA_DIR: stores.lightboxDir },
      (t) => qidoSession('Lightbox SQLite (comparison archive)', t, compareScale, ctx.plans.qido),
      'Lightbox',
    ),
  );
  const server = await startOrthanc(stores.orthancDir, plugin);
  const client = new HttpClient(server.dicomweb);
  try {
    qido.push(
      await qidoSession(
        'Orthanc (comparison archive)',
        { label: 'Orthanc', client, pid: server.pid },
        compareScale,
        ctx.plans.qido,
      ),
    );
  } finally {
    client.close();
    await server.stop();
  }
  return { qido, comparisonLoad: stores.loaded };
}

/** The file the results of a run are written to: scale (or quick), the scenarios if not all, the date. */
function resultFile(outDir: string, options: BenchOptions, date: string): string {
  const stamp = date.replace(/[:.]/g, '-').slice(0, 19);
  const scale = options.quick ? 'quick' : `${options.studies}x${options.instancesPerStudy}`;
  const only = options.only.length > 0 ? `-only-${options.only.join('+')}` : '';
  return path.join(outDir, `bench-${scale}${only}-${stamp}.json`);
}

async function main(): Promise<void> {
  const parsed = parseBenchOptions(process.argv.slice(2), process.env);
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const options = parsed;
  const started = performance.now();
  const outDir = path.resolve(REPO_ROOT, options.out);
  const cacheRoot = path.join(outDir, 'cache');
  mkdirSync(outDir, { recursive: true });

  const pgVersion = options.postgres ? await postgresVersion(options.postgresUrl) : undefined;
  if (options.dropCache) {
    await dropIndexCache(cacheRoot, pgVersion !== undefined ? options.postgresUrl : undefined);
    log(`dropped the cache under ${cacheRoot}`);
    return;
  }
  const notes: string[] = [];
  if (options.postgres && pgVersion === undefined) {
    notes.push(`PostgreSQL at ${options.postgresUrl} did not answer: PostgreSQL figures were skipped`);
  }
  const plugin = options.orthanc ? orthancDicomwebPlugin() : undefined;
  const orthanc = options.orthanc ? orthancVersion() : undefined;
  if (options.orthanc && orthanc === undefined) notes.push('Orthanc is not installed: no comparison');
  else if (options.orthanc && plugin === undefined)
    notes.push('orthanc-dicomweb is not installed: no DICOMweb comparison');
  const machine = machineInfo({ postgres: pgVersion, orthanc }, REPO_ROOT);
  log(
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, load ${machine.loadAverageAtStart}`,
  );
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'lightbox-bench-'));
  logDir = workDir;
  const ctx: RunContext = {
    options,
    workDir,
    cacheRoot,
    postgresAdmin: pgVersion !== undefined ? options.postgresUrl : undefined,
    plugin,
    orthanc,
    scale: { studies: options.studies, instancesPerStudy: options.instancesPerStudy },
    plans: samplingPlans(options),
    notes,
  };

  try {
    const index = runsScenario(options, 'qido') ? await indexPhase(ctx) : undefined;
    const stow = runsScenario(options, 'stow') ? await stowPhase(ctx) : { sessions: [] };
    const dimse = runsScenario(options, 'dimse') ? await dimsePhase(ctx) : undefined;
    const security = runsScenario(options, 'security') ? await securityPhase(ctx) : undefined;
    const viewer = runsScenario(options, 'viewer') ? await viewerPhase(ctx) : undefined;
    const ris = runsScenario(options, 'ris') ? await risPhase(ctx) : undefined;
    const qido = index !== undefined ? await qidoAtScalePhase(ctx, index.build) : [];
    const comparison =
      runsScenario(options, 'compare') && plugin !== undefined && orthanc !== undefined
        ? await comparisonPhase(ctx, plugin)
        : undefined;

    const partial = {
      machine,
      options,
      ...(index !== undefined ? { index } : {}),
      ...stow,
      ...(dimse !== undefined ? { dimse } : {}),
      ...(security !== undefined ? { security } : {}),
      ...(viewer !== undefined ? { viewer } : {}),
      ...(ris !== undefined ? { ris } : {}),
      qido: [...qido, ...(comparison?.qido ?? [])],
      ...(comparison !== undefined ? { comparisonLoad: comparison.comparisonLoad } : {}),
      phases,
      loadAverageAtEnd: Number(os.loadavg()[0]!.toFixed(2)),
      notes,
    };
    const { targets, ratios } = checkTargets(partial);
    if (ris !== undefined) targets.push(...risChecks(ris).targets);
    const report: BenchReport & { ris?: RisReport } = {
      ...partial,
      targets,
      ratios,
      durationSeconds: (performance.now() - started) / 1000,
    };
    const file = resultFile(outDir, options, machine.date);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(
      `${withRisSection(formatReport(report), ris)}\n\nresults: ${path.relative(process.cwd(), file)}\n`,
    );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
