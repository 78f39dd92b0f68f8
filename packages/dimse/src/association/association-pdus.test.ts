import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CommandField, NO_DATA_SET } from '../message/command-field.js';
import { decodeCommandSet } from '../message/command-set.js';
import {
  decodeAssociateRequest,
  encodeAssociateAccept,
  encodeAssociateRequest,
} from '../pdu/associate-pdu.js';
import { encodeReleaseRequest, encodeReleaseResponse } from '../pdu/control-pdus.js';
import { decodePresentationDataValues, type PresentationDataValue } from '../pdu/p-data-pdu.js';
import { PduFramer } from '../pdu/pdu-framer.js';
import { DICOM_APPLICATION_CONTEXT, PduType, PresentationContextResult } from '../pdu/pdu-type.js';
import { Association, type IncomingMessage, type OutgoingMessage } from './association.js';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined };
const FIND = '1.2.840.10008.5.1.4.31';
const EXPLICIT = '1.2.840.10008.1.2.1';

/** Bytes 0, 1, 2, … (mod 251) so that a misplaced fragment shows. */
function pattern(length: number, seed = 0): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i + seed) % 251;
  return out;
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

async function requestor(
  port: number,
  onMessage?: (message: IncomingMessage, association: Association) => Promise<void>,
): Promise<Association> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const association = await Association.request(
    socket,
    {
      protocolVersion: 1,
      calledAeTitle: 'PEER',
      callingAeTitle: 'TEST_SCU',
      applicationContext: DICOM_APPLICATION_CONTEXT,
      presentationContexts: [{ id: 1, abstractSyntax: FIND, transferSyntaxes: [EXPLICIT] }],
      user: { maxLength: 0, implementationClassUid: '1.2.3', roles: [], extendedNegotiation: [] },
    },
    { logger: quiet, ...(onMessage !== undefined ? { onMessage } : {}) },
  );
  cleanups.push(() => association.abort());
  return association;
}

/** The A-ASSOCIATE-AC of a raw acceptor to an A-ASSOCIATE-RQ: context 1 accepted in Explicit VR LE. */
function acceptAc(requestBody: Uint8Array, maxLength: number): Uint8Array {
  const request = decodeAssociateRequest(requestBody);
  return encodeAssociateAccept({
    protocolVersion: 1,
    calledAeTitle: request.calledAeTitle,
    callingAeTitle: request.callingAeTitle,
    applicationContext: DICOM_APPLICATION_CONTEXT,
    presentationContexts: [{ id: 1, result: PresentationContextResult.Acceptance, transferSyntax: EXPLICIT }],
    user: { maxLength, implementationClassUid: '1.2.3', roles: [], extendedNegotiation: [] },
  });
}

/** The P-DATA-TF PDUs a raw acceptor announcing `maxLength` receives, decoded, as they arrive. */
async function rawAcceptor(maxLength: number): Promise<{ port: number; pdus: PresentationDataValue[][] }> {
  const pdus: PresentationDataValue[][] = [];
  const port = await listen((socket) => {
    const framer = new PduFramer(1 << 24);
    socket.on('data', (chunk: Buffer) => {
      for (const { type, body } of framer.push(chunk)) {
        if (type === PduType.AssociateRequest) {
          socket.write(acceptAc(body, maxLength));
        } else if (type === PduType.DataTransfer) {
          expect(body.length).toBeLessThanOrEqual(maxLength);
          pdus.push(decodePresentationDataValues(body).map((v) => ({ ...v, data: Uint8Array.from(v.data) })));
        } else if (type === PduType.ReleaseRequest) {
          socket.end(encodeReleaseResponse());
        }
      }
    });
    socket.on('error', () => undefined);
  });
  return { port, pdus };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}

const pending = { commandField: CommandField.CFindRsp, messageIdBeingRespondedTo: 7, status: 0xff00 };

