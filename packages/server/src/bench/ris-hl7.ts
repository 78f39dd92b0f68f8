import { connectMllp, type MllpClient } from '@lightbox/hl7';
import { ResourceSampler } from './processes.js';
import { readAck } from './ris-messages.js';
import type { ServerResources } from './scenarios.js';
import { summarize, type LatencySummary } from './stats.js';

/** An MLLP listener under test. */
export interface MllpTarget {
  /** As shown in the report: "Lightbox SQLite", "MLLP echo (reference)". */
  name: string;
  port: number;
  /** The receiving process (sampled for memory and CPU). */
  pid?: number;
}

/** One message to send and the control ID its ACK must name in MSA-2. */
export interface OutgoingMessage {
  controlId: string;
  bytes: Uint8Array;
}

/** The outcome of sending a batch of messages over kept-open connections, each waiting for its ACK. */
export interface Hl7Throughput {
  server: string;
  /** ORM^O01 or OMI^O23. */
  messageType: string;
  connections: number;
  messages: number;
  seconds: number;
  messagesPerSecond: number;
  /** From writing a message to its ACK, ms. */
  ackLatency: LatencySummary;
  /** ACKs other than AA, ACKs naming another control ID, and messages the connection lost. */
  failures: number;
  firstFailure?: string;
  resources?: ServerResources;
  /** Share of one core the bench's own client used (it shares the machine with the server). */
  clientCpuPercent: number;
}

/** Splits `items` into `groups` interleaved lists (item i to list i mod groups). */
function interleave<T>(items: readonly T[], groups: number): T[][] {
  const out: T[][] = Array.from({ length: groups }, () => []);
  items.forEach((item, i) => out[i % groups]!.push(item));
  return out.filter((group) => group.length > 0);
}

/**
 * Sends `messages` to `target` over `connections` kept-open MLLP connections at once, each connection
 * sending its next message only when the previous one's ACK has arrived (as MLLP senders do), after
 * `warmup` messages that are not timed. Every ACK must be AA and name the message's control ID.
 */
export async function measureHl7Throughput(
  target: MllpTarget,
  messageType: string,
  warmup: readonly OutgoingMessage[],
  messages: readonly OutgoingMessage[],
  connections: number,
): Promise<Hl7Throughput> {
  const clients: MllpClient[] = [];
  try {
    for (let c = 0; c < connections; c++)
      clients.push(await connectMllp({ host: '127.0.0.1', port: target.port }));
    let failures = 0;
    let firstFailure: string | undefined;
    const latencies: number[] = [];
    const sendAll = async (
      client: MllpClient,
      list: readonly OutgoingMessage[],
      timed: boolean,
    ): Promise<void> => {
      for (const message of list) {
        const started = performance.now();
        let failure: string | undefined;
        try {
          const ack = readAck(await client.send(message.bytes));
          if (timed) latencies.push(performance.now() - started);
          if (ack.code !== 'AA') failure = `${message.controlId}: ${ack.code || 'no MSA'} ${ack.errors}`;
          else if (ack.controlId !== message.controlId)
            failure = `${message.controlId}: the ACK names ${ack.controlId}`;
        } catch (error) {
          failure = `${message.controlId}: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (failure !== undefined) {
          failures++;
          firstFailure ??= failure.slice(0, 300);
        }
      }
    };
    const warm = interleave(warmup, clients.length);
    await Promise.all(clients.map((client, c) => sendAll(client, warm[c] ?? [], false)));
    const warmFailures = failures;
    const sampler = target.pid !== undefined ? new ResourceSampler(target.pid) : undefined;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const lists = interleave(messages, clients.length);
    await Promise.all(clients.map((client, c) => sendAll(client, lists[c] ?? [], true)));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const resources = sampler?.stop();
    return {
      server: target.name,
      messageType,
      connections: clients.length,
      messages: messages.length,
      seconds,
      messagesPerSecond: messages.length / seconds,
      ackLatency: summarize(latencies),
      failures,
      ...(firstFailure !== undefined
        ? { firstFailure: `${warmFailures > 0 ? '(warm-up) ' : ''}${firstFailure}` }
        : {}),
      ...(resources !== undefined
        ? {
            resources: {
              peakRssMb: resources.peakRssMb,
              hwmMb: resources.hwmMb,
              cpuPercent: resources.cpuPercent,
            },
          }
        : {}),
      clientCpuPercent: (100 * (used.user + used.system)) / 1e6 / seconds,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
  }
}
