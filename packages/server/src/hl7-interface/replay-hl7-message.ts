import { decodeMessageBytes, encodeMessageText, parseMessage } from '@lightbox/hl7';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { receiveHl7Message, type Hl7InterfaceDeps } from './receive-hl7-message.js';

/**
 * The interface monitor's replay, once the cause of a failure was fixed. A received message is applied
 * again as if its sender had resent it — an accepted one is answered from the log, as a resend would be,
 * so replay never applies a message twice. A sent message that its destination refused is queued again
 * (`wakeOutbox` starts its delivery); it returns no acknowledgement yet.
 */
export async function replayHl7Message(
  pk: number,
  deps: Hl7InterfaceDeps,
  wakeOutbox: () => void = () => undefined,
): Promise<{ ackCode: string; ack: string; requeued?: boolean }> {
  const row = await deps.log.get(pk);
  if (row === undefined) throw new AppError(ErrorCode.NotFound, `no HL7 message ${pk}`);
  if (row.direction === 'out') {
    if (row.state !== 'failed') {
      throw new AppError(
        ErrorCode.Conflict,
        `message ${pk} is ${row.state}; only a refused message is sent again`,
      );
    }
    await deps.log.requeue(pk);
    wakeOutbox();
    return { ackCode: '', ack: '', requeued: true };
  }
  // The logged text goes back in its own character set (MSH-18); unparsable text as it was read.
  let bytes: Uint8Array;
  try {
    bytes = encodeMessageText(row.raw, parseMessage(row.raw).characterSet || undefined);
  } catch {
    bytes = encodeMessageText(row.raw, undefined);
  }
  const reply = await receiveHl7Message(bytes, { address: 'replay', tls: false }, deps);
  const ack = reply === undefined ? '' : decodeMessageBytes(reply);
  const ackCode = /\rMSA\|([A-Z]{2})/.exec(`\r${ack}`)?.[1] ?? '';
  // The failed original is marked, so the monitor no longer offers it; the replay is its own entry.
  if (ackCode === 'AA' && (row.state === 'error' || row.state === 'rejected'))
    await deps.log.markReplayed(pk);
  return { ackCode, ack };
}
