import { decodeMessageBytes, encodeMessageText } from '@lightbox/hl7';
import { AppError, ErrorCode } from '../shared/app-error.js';
import { receiveHl7Message, type Hl7InterfaceDeps } from './receive-hl7-message.js';

/**
 * Applies a logged inbound message again, as if its sender had resent it (the interface monitor's
 * replay, after the cause of an error was fixed). An accepted message is answered from the log, as a
 * resend would be: replay never applies a message twice.
 */
export async function replayHl7Message(
  pk: number,
  deps: Hl7InterfaceDeps,
): Promise<{ ackCode: string; ack: string }> {
  const row = await deps.log.get(pk);
  if (row === undefined) throw new AppError(ErrorCode.NotFound, `no HL7 message ${pk}`);
  if (row.direction !== 'in')
    throw new AppError(ErrorCode.Conflict, 'only received messages can be replayed');
  const charset = /^MSH(.)(?:[^\r\n]*?\1){16}([^\r\n^~]*)/.exec(row.raw)?.[2];
  const reply = await receiveHl7Message(
    encodeMessageText(row.raw, charset || undefined),
    { address: 'replay', tls: false },
    deps,
  );
  const ack = reply === undefined ? '' : decodeMessageBytes(reply);
  const ackCode = /\rMSA\|([A-Z]{2})/.exec(`\r${ack}`)?.[1] ?? '';
  // The failed original is marked, so the monitor no longer offers it; the replay is its own entry.
  if (ackCode === 'AA' && (row.state === 'error' || row.state === 'rejected'))
    await deps.log.markReplayed(pk);
  return { ackCode, ack };
}
