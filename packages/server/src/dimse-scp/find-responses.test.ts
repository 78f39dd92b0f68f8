import { CommandField, Status, type Association, type OutgoingMessage } from '@lightbox/dimse';
import { describe, expect, it } from 'vitest';
import { requestCancel } from './cancellation.js';
import type { DimseRequest } from './dimse-request.js';
import { findAnswer, sendMatches } from './find-responses.js';

const WORKLIST = '1.2.840.10008.5.1.4.31';

/** A request on a stand-in association that records what is sent: single messages and batches. */
function fakeRequest(
  onBatch: (batch: readonly OutgoingMessage[], association: Association) => void = () => {},
) {
  const sent: Array<{ status: number | undefined; identifier?: Uint8Array; batch: number }> = [];
  let batches = 0;
  const association = {
    send: async (_contextId: number, command: { status?: number }, dataSet?: Uint8Array) => {
      sent.push({ status: command.status, ...(dataSet ? { identifier: dataSet } : {}), batch: -1 });
    },
    sendBatch: async (batch: readonly OutgoingMessage[]) => {
      batches++;
      for (const message of batch) {
        expect(message.contextId).toBe(3);
        expect(message.command).toMatchObject({
          commandField: CommandField.CFindRsp,
          messageIdBeingRespondedTo: 42,
          affectedSopClassUid: WORKLIST,
        });
        sent.push({
          status: message.command.status,
          ...(message.dataSet ? { identifier: message.dataSet } : {}),
          batch: batches,
        });
      }
      onBatch(batch, association as unknown as Association);
    },
  };
  const request = {
    association: association as unknown as Association,
    message: {
      command: { commandField: CommandField.CFindRq, messageId: 42, commandDataSetType: 0 },
      context: { id: 3, abstractSyntax: WORKLIST, transferSyntax: '1.2.840.10008.1.2.1' },
    },
  } as unknown as DimseRequest;
  return { request, sent };
}

const matches = (n: number) => Array.from({ length: n }, (_, i) => i);
const encode = (i: number) => Uint8Array.of(i & 0xff, i >> 8);

describe('sendMatches', () => {
  it('sends the matches in batches, each identifier once and in order, Success with the last batch', async () => {
    const { request, sent } = fakeRequest();
    await sendMatches(request, findAnswer(request), matches(150), encode);
    expect(sent).toHaveLength(151);
    expect(sent.slice(0, 150).every((s) => s.status === Status.Pending)).toBe(true);
    expect(sent.slice(0, 150).map((s) => Array.from(s.identifier!))).toEqual(
      matches(150).map((i) => Array.from(encode(i))),
    );
    expect(sent[150]).toEqual({ status: Status.Success, batch: 3 });
    expect(sent.map((s) => s.batch)).toEqual([
      ...Array(64).fill(1),
      ...Array(64).fill(2),
      ...Array(23).fill(3),
    ]);
  });

  it('answers Success alone when nothing matches', async () => {
    const { request, sent } = fakeRequest();
    await sendMatches(request, findAnswer(request), [], encode);
    expect(sent).toEqual([{ status: Status.Success, batch: -1 }]);
  });

  it('stops with Cancel before the next batch once the peer sent C-CANCEL', async () => {
    const { request, sent } = fakeRequest((_batch, association) => requestCancel(association, 42));
    await sendMatches(request, findAnswer(request), matches(300), encode);
    expect(sent.filter((s) => s.status === Status.Pending)).toHaveLength(64);
    expect(sent.at(-1)).toEqual({ status: Status.Cancel, batch: -1 });
  });

  it('lets the event loop run between batches, so that a C-CANCEL read from the socket is seen', async () => {
    let timer: NodeJS.Timeout | undefined;
    const { request, sent } = fakeRequest((_batch, association) => {
      // Stands for a C-CANCEL that arrives while the first batch is written: handled on a later turn.
      timer ??= setTimeout(() => requestCancel(association, 42), 0);
    });
    await sendMatches(request, findAnswer(request), matches(64 * 20), encode);
    const pending = sent.filter((s) => s.status === Status.Pending).length;
    expect(pending).toBeLessThan(64 * 20);
    expect(pending % 64).toBe(0);
    expect(sent.at(-1)).toEqual({ status: Status.Cancel, batch: -1 });
  });

  it('sends the matches before one that cannot be encoded, then fails', async () => {
    const { request, sent } = fakeRequest();
    const failing = (i: number) => {
      if (i === 70) throw new Error('cannot encode');
      return encode(i);
    };
    await expect(sendMatches(request, findAnswer(request), matches(100), failing)).rejects.toThrow(
      'cannot encode',
    );
    expect(sent).toHaveLength(70);
  });
});
