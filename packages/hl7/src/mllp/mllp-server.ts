import net from 'node:net';
import tls from 'node:tls';
import { frameMllp } from './frame-mllp.js';
import { MllpDecoder } from './mllp-decoder.js';

/** Who is on the other end of one MLLP connection. */
export interface MllpConnectionInfo {
  remoteAddress: string | undefined;
  remotePort: number | undefined;
  tls: boolean;
  /** Connection number, unique within one server. */
  id: number;
}

/** Something that went wrong on a connection, reported for logging. */
export interface MllpProblem {
  connection: MllpConnectionInfo;
  kind: 'garbage' | 'oversize' | 'socket-error' | 'handler-error' | 'refused-sender';
  error?: unknown;
  /** For 'garbage': how many bytes outside a frame were dropped. */
  bytes?: number;
}

/** Options of startMllpServer. */
export interface MllpServerOptions {
  host: string;
  /** 0 picks a free port (see MllpServer.port). */
  port: number;
  /** node:tls server options: when set, the server speaks TLS (minVersion TLSv1.2 at least). */
  tls?: tls.TlsOptions;
  /**
   * Handles one message; resolves with the reply bytes (ACK), or undefined to send nothing. Messages from
   * one connection are handled strictly one after another, in order; replies are written in order.
   */
  onMessage(payload: Uint8Array, connection: MllpConnectionInfo): Promise<Uint8Array | undefined>;
  /** Called for framing problems, garbage, socket and handler errors (for logging); its own errors are swallowed. */
  onProblem?(problem: MllpProblem): void;
  /** Largest message accepted; a larger frame closes the connection. Default 16 MiB. */
  maxMessageBytes?: number;
  /** Idle connection timeout in ms (default 10 min); connections stay open between messages. */
  idleTimeoutMs?: number;
  /** Connections beyond this many are refused. */
  maxConnections?: number;
  /**
   * Whether a connection from this address may send messages; one that may not is closed at once,
   * before anything is read, and reported as 'refused-sender'. Default: every sender.
   */
  acceptsSender?(remoteAddress: string | undefined): boolean;
}

/** A listening MLLP server. */
export interface MllpServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting, destroys open connections, resolves when closed. */
  close(): Promise<void>;
}

/** Messages queued on one connection before it stops reading (TCP backpressure). */
const MAX_QUEUED = 8;

/**
 * Starts an MLLP listener (HL7 v2.5.1 Appendix C, MLLP Release 1) on host:port, plain TCP or TLS. Every
 * socket gets TCP_NODELAY; connections are kept open (keep-alive senders) until idle for idleTimeoutMs.
 * A handler that rejects is reported as 'handler-error' and its connection is closed; socket errors are
 * reported, never thrown.
 */
export async function startMllpServer(options: MllpServerOptions): Promise<MllpServer> {
  const useTls = options.tls !== undefined;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60 * 1000;
  const sockets = new Set<net.Socket>();
  let nextId = 1;

  const report = (problem: MllpProblem): void => {
    try {
      options.onProblem?.(problem);
    } catch {
      // Logging must never take the server down.
    }
  };

  const serve = (socket: net.Socket): void => {
    const info: MllpConnectionInfo = {
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
      tls: useTls,
      id: nextId++,
    };
    if (options.acceptsSender !== undefined && !options.acceptsSender(socket.remoteAddress)) {
      report({ connection: info, kind: 'refused-sender' });
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(idleTimeoutMs);
    const decoder = new MllpDecoder({ maxMessageBytes: options.maxMessageBytes });
    const queue: Uint8Array[] = [];
    let busy = false;

    const closeConnection = (): void => {
      socket.pause();
      queue.length = 0;
      socket.end();
      setTimeout(() => socket.destroy(), 2000).unref();
    };

    const drain = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        for (let payload = queue.shift(); payload !== undefined; payload = queue.shift()) {
          let reply: Uint8Array | undefined;
          try {
            reply = await options.onMessage(payload, info);
          } catch (error) {
            report({ connection: info, kind: 'handler-error', error });
            closeConnection();
            return;
          }
          if (reply !== undefined && !socket.destroyed && socket.writable) {
            if (!socket.write(frameMllp(reply))) await writable(socket);
          }
          if (socket.isPaused() && queue.length <= MAX_QUEUED / 2 && !socket.destroyed) socket.resume();
        }
      } finally {
        busy = false;
      }
    };

    socket.on('data', (chunk: Buffer) => {
      const before = decoder.discardedBytes;
      let payloads: Uint8Array[];
      try {
        payloads = decoder.push(chunk);
      } catch (error) {
        report({ connection: info, kind: 'oversize', error });
        socket.destroy();
        return;
      }
      const garbage = decoder.discardedBytes - before;
      if (garbage > 0) report({ connection: info, kind: 'garbage', bytes: garbage });
      if (payloads.length === 0) return;
      queue.push(...payloads);
      if (queue.length > MAX_QUEUED) socket.pause();
      void drain();
    });
    socket.on('timeout', () => {
      if (!busy && queue.length === 0) socket.destroy();
    });
    socket.on('error', (error) => report({ connection: info, kind: 'socket-error', error }));
    socket.on('close', () => sockets.delete(socket));
  };

  const server = useTls
    ? tls.createServer(
        { ...options.tls, minVersion: options.tls?.minVersion === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2' },
        serve,
      )
    : net.createServer(serve);
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  if (useTls) {
    // Raw sockets: tracked so that close() also ends handshakes in progress; their errors are reported.
    server.on('connection', (raw: net.Socket) => {
      sockets.add(raw);
      raw.on('close', () => sockets.delete(raw));
      raw.on('error', () => undefined); // reported through tlsClientError or the TLS socket
    });
    server.on('tlsClientError', (error, socket) =>
      report({
        connection: { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort, tls: true, id: 0 },
        kind: 'socket-error',
        error,
      }),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) =>
    report({
      connection: { remoteAddress: undefined, remotePort: undefined, tls: useTls, id: 0 },
      kind: 'socket-error',
      error,
    }),
  );

  const address = server.address() as net.AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

/** Resolves when the socket can take more data, or is gone. */
function writable(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
