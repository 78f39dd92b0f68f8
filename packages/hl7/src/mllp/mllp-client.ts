import net from 'node:net';
import tls from 'node:tls';
import { encodeMessageText, readCharacterSet } from '../message/character-set.js';
import { frameMllp } from './frame-mllp.js';
import { MllpDecoder } from './mllp-decoder.js';

/** A client connection that sends messages and waits for each reply (one outstanding at a time). */
export interface MllpClient {
  /**
   * Sends one message and resolves with the payload of the reply. Calls are queued, so at most one
   * message is outstanding. A string is encoded in the character set of its own MSH-18. On timeout
   * (default 30 s) the connection is closed, since a late reply could not be told apart.
   */
  send(message: Uint8Array | string, options?: { timeoutMs?: number }): Promise<Uint8Array>;
  /** Closes the connection; a send still waiting is rejected. */
  close(): Promise<void>;
}

/** Options of connectMllp. */
export interface MllpClientOptions {
  host: string;
  port: number;
  /** node:tls connection options: when set, the client speaks TLS (minVersion TLSv1.2 at least). */
  tls?: tls.ConnectionOptions;
  /** Connect (and TLS handshake) timeout in ms; default 10 s. */
  timeoutMs?: number;
  /** Largest reply accepted; default 16 MiB. */
  maxMessageBytes?: number;
}

interface Waiter {
  resolve(reply: Uint8Array): void;
  reject(error: Error): void;
}

/** Opens an MLLP connection (HL7 v2.5.1 Appendix C, MLLP Release 1) with TCP_NODELAY, plain or TLS. */
export async function connectMllp(options: MllpClientOptions): Promise<MllpClient> {
  const useTls = options.tls !== undefined;
  const socket: net.Socket = useTls
    ? tls.connect({
        ...options.tls,
        host: options.host,
        port: options.port,
        minVersion: options.tls?.minVersion === 'TLSv1.3' ? 'TLSv1.3' : 'TLSv1.2',
      })
    : net.connect({ host: options.host, port: options.port });
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new Error(`MLLP connect to ${options.host}:${options.port} timed out`)),
      options.timeoutMs ?? 10_000,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    socket.once('error', fail);
    socket.once(useTls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve();
    });
  });

  const decoder = new MllpDecoder({ maxMessageBytes: options.maxMessageBytes });
  let waiter: Waiter | undefined;
  let failure: Error | undefined;
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));

  const fail = (error: Error): void => {
    failure ??= error;
    waiter?.reject(failure);
    waiter = undefined;
  };
  socket.on('data', (chunk: Buffer) => {
    let replies: Uint8Array[];
    try {
      replies = decoder.push(chunk);
    } catch (error) {
      fail(error as Error);
      socket.destroy();
      return;
    }
    // Only the first reply answers the waiting message; unsolicited frames are dropped.
    const reply = replies[0];
    if (reply !== undefined && waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      w.resolve(reply);
    }
  });
  socket.on('error', (error) => fail(error));
  socket.on('close', () => fail(new Error('MLLP connection closed')));

  const sendOne = (bytes: Uint8Array, timeoutMs: number): Promise<Uint8Array> =>
    new Promise<Uint8Array>((resolve, reject) => {
      if (failure !== undefined || socket.destroyed) {
        reject(failure ?? new Error('MLLP connection closed'));
        return;
      }
      const timer = setTimeout(() => {
        fail(new Error(`No MLLP reply within ${timeoutMs} ms`));
        socket.destroy();
      }, timeoutMs);
      waiter = {
        resolve: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      socket.write(frameMllp(bytes));
    });

  let chain: Promise<unknown> = Promise.resolve();
  return {
    send(message, sendOptions) {
      let bytes: Uint8Array;
      try {
        bytes = typeof message === 'string' ? encodeMessageText(message, readCharacterSet(message)) : message;
      } catch (error) {
        return Promise.reject(error as Error);
      }
      const result = chain.then(() => sendOne(bytes, sendOptions?.timeoutMs ?? 30_000));
      chain = result.catch(() => undefined);
      return result;
    },
    async close() {
      fail(new Error('MLLP client closed'));
      socket.end();
      const timer = setTimeout(() => socket.destroy(), 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}
