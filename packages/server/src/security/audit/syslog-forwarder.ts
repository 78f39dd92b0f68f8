import os from 'node:os';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { AuditRecord } from './audit-chain.js';
import { auditMessageXml } from './audit-message-xml.js';

const MAX_QUEUED = 10_000;
const RECONNECT_MS = 5_000;
const BOM = '\u{FEFF}';

/** Where and how audit messages are forwarded (runtime contract LIGHTBOX_AUDIT_SYSLOG, `tls://host:port`). */
export interface SyslogTarget {
  host: string;
  port: number;
  /** The node's certificate and key (ATNA node authentication) and the CA that vouches for the collector. */
  tls: { cert?: Buffer; key?: Buffer; ca?: Buffer };
  /** Audit source: this installation's AE title. */
  aeTitle: string;
}

/** Parses LIGHTBOX_AUDIT_SYSLOG; only syslog over TLS (RFC 5425) is offered, as PS3.15 A.6 requires. */
export function parseSyslogUrl(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'tls:')
    throw new Error(`LIGHTBOX_AUDIT_SYSLOG must be tls://host:port (RFC 5425), not ${url}`);
  return { host: parsed.hostname, port: parsed.port === '' ? 6514 : Number(parsed.port) };
}

/** One RFC 5424 message, framed for RFC 5425 by octet counting. */
export function syslogFrame(record: AuditRecord, xml: string, hostname: string): Buffer {
  // Facility 10 (security/authorization); severity 5 (notice), 4 (warning) for failures (PS3.15 A.6).
  const pri = 10 * 8 + (record.outcome === 'success' ? 5 : 4);
  // RFC 5424 §7.3.1 meta sequenceId: the trail's sequence number (1 to 2^31 − 1, wrapping), so that the
  // repository's copy shows which events the database must hold.
  const sequence = ((record.seq - 1) % 2_147_483_647) + 1;
  const header = `<${pri}>1 ${new Date(record.occurredAt).toISOString()} ${hostname} lightbox ${process.pid} DICOM+RFC3881 [meta sequenceId="${sequence}"] `;
  const message = Buffer.from(header + BOM + xml, 'utf8');
  return Buffer.concat([Buffer.from(`${message.length} `, 'ascii'), message]);
}

/**
 * Forwards every audit event written to the trail to an audit record repository over syslog-TLS
 * (PS3.15 A.6, IHE ATNA). Messages wait in memory while the collector is unreachable and are sent in order
 * once it is back; the database trail stays the record of truth.
 */
export class SyslogForwarder {
  private readonly queue: Buffer[] = [];
  private socket: tls.TLSSocket | undefined;
  private connecting = false;
  private closed = false;
  private retry: NodeJS.Timeout | undefined;
  private readonly hostname = os.hostname().replace(/[^\x21-\x7e]/g, '') || '-';

  constructor(
    private readonly target: SyslogTarget,
    private readonly logger: Logger,
  ) {}

  /** Queues one event and sends it as soon as the connection allows. */
  forward(record: AuditRecord): void {
    if (this.closed) return;
    const xml = auditMessageXml(record, { id: this.hostname, aeTitle: this.target.aeTitle });
    if (this.queue.length >= MAX_QUEUED) {
      this.queue.shift();
      this.logger.warn(
        'syslog audit queue full: the oldest message was dropped (it stays in the audit trail)',
      );
    }
    this.queue.push(syslogFrame(record, xml, this.hostname));
    this.drain();
  }

  /** Sends what is queued (waiting at most `timeoutMs`) and closes the connection. */
  async close(timeoutMs = 2000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && this.socket !== undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.closed = true;
    if (this.retry !== undefined) clearTimeout(this.retry);
    const socket = this.socket;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.end(resolve));
  }

  private drain(): void {
    if (this.socket === undefined) {
      this.connect();
      return;
    }
    while (this.queue.length > 0) {
      const frame = this.queue.shift()!;
      if (!this.socket.write(frame)) {
        this.socket.once('drain', () => this.drain());
        return;
      }
    }
  }

  private connect(): void {
    if (this.connecting || this.closed || this.retry !== undefined) return;
    this.connecting = true;
    const { host, port, tls: material } = this.target;
    const socket = tls.connect({
      host,
      port,
      servername: /^[\d.]+$|:/.test(host) ? undefined : host,
      minVersion: 'TLSv1.2',
      ...(material.ca !== undefined ? { ca: material.ca } : {}),
      ...(material.cert !== undefined && material.key !== undefined
        ? { cert: material.cert, key: material.key }
        : {}),
    });
    socket.setNoDelay(true);
    socket.once('secureConnect', () => {
      this.connecting = false;
      this.socket = socket;
      this.logger.info({ host, port }, 'connected to the audit record repository');
      this.drain();
    });
    const lost = (error?: Error) => {
      if (this.socket === socket) this.socket = undefined;
      this.connecting = false;
      socket.destroy();
      if (this.closed) return;
      this.logger.warn({ err: error, host, port }, 'audit record repository unreachable; retrying');
      this.retry ??= setTimeout(() => {
        this.retry = undefined;
        if (this.queue.length > 0) this.connect();
      }, RECONNECT_MS);
    };
    socket.once('error', lost);
    socket.once('close', () => lost());
  }
}
