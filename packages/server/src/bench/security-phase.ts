import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { openDatabase } from '../db/open-database.js';
import { AuditEventId } from '../security/audit/audit-sink.js';
import { ApiTokenStore } from '../security/api-token-store.js';
import { AuditTrail } from '../security/audit/audit-trail.js';
import { PasswordAuthenticator } from '../security/password-authenticator.js';
import { UserStore } from '../security/user-store.js';
import { ctAttributes, seriesPlan } from './ct-series.js';
import { HttpClient, stowBody } from './http-client.js';
import type { ServerProcess } from './processes.js';
import {
  runRetrieve,
  runStow,
  sampleGets,
  stowWorkload,
  type SamplingPlan,
  type StowResult,
} from './scenarios.js';
import { median } from './stats.js';
import { syntheticCtPixels, syntheticPart10 } from './synthetic-ct.js';

/** One Lightbox configuration measured: objects sealed at rest or in the clear. */
export interface SecurityRun {
  encrypted: boolean;
  stow: StowResult;
  /** WADO-RS of the whole series as stored, MB/s. */
  retrieveMbPerSecond: number;
  /** `/frames/1` of the instances in turn, raw: p50 ms. */
  frameP50: number;
}

/** The cost of authentication, the audit trail and encryption at rest (issue #4's bench target). */
export interface SecurityReport {
  instances: number;
  runs: SecurityRun[];
  /** p50 ms of a public request (no authentication) and of the cheapest authenticated ones, on one server. */
  requests: { publicP50: number; basicP50: number; bearerP50: number };
  /** Audit events the trail writes per second (SQLite, in this process): its CPU cost per audited request. */
  auditEventsPerSecond: number;
  /** Authentication in this process, ms per request: a Basic password already verified (cached), an API token. */
  authentication: { basicMs: number; bearerMs: number };
}

const ACCEPT_AS_STORED = 'multipart/related; type="application/dicom"; transfer-syntax=*';
const ACCEPT_RAW_FRAME = 'multipart/related; type="application/octet-stream"';

/** How the phase starts a Lightbox process with extra environment. */
export type StartLightbox = (env: Record<string, string>) => Promise<ServerProcess>;

