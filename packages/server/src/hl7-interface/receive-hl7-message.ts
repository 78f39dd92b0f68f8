import {
  buildAck,
  buildRejectForUnparsable,
  decodeMessageBytes,
  encodeMessageText,
  Hl7ParseError,
  parseMessage,
  type AckCode,
  type AckError,
  type Hl7Message,
} from '@lightbox/hl7';
import type { Logger } from 'pino';
import type { Transaction } from 'kysely';
import type { Tables } from '../db/tables.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { OrderSummary, Ris } from '../ris/ris.js';
import type { Actor } from '../security/actor.js';
import { ErrorCode, isAppError } from '../shared/app-error.js';
import { applyAdt } from './adt-message.js';
import type { Hl7MessageLog } from './hl7-message-log.js';
import { orderCommandsOf } from './order-message.js';

/** What the HL7 interface needs. */
export interface Hl7InterfaceDeps {
  ris: Ris;
  log: Hl7MessageLog;
  logger: Logger;
  /** MSH-3 of our acknowledgements. */
  applicationName: string;
  /** MSH-4 of our acknowledgements. */
  facilityName?: string;
}

/** Where a message came from. */
export interface Hl7Peer {
  address: string | undefined;
  tls: boolean;
}

/** Versions whose messages Lightbox reads (MSH-12). */
const SUPPORTED_VERSION = /^2\.[1-9](\.\d+)?$/;
/** Processing IDs (MSH-11, table 0103): production, training, debugging. */
const PROCESSING_IDS: ReadonlySet<string> = new Set(['P', 'T', 'D']);

/** A message that is refused as a whole (AR) rather than failing in the application (AE). */
class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly location?: AckError['location'],
  ) {
    super(message);
  }
}

/** The actor of a message: the sending application at its address, over HL7. */
function hl7Actor(message: Hl7Message, peer: Hl7Peer): Actor {
  const application = message.get('MSH-3.1') || 'unknown';
  return {
    username: `hl7:${application}`,
    roles: ['hl7-interface'],
    protocol: 'hl7',
    ...(peer.address !== undefined ? { address: peer.address } : {}),
  };
}

/** An AppError's parameter such as `ORC-2` or `MRG-1` as an ERR location. */
function locationOf(parameter: string | undefined): AckError['location'] {
  const match = /^([A-Z][A-Z0-9]{2})-(\d+)$/.exec(parameter ?? '');
  return match === null ? undefined : { segment: match[1]!, field: Number(match[2]) };
}

/** A domain error as an ACK error (table 0357): unknown key 204, duplicate key 205, else 207. */
function applicationError(error: unknown): AckError | undefined {
  if (error instanceof Hl7ParseError) {
    return { code: error.code, text: error.message, ...(error.location ? { location: error.location } : {}) };
  }
  if (!isAppError(error)) return undefined;
  const location = locationOf(error.parameter);
  const code =
    error.code === ErrorCode.NotFound
      ? '204'
      : error.code === ErrorCode.Conflict && error.parameter !== undefined
        ? '205'
        : error.code === ErrorCode.InvalidParameter
          ? '101'
          : '207';
  return { code, text: error.detail, ...(location !== undefined ? { location } : {}) };
}

/**
 * Which acknowledgement to send (HL7 v2.5.1 §2.9.2, §2.9.3): in original mode (MSH-15 and MSH-16 empty)
 * always the application ACK. In enhanced mode the application ACK when MSH-16 asks for it — on this
 * connection, since Lightbox answers after applying — else the commit ACK when MSH-15 asks for it, else
 * nothing. AL always, NE never, ER on error, SU on success.
 */
function ackToSend(message: Hl7Message, code: AckCode): AckCode | undefined {
  const accept = message.acceptAckType.toUpperCase();
  const application = message.applicationAckType.toUpperCase();
  if (accept === '' && application === '') return code;
  const wanted = (type: string, success: boolean) =>
    type === 'AL' || (type === 'ER' && !success) || (type === 'SU' && success);
  const success = code === 'AA';
  if (wanted(application, success)) return code;
  const commit: AckCode = code === 'AR' ? 'CR' : code === 'AE' ? 'CE' : 'CA';
  if (wanted(accept === '' ? 'AL' : accept, commit === 'CA')) return commit;
  return undefined;
}