describe('Association: P-DATA-TF PDUs sent', () => {
  it('sends a command and a data set that fit the peer maximum as one PDU with two PDVs', async () => {
    const peer = await rawAcceptor(16_384);
    const association = await requestor(peer.port);
    const dataSet = pattern(1000);
    await association.send(1, pending, dataSet);
    await association.send(1, {
      commandField: CommandField.CFindRsp,
      messageIdBeingRespondedTo: 7,
      status: 0,
    });
    await until(() => peer.pdus.length === 2);
    const [withData, alone] = peer.pdus;
    expect(withData!.map((v) => [v.contextId, v.command, v.last])).toEqual([
      [1, true, true],
      [1, false, true],
    ]);
    expect(decodeCommandSet(withData![0]!.data)).toMatchObject({ ...pending, commandDataSetType: 0 });
    expect(withData![1]!.data).toEqual(dataSet);
    expect(alone!.map((v) => [v.command, v.last])).toEqual([[true, true]]);
    expect(decodeCommandSet(alone![0]!.data).commandDataSetType).toBe(NO_DATA_SET);
  });

  it('fragments a data set larger than the peer maximum: command PDU, then data PDUs that fit', async () => {
    const peer = await rawAcceptor(4096);
    const association = await requestor(peer.port);
    const dataSet = pattern(10_000);
    await association.send(1, pending, dataSet);
    // 4096 - 6 bytes of data per PDU: 4090 + 4090 + 1820.
    await until(() => peer.pdus.length === 4);
    expect(peer.pdus.map((pdu) => pdu.map((v) => [v.command, v.last, v.data.length]))).toEqual([
      [[true, true, peer.pdus[0]![0]!.data.length]],
      [[false, false, 4090]],
      [[false, false, 4090]],
      [[false, true, 1820]],
    ]);
    expect(Buffer.concat(peer.pdus.slice(1).map((pdu) => pdu[0]!.data))).toEqual(Buffer.from(dataSet));
  });

  it('cuts a streamed data set into full, even PDVs whatever the lengths of its chunks', async () => {
    // An odd maximum (the PDV's data then holds 4091 bytes at most, but a fragment must be even) and
    // chunks of odd lengths, as a decoded 3 × 3 RGB frame (27 bytes) and its pad byte come.
    const peer = await rawAcceptor(4097);
    const association = await requestor(peer.port);
    const dataSet = pattern(9_000);
    const cuts = [27, 28, 5029, 5030, 5033, 9_000];
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let at = 0, i = 0; i < cuts.length; at = cuts[i]!, i++) yield dataSet.subarray(at, cuts[i]);
    }
    await association.send(1, pending, chunks());
    // 9 000 bytes: 4090 + 4090 + 820.
    await until(() => peer.pdus.length === 4);
    const values = peer.pdus.slice(1).map((pdu) => pdu[0]!);
    expect(values.map((v) => [v.last, v.data.length])).toEqual([
      [false, 4090],
      [false, 4090],
      [true, 820],
    ]);
    expect(Buffer.concat(values.map((v) => v.data))).toEqual(Buffer.from(dataSet));
  });

  it('sends to a peer announcing the largest Maximum Length (0xFFFFFFFF) in PDUs of at most 16 MiB', async () => {
    const peer = await rawAcceptor(0xffffffff);
    const association = await requestor(peer.port);
    const dataSet = pattern(1001);
    async function* chunks(): AsyncGenerator<Uint8Array> {
      yield dataSet.subarray(0, 27);
      yield dataSet.subarray(27);
    }
    await association.send(1, pending, chunks());
    await until(() => peer.pdus.length === 2);
    expect(peer.pdus[1]!.map((v) => [v.last, v.data.length])).toEqual([[true, 1001]]);
    expect(Buffer.from(peer.pdus[1]![0]!.data)).toEqual(Buffer.from(dataSet));
  });

  it('writes a batch of messages that fit with one socket write, in order', async () => {
    const peer = await rawAcceptor(16_384);
    const association = await requestor(peer.port);
    const write = vi.spyOn(association.socket, 'write');
    const batch: OutgoingMessage[] = [0, 1, 2].map((n) => ({
      contextId: 1,
      command: pending,
      dataSet: pattern(300 + n, n),
    }));
    batch.push({ contextId: 1, command: { ...pending, status: 0 } });
    await association.sendBatch(batch);
    expect(write).toHaveBeenCalledTimes(1);
    await until(() => peer.pdus.length === 4);
    for (let n = 0; n < 3; n++) {
      expect(peer.pdus[n]!.map((v) => v.command)).toEqual([true, false]);
      expect(peer.pdus[n]![1]!.data).toEqual(pattern(300 + n, n));
    }
    expect(decodeCommandSet(peer.pdus[3]![0]!.data).status).toBe(0);
  });

  it('fragments the large message of a batch and keeps the order of the others', async () => {
    const peer = await rawAcceptor(4096);
    const association = await requestor(peer.port);
    await association.sendBatch([
      { contextId: 1, command: pending, dataSet: pattern(100) },
      { contextId: 1, command: pending, dataSet: pattern(5000, 3) },
      { contextId: 1, command: pending, dataSet: pattern(200, 5) },
    ]);
    await until(() => peer.pdus.length === 5);
    expect(peer.pdus.map((pdu) => pdu.map((v) => `${v.command ? 'C' : 'D'}${v.last ? '.' : '+'}`))).toEqual([
      ['C.', 'D.'],
      ['C.'],
      ['D+'],
      ['D.'],
      ['C.', 'D.'],
    ]);
    expect(Buffer.concat([peer.pdus[2]![0]!.data, peer.pdus[3]![0]!.data])).toEqual(
      Buffer.from(pattern(5000, 3)),
    );
  });
});