/** What authenticating one request costs in this process: a cached Basic password, and an API token. */
async function authenticationRate(workDir: string): Promise<SecurityReport['authentication']> {
  const dir = mkdtempSync(path.join(workDir, 'auth-'));
  const database = await openDatabase(`sqlite:${path.join(dir, 'auth.db')}`);
  try {
    const users = new UserStore(database.db, database.dialect);
    const quiet = { record: () => undefined }; // a verified, cached password records no event
    const passwords = new PasswordAuthenticator(users, quiet);
    await users.create('bench', 'bench-password-long', ['radiologist']);
    await passwords.check('bench', 'bench-password-long', 'dicomweb', '127.0.0.1'); // argon2 once
    const tokens = new ApiTokenStore(database.db);
    const user = (await users.findByUsername('bench'))!;
    const { token } = await tokens.issue(user.pk, 'bench', ['study:read'], Date.now() + 86_400_000);
    const time = async (n: number, work: () => Promise<unknown>) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) await work();
      return (performance.now() - started) / n;
    };
    return {
      basicMs: await time(20_000, () =>
        passwords.check('bench', 'bench-password-long', 'dicomweb', '127.0.0.1'),
      ),
      bearerMs: await time(5_000, async () => users.findByPk((await tokens.verify(token))!.userPk)),
    };
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function auditWriteRate(workDir: string): Promise<number> {
  const dir = mkdtempSync(path.join(workDir, 'audit-'));
  const database = await openDatabase(`sqlite:${path.join(dir, 'audit.db')}`);
  try {
    const trail = new AuditTrail(database, Buffer.alloc(32, 1), 'bench', pino({ level: 'silent' }));
    await trail.open();
    const events = 20_000;
    const started = performance.now();
    for (let i = 0; i < events; i++) {
      trail.record({
        event: AuditEventId.InstancesTransferred,
        action: 'C',
        outcome: 'success',
        actor: { username: 'bench', roles: ['radiologist'], protocol: 'dicomweb', address: '127.0.0.1' },
        patientIds: [`P${i % 500}`],
        studyUids: [`1.2.3.${i % 1000}`],
      });
      if (i % 200 === 199) await trail.flush();
    }
    await trail.close();
    return events / ((performance.now() - started) / 1000);
  } finally {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * STOW-RS and WADO-RS on Lightbox (SQLite) with objects sealed at rest and in the clear, in alternating
 * rounds on fresh servers, plus what authentication costs per request (a public request against Basic
 * and Bearer ones on the same server) and what an audit event costs to write. Authentication and the audit
 * trail cannot be turned off, so their share is measured apart and added to the encryption ratio.
 */
export async function runSecurityPhase(
  start: StartLightbox,
  authorization: string,
  options: { instances: number; rounds: number; frame: SamplingPlan; workDir: string },
): Promise<SecurityReport> {
  const pixels = syntheticCtPixels(512, 512);
  const runs = new Map<boolean, SecurityRun[]>([
    [true, []],
    [false, []],
  ]);
  let requests: SecurityReport['requests'] | undefined;
  for (let round = 0; round < options.rounds; round++) {
    for (const encrypted of round % 2 === 0 ? [true, false] : [false, true]) {
      const dir = mkdtempSync(path.join(options.workDir, `security-${encrypted ? 'sealed' : 'clear'}-`));
      const config = path.join(dir, 'lightbox.json');
      writeFileSync(config, JSON.stringify({ archive: { encryptAtRest: encrypted } }));
      const server = await start({ LIGHTBOX_DATA_DIR: path.join(dir, 'data'), LIGHTBOX_CONFIG: config });
      const client = new HttpClient(`${server.url}/dicomweb`, { authorization });
      try {
        const plan = seriesPlan(options.instances);
        const workload = stowWorkload(
          1,
          options.instances,
          1,
          (_c, k) => syntheticPart10(ctAttributes(plan, k, `SEC${round}`), pixels),
          stowBody,
        );
        const target = { label: encrypted ? 'sealed' : 'clear', client, pid: server.pid };
        const stow = await runStow(target, workload);
        const series = `/studies/${plan.studyUid}/series/${plan.seriesUid}`;
        const retrieve = await runRetrieve(target, series, ACCEPT_AS_STORED, 3);
        const frames = await sampleGets(
          target,
          (n) => `${series}/instances/${plan.sopUids[n % plan.sopUids.length]!}/frames/1`,
          options.frame,
          { headers: { accept: ACCEPT_RAW_FRAME } },
        );
        runs
          .get(encrypted)!
          .push({ encrypted, stow, retrieveMbPerSecond: retrieve.mbPerSecond, frameP50: frames.latency.p50 });
        if (requests === undefined && encrypted)
          requests = await authenticationCost(server.url, authorization, options.frame);
      } finally {
        client.close();
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const medianRun = (list: SecurityRun[]): SecurityRun => {
    const sorted = [...list].sort((a, b) => a.stow.instancesPerSecond - b.stow.instancesPerSecond);
    const middle = sorted[Math.floor(sorted.length / 2)]!;
    return {
      ...middle,
      retrieveMbPerSecond: median(list.map((r) => r.retrieveMbPerSecond)),
      frameP50: median(list.map((r) => r.frameP50)),
      stow: { ...middle.stow, rounds: list.map((r) => r.stow.instancesPerSecond) },
    };
  };
  return {
    instances: options.instances,
    runs: [medianRun(runs.get(true)!), medianRun(runs.get(false)!)],
    requests: requests!,
    auditEventsPerSecond: await auditWriteRate(options.workDir),
    authentication: await authenticationRate(options.workDir),
  };
}

/** p50 of GET /api/health (public) against GET /api/me with Basic and with a Bearer token. */
async function authenticationCost(
  baseUrl: string,
  authorization: string,
  plan: SamplingPlan,
): Promise<SecurityReport['requests']> {
  const api = new HttpClient(`${baseUrl}/api`, { authorization });
  try {
    const issued = await api.request('POST', '/me/tokens', {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify({ name: 'bench', expiresInDays: 1 })),
      keepBody: true,
    });
    const token = (JSON.parse(issued.body!.toString('utf8')) as { token: string }).token;
    const target = { label: 'api', client: api };
    const health = await sampleGets(target, () => '/health', plan);
    const basic = await sampleGets(target, () => '/me', plan);
    const bearer = await sampleGets(target, () => '/me', plan, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { publicP50: health.latency.p50, basicP50: basic.latency.p50, bearerP50: bearer.latency.p50 };
  } finally {
    api.close();
  }
}