/** Logs an applied message with its AA, in the transaction that applied it. */
type LogApplied = (trx: Transaction<Tables>, detail: string) => Promise<void>;

/** Applies a message; `logged` says whether its log row was written in the applying transaction. */
async function apply(
  message: Hl7Message,
  deps: Hl7InterfaceDeps,
  actor: Actor,
  logApplied: LogApplied,
): Promise<{ detail: string; state: string; logged: boolean }> {
  const type = message.messageType.toUpperCase();
  const event = message.triggerEvent.toUpperCase();
  if (type === 'ADT') {
    const outcome = await applyAdt(message, deps.ris, actor, logApplied);
    return {
      detail: outcome.detail,
      state: outcome.applied ? 'processed' : 'ignored',
      logged: outcome.applied,
    };
  }
  if ((type === 'ORM' && event === 'O01') || (type === 'OMI' && event === 'O23')) {
    const commands = orderCommandsOf(message);
    const detailOf = (summaries: OrderSummary[]) =>
      summaries.map((s) => `${s.accessionNumber} ${s.status}`).join('; ');
    const summaries = await deps.ris.applyOrders(commands, actor, (trx, done) =>
      logApplied(trx, detailOf(done)),
    );
    return { detail: detailOf(summaries), state: 'processed', logged: true };
  }
  if (type === 'ORM' || type === 'OMI') {
    throw new Refusal('201', `${type}^${event} is not supported (ORM^O01 and OMI^O23 are)`, {
      segment: 'MSH',
      field: 9,
    });
  }
  throw new Refusal('200', `message type ${type || '(none)'} is not supported (ADT, ORM, OMI are)`, {
    segment: 'MSH',
    field: 9,
  });
}

/**
 * Receives one HL7 message (the MLLP payload) and returns the acknowledgement to send: parse, refuse what
 * cannot be read or is not supported (AR), answer a resent accepted message from the log without applying
 * it again, apply it in one transaction (AA, or AE with the reason in ERR), and log it raw with its answer.
 */