describe('Association: our receiver reassembles what it sends', () => {
  it('reads whole-message PDUs and fragmented data sets back into the same messages', async () => {
    const received: Array<{ command: IncomingMessage['command']; data?: Uint8Array }> = [];
    const port = await listen((socket) => {
      Association.accept(socket, {
        limits: { maxPduLength: 4096 },
        logger: quiet,
        decide: async (request) => ({
          accept: true,
          answer: {
            calledAeTitle: request.calledAeTitle,
            callingAeTitle: request.callingAeTitle,
            presentationContexts: [
              { id: 1, result: PresentationContextResult.Acceptance, transferSyntax: EXPLICIT },
            ],
            user: { maxLength: 4096, implementationClassUid: '1.2.3', roles: [], extendedNegotiation: [] },
          },
        }),
        onMessage: async (message) => {
          const entry: (typeof received)[number] = { command: message.command };
          received.push(entry);
          if (message.dataSet !== undefined) entry.data = await message.dataSet.readAll(1 << 20);
        },
      });
    });
    const association = await requestor(port);
    const request = (messageId: number) => ({
      commandField: CommandField.CFindRq,
      messageId,
      priority: 0,
      affectedSopClassUid: FIND,
    });
    // Under, at and over what fits in one 4096-byte PDU with the command.
    const sizes = [10, 3900, 20_000, 0, 3000];
    await association.sendBatch(
      sizes.map((size, n) => ({ contextId: 1, command: request(n), dataSet: pattern(size, n) })),
    );
    await association.send(1, request(9), pattern(9000, 9));
    await association.send(1, { commandField: CommandField.CEchoRq, messageId: 10 });
    await until(() => received.length === 7 && received.slice(0, 6).every((r) => r.data !== undefined));
    await association.release();
    expect(received.map((r) => r.command.messageId)).toEqual([0, 1, 2, 3, 4, 9, 10]);
    [...sizes, 9000].forEach((size, i) => {
      const seed = i < sizes.length ? i : 9;
      expect(received[i]!.data).toEqual(Buffer.from(pattern(size, seed)));
    });
    expect(received[6]!.data).toBeUndefined();
  });
});

describe('Association: release collision (PS3.8 §7.2.2)', () => {
  it('as requestor, answers the acceptor’s A-RELEASE-RQ first and then takes the acceptor’s answer', async () => {
    const seen: string[] = [];
    const port = await listen((socket) => {
      const framer = new PduFramer(1 << 20);
      socket.on('data', (chunk: Buffer) => {
        for (const { type, body } of framer.push(chunk)) {
          if (type === PduType.AssociateRequest) {
            socket.write(acceptAc(body, 0));
          } else if (type === PduType.ReleaseRequest) {
            // The acceptor asks to release too, before answering (it sent its request at the same moment).
            seen.push('RQ');
            socket.write(encodeReleaseRequest());
          } else if (type === PduType.ReleaseResponse) {
            // Acceptor side of the collision (Sta10 → Sta12): the requestor's answer comes first.
            seen.push('RP');
            socket.write(encodeReleaseResponse());
          } else {
            seen.push(`unexpected ${type}`);
          }
        }
      });
      socket.on('error', () => undefined);
    });
    const association = await requestor(port);
    await association.release();
    expect(seen).toEqual(['RQ', 'RP']);
    expect(association.endReason).toBeUndefined();
  });

  it('as acceptor, waits for the requestor’s answer before giving its own', async () => {
    let acceptor: Association | undefined;
    const port = await listen((socket) => {
      acceptor = Association.accept(socket, {
        logger: quiet,
        decide: async (request) => ({
          accept: true,
          answer: {
            calledAeTitle: request.calledAeTitle,
            callingAeTitle: request.callingAeTitle,
            presentationContexts: [
              { id: 1, result: PresentationContextResult.Acceptance, transferSyntax: EXPLICIT },
            ],
            user: { maxLength: 0, implementationClassUid: '1.2.3', roles: [], extendedNegotiation: [] },
          },
        }),
        onMessage: async () => undefined,
      });
      cleanups.push(() => acceptor?.abort());
    });
    // A raw requestor: associates, then meets the acceptor's A-RELEASE-RQ with one of its own.
    const seen: string[] = [];
    const socket = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => void socket.destroy());
    socket.on('error', () => undefined);
    const framer = new PduFramer(1 << 20);
    const accepted = new Promise<void>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        for (const { type } of framer.push(chunk)) {
          if (type === PduType.AssociateAccept) resolve();
          else if (type === PduType.ReleaseRequest) {
            seen.push('RQ');
            socket.write(encodeReleaseRequest());
            // Requestor side of the collision (Sta9): it answers first.
            setTimeout(() => {
              seen.push('sent RP');
              socket.write(encodeReleaseResponse());
            }, 50);
          } else if (type === PduType.ReleaseResponse) {
            seen.push('RP');
            socket.end();
          } else seen.push(`unexpected ${type}`);
        }
      });
    });
    socket.write(
      encodeAssociateRequest({
        protocolVersion: 1,
        calledAeTitle: 'PEER',
        callingAeTitle: 'TEST_SCU',
        applicationContext: DICOM_APPLICATION_CONTEXT,
        presentationContexts: [{ id: 1, abstractSyntax: FIND, transferSyntaxes: [EXPLICIT] }],
        user: { maxLength: 0, implementationClassUid: '1.2.3', roles: [], extendedNegotiation: [] },
      }),
    );
    await accepted;
    await acceptor!.release();
    // The acceptor's answer came only after the requestor's (Sta10 → Sta12).
    expect(seen).toEqual(['RQ', 'sent RP', 'RP']);
    expect(acceptor!.endReason).toBeUndefined();
  });
});
