import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { readFileSync } from 'node:fs';
import type tls from 'node:tls';
import type { Config, TlsConfig } from './config/config.js';
import { startDicomListener, type DicomListener } from './dimse-scp/dicom-listener.js';
import { transferJobHandlers } from './dimse-scu/transfer-jobs.js';
import { buildHttpApp, httpSecurityOf } from './http/build-http-app.js';
import { parseSyslogUrl, SyslogForwarder } from './security/audit/syslog-forwarder.js';
import { JobRunner } from './jobs/job-runner.js';
import { ensureAdmin } from './security/ensure-admin.js';
import { createServices, type Services } from './services.js';
import type { MllpServer } from '@lightbox/hl7';
import { replayHl7Message } from './hl7-interface/replay-hl7-message.js';
import { Hl7Outbox } from './hl7-interface/hl7-outbox.js';
import { startHl7Listener } from './hl7-interface/hl7-listener.js';

/** Writes that stay pending this long on a shared database are treated as abandoned by a crashed node. */
const SHARED_RECOVERY_AGE_MS = 60 * 60 * 1000;
const RECOVERY_INTERVAL_MS = 10 * 60 * 1000;

/** The PEM files of LIGHTBOX_TLS_*, read once: the DICOM TLS listener and the SCU side share them. */
function readTlsMaterial(config: TlsConfig): { cert: Buffer; key: Buffer; ca?: Buffer } {
  return {
    cert: readFileSync(config.cert),
    key: readFileSync(config.key),
    ...(config.ca !== undefined ? { ca: readFileSync(config.ca) } : {}),
  };
}

/** A started Lightbox. */
export interface RunningLightbox {
  services: Services;
  http: FastifyInstance;
  /** The HTTP port actually bound (differs from the configuration when it asked for port 0). */
  httpPort: number;
  dicom: DicomListener;
  /** The DICOM TLS listener, when a certificate is configured. */
  dicomTls?: DicomListener;
  /** The HL7 v2 MLLP listener. */
  hl7: MllpServer;
  /** MLLP over TLS, when a certificate is configured. */
  hl7Tls?: MllpServer;
  /** Outbound HL7 order status messages. */
  hl7Outbox: Hl7Outbox;
  stop(): Promise<void>;
}

/**
 * Starts Lightbox: services, crash recovery, the first admin, and the listeners. With the embedded
 * SQLite database this process is the only writer, so every pending write found at start-up is a
 * leftover of a crash and is cleaned at once; on a shared PostgreSQL only old ones are.
 */