export async function receiveHl7Message(
  payload: Uint8Array,
  peer: Hl7Peer,
  deps: Hl7InterfaceDeps,
): Promise<Uint8Array | undefined> {
  const peerName = peer.address ?? 'unknown';
  let text: string;
  let message: Hl7Message;
  // A character set Lightbox cannot read (MSH-18) is refused; the text is still read as Latin-1 so that
  // the refusal can name the message.
  let unreadableCharset: string | undefined;
  try {
    text = decodeMessageBytes(payload);
  } catch (error) {
    text = Buffer.from(payload).toString('latin1');
    unreadableCharset =
      error instanceof Error ? error.message : 'the character set (MSH-18) is not supported';
  }
  try {
    message = parseMessage(text);
  } catch (error) {
    const code = error instanceof Hl7ParseError ? error.code : '100';
    const detail = error instanceof Error ? error.message : 'the message cannot be read';
    const controlId = /^MSH(.)(?:[^\r\n]*?\1){8}([^\r\n]*?)(?:\1|\r|\n|$)/.exec(text)?.[2] ?? '';
    const ack = buildRejectForUnparsable({
      sendingApplication: deps.applicationName,
      controlId: `R${Date.now().toString(36)}`.toUpperCase(),
      ...(controlId !== '' ? { originalControlId: controlId } : {}),
      code,
      text: detail,
    });
    await deps.log.recordInbound({
      peer: peerName,
      messageType: '',
      controlId,
      sendingApplication: '',
      sendingFacility: '',
      version: '',
      raw: text,
      state: 'rejected',
      ackCode: 'AR',
      ack,
      detail,
    });
    return encodeMessageText(ack, undefined);
  }
  if (message.messageType.toUpperCase() === 'ACK') return undefined; // an acknowledgement is never answered
  const sendingApplication = message.get('MSH-3.1');
  const sendingFacility = message.get('MSH-4.1');
  const dedupeKey = `${sendingApplication}|${sendingFacility}|${message.controlId}`;
  const previous = await deps.log.acceptedAck(dedupeKey);
  if (previous !== undefined) return encodeReply(previous, message);

  const ackFor = (code: AckCode, errors: AckError[]) =>
    buildAck(message, code, {
      sendingApplication: deps.applicationName,
      ...(deps.facilityName !== undefined ? { sendingFacility: deps.facilityName } : {}),
      controlId: `${message.controlId.slice(0, 15)}A${Date.now().toString(36)}`.slice(0, 20),
      errors,
    });
  const record = (state: string, code: AckCode, ack: string, detail: string) => ({
    peer: peerName,
    messageType: `${message.messageType}^${message.triggerEvent}`,
    controlId: message.controlId,
    sendingApplication,
    sendingFacility,
    version: message.version,
    raw: text,
    state,
    ackCode: code,
    ack,
    detail,
    ...(code === 'AA' ? { dedupeKey } : {}),
  });
  let code: AckCode = 'AA';
  let errors: AckError[] = [];
  let ack = '';
  try {
    if (unreadableCharset !== undefined) {
      throw new Refusal('102', unreadableCharset, { segment: 'MSH', field: 18 });
    }
    if (!PROCESSING_IDS.has(message.processingId.toUpperCase())) {
      throw new Refusal('202', `processing ID ${message.processingId || '(none)'} is not supported`, {
        segment: 'MSH',
        field: 11,
      });
    }
    if (!SUPPORTED_VERSION.test(message.version)) {
      throw new Refusal('203', `version ${message.version || '(none)'} is not supported (2.1 to 2.9 are)`, {
        segment: 'MSH',
        field: 12,
      });
    }
    // An applied message is logged with its AA in the same transaction: one commit, and a concurrent
    // resend of it fails on the dedupe key and is rolled back instead of being applied twice.
    const outcome = await apply(message, deps, hl7Actor(message, peer), async (trx, detail) => {
      ack = ackFor('AA', []);
      await deps.log.recordInbound(record('processed', 'AA', ack, detail), trx);
    });
    if (!outcome.logged) {
      ack = ackFor('AA', []);
      await deps.log.recordInbound(record(outcome.state, 'AA', ack, outcome.detail));
    }
  } catch (error) {
    const resent = isUniqueViolation(error) ? await deps.log.acceptedAck(dedupeKey) : undefined;
    if (resent !== undefined) return encodeReply(resent, message);
    if (error instanceof Refusal) {
      code = 'AR';
      errors = [
        { code: error.code, text: error.message, ...(error.location ? { location: error.location } : {}) },
      ];
    } else {
      const known = applicationError(error);
      if (known === undefined) {
        deps.logger.error({ err: error, controlId: message.controlId }, 'HL7 message failed');
        errors = [{ code: '207', text: 'the message could not be applied; see the server log' }];
      } else {
        errors = [known];
      }
      code = 'AE';
    }
    ack = ackFor(code, errors);
    await deps.log.recordInbound(
      record(code === 'AR' ? 'rejected' : 'error', code, ack, errors[0]?.text ?? ''),
    );
  }
  const send = ackToSend(message, code);
  if (send === undefined) return undefined;
  const reply =
    send === code
      ? ack
      : buildAck(message, send, {
          sendingApplication: deps.applicationName,
          controlId: `${message.controlId.slice(0, 15)}C${Date.now().toString(36)}`.slice(0, 20),
          errors,
        });
  return encodeReply(reply, message);
}

/** The reply in the message's character set, or in Latin-1 when that set cannot be written. */
function encodeReply(reply: string, message: Hl7Message): Uint8Array {
  try {
    return encodeMessageText(reply, message.characterSet || undefined);
  } catch {
    return encodeMessageText(reply, undefined);
  }
}