export async function startLightbox(config: Config, logger: Logger): Promise<RunningLightbox> {
  const services = await createServices(config, logger);
  const embedded = services.database.dialect === 'sqlite';
  await services.archive.recoverPendingWrites(embedded ? 0 : SHARED_RECOVERY_AGE_MS);
  const sweep = setInterval(() => {
    services.archive.recoverPendingWrites(SHARED_RECOVERY_AGE_MS).catch((error: unknown) => {
      logger.warn({ err: error }, 'recovery sweep failed');
    });
  }, RECOVERY_INTERVAL_MS);
  sweep.unref();
  // Exams started by images alone are completed once their images stop coming.
  const quietMs = config.ris.imageQuietMinutes * 60_000;
  const examSweep = setInterval(() => {
    services.examTracker.completeQuietExams(quietMs).catch((error: unknown) => {
      logger.warn({ err: error }, 'completing quiet exams failed');
    });
  }, 60_000);
  examSweep.unref();
  // The interface log holds PHI: messages are kept for hl7.keepDays, then deleted.
  const pruneHl7Log = () =>
    services.hl7Log.prune(Date.now() - config.hl7.keepDays * 86_400_000).catch((error: unknown) => {
      logger.warn({ err: error }, 'pruning the HL7 log failed');
    });
  void pruneHl7Log();
  const hl7LogSweep = setInterval(() => void pruneHl7Log(), 60 * 60_000);
  hl7LogSweep.unref();

  if (embedded) await services.jobs.requeueRunning(); // this process was the only runner
  const tlsMaterial = config.tls !== undefined ? readTlsMaterial(config.tls) : undefined;
  // ATNA: audit messages also go to the hospital's audit record repository, over syslog-TLS.
  let syslog: SyslogForwarder | undefined;
  if (config.auditSyslog !== undefined) {
    const forwarder = new SyslogForwarder(
      { ...parseSyslogUrl(config.auditSyslog), tls: tlsMaterial ?? {}, aeTitle: config.aeTitle },
      logger.child({ component: 'audit-syslog' }),
    );
    services.audit.onRecorded((record) => forwarder.forward(record));
    syslog = forwarder;
  }
  const local = {
    aeTitle: config.aeTitle,
    ...(tlsMaterial !== undefined ? { tls: tlsMaterial } : {}),
  };
  const jobRunner = new JobRunner(
    services.jobs,
    transferJobHandlers({
      archive: services.archive,
      nodes: services.dicomNodes,
      local,
      logger: logger.child({ component: 'jobs' }),
    }),
    logger.child({ component: 'jobs' }),
  );
  const hl7Outbox = new Hl7Outbox({
    db: services.database.db,
    logger: logger.child({ component: 'hl7-out' }),
    destinations: config.hl7.destinations,
    retryMs: config.hl7.retrySeconds * 1000,
    sender: {
      application: config.aeTitle,
      ...(config.hl7.facility !== undefined ? { facility: config.hl7.facility } : {}),
    },
    ...(tlsMaterial !== undefined ? { tls: tlsMaterial } : {}),
  });
  services.ris.recordExamStatusWith((change, trx) => hl7Outbox.enqueue(change, trx));
  services.ris.onExamStatus(() => hl7Outbox.wake());
  const generatedPassword = await ensureAdmin(services.users, config.adminPassword);
  let ready = false;
  const hl7Deps = {
    ris: services.ris,
    log: services.hl7Log,
    logger: logger.child({ component: 'hl7' }),
    applicationName: config.aeTitle,
    ...(config.hl7.facility !== undefined ? { facilityName: config.hl7.facility } : {}),
  };
  const http = await buildHttpApp({
    archive: services.archive,
    dicomNodes: services.dicomNodes,
    local,
    jobs: services.jobs,
    ris: services.ris,
    reconciliation: services.reconciliation,
    stations: services.stations,
    orderChanges: services.orderChanges,
    hl7Monitor: {
      log: services.hl7Log,
      replay: (pk: number) => replayHl7Message(pk, hl7Deps, () => hl7Outbox.wake()),
    },
    jobQueued: () => jobRunner.wake(),
    jobCancelled: (id: string) => jobRunner.cancel(id),
    security: httpSecurityOf(services, tlsMaterial !== undefined),
    ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy } : {}),
    allowedOrigins: config.allowedOrigins,
    ...(config.oidc !== undefined
      ? { oidcPublicUrl: config.publicUrl ?? new URL(config.oidc.redirectUri!).origin }
      : {}),
    ...(tlsMaterial !== undefined ? { https: tlsMaterial } : {}),
    logger: logger.child({ component: 'http' }),
    maxStowBytes: config.archive.maxStowBytes,
    maxQueryResults: config.archive.qidoMaxResults,
    publicUrl: config.publicUrl,
    health: () => {
      const durable = services.database.durable();
      return {
        ready: ready && durable,
        status: !durable ? 'index not durable: restart' : ready ? 'ok' : 'starting',
        listeners: { http: ready, dicom: ready, hl7: ready },
        database: services.database.dialect,
      };
    },
  });
  await http.listen({ host: config.host, port: config.httpPort });
  const address = http.server.address();
  const httpPort = typeof address === 'object' && address !== null ? address.port : config.httpPort;
  const listeners: DicomListener[] = [];
  const hl7Listeners: MllpServer[] = [];

  const dicomDeps = {
    archive: services.archive,
    logger: logger.child({ component: 'dimse' }),
    nodes: services.dicomNodes,
    local,
    authenticator: services.passwords,
    emergencyAccess: services.emergencyAccess,
    audit: services.audit,
    worklist: services.ris,
    performedSteps: services.performedSteps,
    stations: services.stations,
    policy: {
      aeTitle: config.aeTitle,
      maxAssociations: config.dicom.maxAssociations,
      queryFromAnyAe: config.dicom.queryFromAnyAe,
      queryRequiresUserIdentity: config.dicom.queryRequiresUserIdentity,
      storeFromAnyAe: config.dicom.storeFromAnyAe,
      worklistFromAnyAe: config.dicom.worklistFromAnyAe,
      privateStorageSopClasses: new Set(config.dicom.privateStorageSopClasses),
      checkNodeAddress: config.dicom.checkNodeAddress,
    },
    maxQueryResults: config.archive.qidoMaxResults,
  };
  try {
    listeners.push(await startDicomListener(dicomDeps, config.host, config.dicomPort));
    if (tlsMaterial !== undefined) {
      // Client certificates are verified when a CA is configured.
      const options: tls.TlsOptions = {
        ...tlsMaterial,
        ...(tlsMaterial?.ca !== undefined ? { requestCert: true, rejectUnauthorized: true } : {}),
      };
      listeners.push(await startDicomListener(dicomDeps, config.host, config.dicomTlsPort, options));
    }
    const senders = config.hl7.allowedSenders;
    hl7Listeners.push(await startHl7Listener(hl7Deps, config.host, config.hl7Port, undefined, senders));
    if (tlsMaterial !== undefined) {
      const options: tls.TlsOptions = {
        ...tlsMaterial,
        ...(tlsMaterial.ca !== undefined ? { requestCert: true, rejectUnauthorized: true } : {}),
      };
      hl7Listeners.push(await startHl7Listener(hl7Deps, config.host, config.hl7TlsPort, options, senders));
    }
  } catch (error) {
    clearInterval(sweep);
    clearInterval(examSweep);
    clearInterval(hl7LogSweep);
    for (const listener of listeners) await listener.close();
    for (const listener of hl7Listeners) await listener.close();
    await http.close();
    await services.close();
    await syslog?.close();
    throw error;
  }
  const [dicom, dicomTls] = listeners as [DicomListener, DicomListener | undefined];
  const [hl7, hl7Tls] = hl7Listeners as [MllpServer, MllpServer | undefined];
  jobRunner.start();
  hl7Outbox.start();
  ready = true;

  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const base = config.publicUrl ?? `${tlsMaterial !== undefined ? 'https' : 'http'}://${shown}:${httpPort}`;
  const lines = [
    '',
    'Lightbox is running.',
    `  Web app:    ${base}/   (study list, viewer, administration)`,
    `  DICOMweb:   ${base}/dicomweb   (WADO-URI: ${base}/wado)`,
    `  DICOM:      AE title ${config.aeTitle}, port ${dicom.port}${dicomTls ? `, TLS port ${dicomTls.port}` : ''}`,
    `  HL7 v2:     MLLP port ${hl7.port}${hl7Tls ? `, TLS port ${hl7Tls.port}` : ''}`,
    `  Health:     ${base}/api/health`,
    `  Data:       ${config.dataDir} (${services.database.dialect})`,
  ];
  if (generatedPassword !== undefined) {
    lines.push(
      '',
      `  First start: user "admin", password "${generatedPassword}"`,
      '  It is shown only this once. Change it with: npx lightbox reset-admin-password',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);

  return {
    services,
    http,
    httpPort,
    dicom,
    ...(dicomTls !== undefined ? { dicomTls } : {}),
    hl7,
    ...(hl7Tls !== undefined ? { hl7Tls } : {}),
    hl7Outbox,
    async stop() {
      clearInterval(sweep);
      clearInterval(examSweep);
      clearInterval(hl7LogSweep);
      await hl7Outbox.stop();
      await jobRunner.stop();
      await hl7Tls?.close();
      await hl7.close();
      await dicomTls?.close();
      await dicom.close();
      await http.close();
      await services.close();
      await syslog?.close();
    },
  };
}
