/**
 * One DICOM association over a TCP (or TLS) socket: the upper layer state machine of PS3.8 §9.2 for the
 * acceptor and the requestor, P-DATA-TF fragmentation and reassembly, release and abort, and the ARTIM and
 * DIMSE timeouts. It knows nothing of the archive: incoming DIMSE messages go to a handler.
 */
import type { Socket } from 'node:net';
import {
  decodeCommandSet,
  encodeCommandSet,
  type CommandSet,
  CommandSetError,
} from '../message/command-set.js';
import { CommandField, isPending, NO_DATA_SET } from '../message/command-field.js';
import {
  decodeAssociateAccept,
  decodeAssociateRequest,
  encodeAssociateAccept,
  encodeAssociateRequest,
  type AnsweredPresentationContext,
  type AssociateAccept,
  type AssociateRequest,
  isAccepted,
} from '../pdu/associate-pdu.js';
import {
  decodeAbort,
  decodeAssociateReject,
  encodeAbort,
  encodeAssociateReject,
  encodeReleaseRequest,
  encodeReleaseResponse,
  type AssociateReject,
} from '../pdu/control-pdus.js';
import {
  decodePresentationDataValues,
  presentationDataValueHeader,
  wholeMessagePduLength,
  writeWholeMessagePdu,
} from '../pdu/p-data-pdu.js';
import { PduError } from '../pdu/pdu-error.js';
import { PduFramer, type ReceivedPdu } from '../pdu/pdu-framer.js';
import {
  AbortReason,
  PDU_HEADER_LENGTH,
  PDV_HEADER_LENGTH,
  PduType,
  type SourceAndReason,
} from '../pdu/pdu-type.js';
import { DataSetStream } from './data-set-stream.js';

/** The few logger methods the upper layer uses (pino's signature). */
export interface DimseLogger {
  debug(object: object, message: string): void;
  info(object: object, message: string): void;
  warn(object: object, message: string): void;
}

/** Limits and timeouts of an association. */
export interface AssociationLimits {
  /** Largest P-DATA-TF body we receive (announced in A-ASSOCIATE). Default 256 KiB. */
  maxPduLength: number;
  /** Time allowed for the A-ASSOCIATE exchange and for the peer to close after release (PS3.8 §9.1.5). */
  artimTimeoutMs: number;
  /** An established association silent this long is aborted. */
  idleTimeoutMs: number;
  /** Bytes of an incoming data set queued before the socket is paused. */
  dataSetHighWaterMark: number;
}

/** Defaults of {@link AssociationLimits}. */
export const DEFAULT_ASSOCIATION_LIMITS: AssociationLimits = {
  maxPduLength: 256 * 1024,
  artimTimeoutMs: 30_000,
  idleTimeoutMs: 5 * 60_000,
  dataSetHighWaterMark: 1024 * 1024,
};

/** Largest command set accepted (commands are a few hundred bytes; this bounds a hostile one). */
const MAX_COMMAND_BYTES = 64 * 1024;
/** Non-data PDUs (A-ASSOCIATE with many contexts) may be larger than the data PDU limit. */
const MAX_CONTROL_PDU = 1024 * 1024;
/** When the peer announces no limit (0), we still send PDUs of at most this size. */
const DEFAULT_SEND_PDU = 256 * 1024;
/** The largest PDU sent, whatever larger maximum a peer announces. */
const MAX_SEND_PDU = 16 * 1024 * 1024;
/** Bytes of P-DATA-TF PDUs handed to the socket in one write. */
const WRITE_BATCH = 256 * 1024;

/** An accepted presentation context. */
export interface PresentationContext {
  id: number;
  abstractSyntax: string;
  transferSyntax: string;
}

/** One DIMSE message received. */
export interface IncomingMessage {
  command: CommandSet;
  context: PresentationContext;
  /** The data set as it arrives; absent when the command has none. */
  dataSet?: DataSetStream;
}

/** A command to send: the Command Data Set Type is set from whether a data set goes with it. */
export type OutgoingCommand = Omit<CommandSet, 'commandDataSetType'>;

/** One message of a batch sent with {@link Association.sendBatch}; its data set, if any, is in memory. */
export interface OutgoingMessage {
  contextId: number;
  command: OutgoingCommand;
  dataSet?: Uint8Array;
}

/** A response received to a request sent with {@link Association.sendRequest}. */
export interface DimseResponse {
  command: CommandSet;
  /** The response's data set (a C-FIND match, a C-MOVE failed-instance list), read whole: they are small. */
  dataSet?: Uint8Array;
}

/** Largest data set accepted in a response (identifiers, not images). */
const MAX_RESPONSE_DATA_SET = 16 * 1024 * 1024;

interface AwaitedResponse {
  onPending: ((response: DimseResponse) => void) | undefined;
  resolve: (response: DimseResponse) => void;
  reject: (error: Error) => void;
}

/** Thrown to the waiting side when the association ends abnormally. */
export class AssociationClosedError extends Error {
  override readonly name = 'AssociationClosedError';
}

/** Thrown by {@link Association.request} when the acceptor rejects. */
export class AssociationRejectedError extends Error {
  override readonly name = 'AssociationRejectedError';

  constructor(readonly reject: AssociateReject) {
    super(`association rejected (result ${reject.result}, source ${reject.source}, reason ${reject.reason})`);
  }
}

/** What the acceptor answers to an A-ASSOCIATE-RQ. */
export type AssociationDecision =
  | { accept: true; answer: Omit<AssociateAccept, 'protocolVersion' | 'applicationContext'> }
  | { accept: false; reject: AssociateReject };

type State = 'awaiting-request' | 'awaiting-accept' | 'established' | 'releasing' | 'closed';

interface MessageInProgress {
  command: CommandSet;
  context: PresentationContext;
  dataSet: DataSetStream;
}

/** The upper-layer end of one socket. Use {@link Association.accept} or {@link Association.request}. */
export class Association {
  private state: State;
  private readonly framer: PduFramer;
  private readonly contexts = new Map<number, PresentationContext>();
  private peerMaxPdu = DEFAULT_SEND_PDU;
  private commandParts: Uint8Array[] = [];
  private commandBytes = 0;
  private commandContextId = -1;
  private inProgress: MessageInProgress | undefined;
  private readonly handlers = new Set<Promise<void>>();
  private readonly awaiting = new Map<number, AwaitedResponse>();
  private responseChain: Promise<void> = Promise.resolve();
  private peerReleased = false;
  private nextMessageId = 1;
  private sendChain: Promise<void> = Promise.resolve();
  private artim: NodeJS.Timeout | undefined;
  private paused = false;
  private waitingForAccept:
    { resolve: (accept: AssociateAccept) => void; reject: (error: Error) => void } | undefined;
  private waitingForRelease: (() => void) | undefined;
  private readonly closedPromise: Promise<void>;
  private markClosed!: () => void;
  /** The A-ASSOCIATE-RQ (as received by an acceptor, or as sent by a requestor). */
  request: AssociateRequest | undefined;
  /** The A-ASSOCIATE-AC (as sent by an acceptor, or as received by a requestor). */
  accepted: AssociateAccept | undefined;
  /** Why the association ended abnormally, when it did. */
  endReason: string | undefined;

  private constructor(
    readonly socket: Socket,
    private readonly limits: AssociationLimits,
    private readonly logger: DimseLogger,
    initial: State,
    private readonly decide: ((request: AssociateRequest) => Promise<AssociationDecision>) | undefined,
    private readonly onMessage: (message: IncomingMessage, association: Association) => Promise<void>,
  ) {
    this.state = initial;
    this.framer = new PduFramer(Math.max(limits.maxPduLength, MAX_CONTROL_PDU));
    this.closedPromise = new Promise((resolve) => (this.markClosed = resolve));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (error) => this.closed(`socket error: ${error.message}`));
    socket.on('close', () => this.closed('connection closed by the peer'));
    socket.setTimeout(limits.idleTimeoutMs, () => {
      // Waiting for a response is not idleness: a C-MOVE SCP need not send Pending responses (PS3.4 C.4.2.3).
      if (this.awaiting.size > 0) return;
      this.abort(AbortReason.NotSpecified, 'idle timeout');
    });
    this.startArtim();
  }

  /**
   * Serves an incoming connection as the acceptor: waits for the A-ASSOCIATE-RQ, asks `decide`, then hands
   * every DIMSE message to `onMessage` until release or abort.
   */
  static accept(
    socket: Socket,
    options: {
      limits?: Partial<AssociationLimits>;
      logger: DimseLogger;
      decide: (request: AssociateRequest) => Promise<AssociationDecision>;
      onMessage: (message: IncomingMessage, association: Association) => Promise<void>;
    },
  ): Association {
    const limits = { ...DEFAULT_ASSOCIATION_LIMITS, ...options.limits };
    return new Association(
      socket,
      limits,
      options.logger,
      'awaiting-request',
      options.decide,
      options.onMessage,
    );
  }

  /**
   * Opens an association as the requestor on a connected socket; resolves once accepted. Messages the
   * peer sends (e.g. C-STORE sub-operations of a C-GET) go to `onMessage`.
   */
  static async request(
    socket: Socket,
    request: AssociateRequest,
    options: {
      limits?: Partial<AssociationLimits>;
      logger: DimseLogger;
      onMessage?: (message: IncomingMessage, association: Association) => Promise<void>;
    },
  ): Promise<Association> {
    const limits = { ...DEFAULT_ASSOCIATION_LIMITS, ...options.limits };
    const onMessage =
      options.onMessage ??
      (async (message: IncomingMessage) => {
        throw new Error(`unexpected DIMSE request 0x${message.command.commandField.toString(16)}`);
      });
    const association = new Association(
      socket,
      limits,
      options.logger,
      'awaiting-accept',
      undefined,
      onMessage,
    );
    association.request = request;
    const accepted = new Promise<AssociateAccept>((resolve, reject) => {
      association.waitingForAccept = { resolve, reject };
    });
    association.write([
      encodeAssociateRequest({ ...request, user: { ...request.user, maxLength: limits.maxPduLength } }),
    ]);
    const accept = await accepted;
    association.accepted = accept;
    association.establish(accept.presentationContexts, request, accept.user.maxLength);
    return association;
  }

  /** The accepted presentation contexts. */
  presentationContexts(): PresentationContext[] {
    return [...this.contexts.values()];
  }

  /** The first accepted context for an abstract syntax (and transfer syntax, when given). */
  findContext(abstractSyntax: string, transferSyntax?: string): PresentationContext | undefined {
    for (const context of this.contexts.values()) {
      if (context.abstractSyntax !== abstractSyntax) continue;
      if (transferSyntax === undefined || context.transferSyntax === transferSyntax) return context;
    }
    return undefined;
  }

  /** True while messages can be exchanged. */
  /** True when this side opened the association (an SCU's); false when it accepted it. */
  get isRequestor(): boolean {
    return this.decide === undefined;
  }

  get isOpen(): boolean {
    return this.state === 'established';
  }

  /** Resolves when the socket has closed, for whatever reason. */
  get whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  /**
   * Sends one DIMSE message: the command, then the data set (bytes, or chunks as they come). A message
   * whose data set is in memory and fits the peer's maximum PDU length goes out as one P-DATA-TF holding
   * two PDVs (PS3.8 §9.3.5); otherwise each is split into P-DATA-TF PDUs that fit. Messages never interleave.
   */
  send(
    contextId: number,
    command: OutgoingCommand,
    dataSet?: Uint8Array | AsyncIterable<Uint8Array>,
  ): Promise<void> {
    // A data set in memory goes the way of a batch of one; one that streams in chunks is fragmented.
    if (dataSet === undefined || dataSet instanceof Uint8Array) {
      return this.sendBatch([{ contextId, command, ...(dataSet !== undefined ? { dataSet } : {}) }]);
    }
    return this.enqueue(async () => {
      this.assertOpen();
      await this.sendFragmented(contextId, encodeCommandSet(withDataSetType(command, true)), dataSet);
    });
  }

  /**
   * Sends several DIMSE messages in order (e.g. the Pending responses of a C-FIND): each that fits the
   * peer's maximum PDU length as one P-DATA-TF (command PDV, data set PDV), consecutive ones in a single
   * socket write; a larger one fragmented as {@link send} does. Resolves once the socket has taken them
   * (after 'drain' when its buffer is full), so awaiting each batch keeps backpressure.
   */
  sendBatch(messages: readonly OutgoingMessage[]): Promise<void> {
    return this.enqueue(async () => {
      this.assertOpen();
      let whole: Array<{ contextId: number; command: Uint8Array; dataSet: Uint8Array | undefined }> = [];
      let wholeBytes = 0;
      const flush = async () => {
        if (whole.length === 0) return;
        const out = Buffer.allocUnsafe(wholeBytes);
        let at = 0;
        for (const m of whole) at = writeWholeMessagePdu(out, at, m.contextId, m.command, m.dataSet);
        whole = [];
        wholeBytes = 0;
        await this.write([out]);
      };
      // The Pending responses of one request share their command: encoded once.
      let previous: { command: OutgoingCommand; withData: boolean; bytes: Uint8Array } | undefined;
      for (const { contextId, command, dataSet } of messages) {
        const withData = dataSet !== undefined;
        const commandBytes =
          previous !== undefined && previous.command === command && previous.withData === withData
            ? previous.bytes
            : encodeCommandSet(withDataSetType(command, withData));
        previous = { command, withData, bytes: commandBytes };
        const length = wholeMessagePduLength(commandBytes, dataSet);
        if (length - PDU_HEADER_LENGTH <= this.peerMaxPdu) {
          whole.push({ contextId, command: commandBytes, dataSet });
          wholeBytes += length;
          continue;
        }
        await flush();
        await this.sendFragmented(contextId, commandBytes, dataSet);
      }
      await flush();
    });
  }

  /** Runs sends one after the other, in call order. */
  private enqueue(run: () => Promise<void>): Promise<void> {
    const sent = this.sendChain.then(run);
    this.sendChain = sent.catch(() => undefined);
    return sent;
  }

  private assertOpen(): void {
    if (this.state === 'closed') throw new AssociationClosedError(this.endReason ?? 'association closed');
  }

  /** The command in P-DATA-TF PDUs of its own, then the data set's fragments in as many as it needs. */
  private async sendFragmented(
    contextId: number,
    commandBytes: Uint8Array,
    dataSet: Uint8Array | AsyncIterable<Uint8Array> | undefined,
  ): Promise<void> {
    await this.sendFragments(contextId, true, single(commandBytes));
    if (dataSet === undefined) return;
    try {
      await this.sendFragments(contextId, false, dataSet instanceof Uint8Array ? single(dataSet) : dataSet);
    } catch (error) {
      // The command is out and its data set cannot be finished: the peer would take the next message
      // for the rest of it, so the association cannot continue (PS3.8 §9.3.5.1).
      if (!(error instanceof AssociationClosedError))
        this.abort(AbortReason.User, 'outgoing data set failed');
      throw error;
    }
  }

  /** Releases the association (requestor side): waits for the A-RELEASE-RP, then closes the connection. */
  async release(): Promise<void> {
    if (this.state !== 'established') return;
    await this.sendChain;
    // The peer may have asked to release meanwhile: it has been answered, and it closes the connection.
    if (this.state !== 'established') {
      await this.closedPromise;
      return;
    }
    this.state = 'releasing';
    const released = new Promise<void>((resolve) => (this.waitingForRelease = resolve));
    this.startArtim();
    await this.write([encodeReleaseRequest()]);
    await Promise.race([released, this.closedPromise]);
    if (!this.isRequestor && this.peerReleased) {
      // The acceptor's side of a release collision ends in Sta13: the requestor closes the connection.
      this.socket.end();
      await this.closedPromise;
      return;
    }
    // PS3.8 Table 9-10 AR-3: with the A-RELEASE-RP in, the side that asked closes the transport
    // connection itself: once what it wrote is out, not once the peer has closed too, which held up what
    // follows (a C-MOVE's final response) until the ARTIM timer with peers that wait for that close (Sta13).
    await Promise.race([new Promise<void>((resolve) => this.socket.end(resolve)), this.closedPromise]);
    this.closed('released');
  }

  /** Aborts the association (A-ABORT, then close). */
  abort(reason: SourceAndReason = AbortReason.User, why = 'aborted locally'): void {
    if (this.state === 'closed') return;
    this.logger.warn({ reason, why }, 'aborting association');
    this.endReason = why;
    if (!this.socket.destroyed) this.socket.end(encodeAbort(reason));
    this.closed(why);
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private startArtim(): void {
    clearTimeout(this.artim);
    this.artim = setTimeout(() => {
      this.endReason = 'ARTIM timer expired';
      this.socket.destroy();
    }, this.limits.artimTimeoutMs);
    this.artim.unref();
  }

  private closed(why: string): void {
    if (this.state === 'closed') return;
    const wasReleasing = this.state === 'releasing';
    this.state = 'closed';
    this.endReason ??= wasReleasing ? undefined : why;
    clearTimeout(this.artim);
    const error = new AssociationClosedError(why);
    this.inProgress?.dataSet.fail(error);
    this.inProgress = undefined;
    this.waitingForAccept?.reject(error);
    this.waitingForAccept = undefined;
    for (const waiter of this.awaiting.values()) waiter.reject(error);
    this.awaiting.clear();
    this.socket.destroy();
    this.markClosed();
  }

  // A method, so that TypeScript does not narrow `state` across calls that change it.
  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private receive(chunk: Buffer): void {
    if (this.state === 'closed') return;
    try {
      for (const received of this.framer.push(chunk)) {
        this.handlePdu(received);
        if (this.isClosed()) return;
      }
    } catch (error) {
      if (error instanceof PduError) this.abort(error.abort, error.message);
      else if (error instanceof CommandSetError)
        this.abort(AbortReason.InvalidPduParameterValue, error.message);
      else throw error;
    }
  }

  private handlePdu(received: ReceivedPdu): void {
    const { type, body } = received;
    if (type === PduType.DataTransfer && body.length > this.limits.maxPduLength) {
      throw new PduError(`P-DATA-TF of ${body.length} bytes exceeds the negotiated maximum`);
    }
    switch (type) {
      case PduType.AssociateRequest:
        if (this.state !== 'awaiting-request')
          throw new PduError('unexpected A-ASSOCIATE-RQ', AbortReason.UnexpectedPdu);
        this.state = 'awaiting-accept';
        this.onAssociateRequest(decodeAssociateRequest(body));
        return;
      case PduType.AssociateAccept:
        if (this.state !== 'awaiting-accept' || this.waitingForAccept === undefined) {
          throw new PduError('unexpected A-ASSOCIATE-AC', AbortReason.UnexpectedPdu);
        }
        this.waitingForAccept.resolve(decodeAssociateAccept(body));
        this.waitingForAccept = undefined;
        return;
      case PduType.AssociateReject:
        if (this.waitingForAccept === undefined)
          throw new PduError('unexpected A-ASSOCIATE-RJ', AbortReason.UnexpectedPdu);
        this.waitingForAccept.reject(new AssociationRejectedError(decodeAssociateReject(body)));
        this.waitingForAccept = undefined;
        this.closed('association rejected');
        return;
      case PduType.DataTransfer:
        if ((this.state !== 'established' && this.state !== 'releasing') || this.peerReleased) {
          // PS3.8 Table 9-10 (Sta8, AA-8): no P-DATA after the peer asked to release.
          throw new PduError('P-DATA-TF outside an established association', AbortReason.UnexpectedPdu);
        }
        for (const value of decodePresentationDataValues(body)) this.onPresentationData(value);
        return;
      case PduType.ReleaseRequest:
        if (this.state === 'releasing' && this.waitingForRelease !== undefined && !this.peerReleased) {
          this.onReleaseCollision();
          return;
        }
        if (this.state !== 'established')
          throw new PduError('unexpected A-RELEASE-RQ', AbortReason.UnexpectedPdu);
        // A release in the middle of a data set would wait forever for the rest of it.
        if (this.inProgress !== undefined)
          throw new PduError('A-RELEASE-RQ inside a data set', AbortReason.UnexpectedPdu);
        this.peerReleased = true;
        this.onReleaseRequest().catch((error: unknown) => {
          this.logger.debug({ err: error }, 'release not confirmed: the peer went away');
        });
        return;
      case PduType.ReleaseResponse:
        if (this.state !== 'releasing' || this.waitingForRelease === undefined) {
          throw new PduError('unexpected A-RELEASE-RP', AbortReason.UnexpectedPdu);
        }
        this.waitingForRelease();
        this.waitingForRelease = undefined;
        return;
      case PduType.Abort: {
        const abort = decodeAbort(body);
        this.endReason = `aborted by the peer (source ${abort.source}, reason ${abort.reason})`;
        this.closed(this.endReason);
        return;
      }
      default:
        throw new PduError(`unknown PDU type 0x${type.toString(16)}`, AbortReason.UnrecognizedPdu);
    }
  }

  private onAssociateRequest(request: AssociateRequest): void {
    this.request = request;
    this.pause();
    this.decide!(request)
      .then(async (decision) => {
        if (this.state === 'closed') return;
        if (!decision.accept) {
          await this.write([encodeAssociateReject(decision.reject)]);
          this.startArtim(); // the requestor closes the connection (PS3.8 §9.2 Sta13)
          this.socket.end();
          return;
        }
        const accept: AssociateAccept = {
          protocolVersion: 1,
          applicationContext: request.applicationContext,
          ...decision.answer,
          user: { ...decision.answer.user, maxLength: this.limits.maxPduLength },
        };
        this.accepted = accept;
        this.establish(accept.presentationContexts, request, request.user.maxLength);
        await this.write([encodeAssociateAccept(accept)]);
        this.resume();
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'association negotiation failed');
        this.abort(AbortReason.NotSpecified, 'negotiation failed');
      });
  }

  private establish(
    answered: AnsweredPresentationContext[],
    request: AssociateRequest,
    peerMax: number,
  ): void {
    for (const context of answered) {
      if (!isAccepted(context)) continue;
      const proposed = request.presentationContexts.find((p) => p.id === context.id);
      if (proposed === undefined) continue;
      this.contexts.set(context.id, {
        id: context.id,
        abstractSyntax: proposed.abstractSyntax,
        transferSyntax: context.transferSyntax,
      });
    }
    // Maximum Length is an unsigned 32-bit field: PDUs larger than MAX_SEND_PDU gain nothing (they leave
    // in WRITE_BATCH writes anyway) and would overflow 32-bit arithmetic on the way.
    this.peerMaxPdu =
      peerMax === 0 ? DEFAULT_SEND_PDU : Math.min(Math.max(peerMax, PDV_HEADER_LENGTH + 2), MAX_SEND_PDU);
    this.state = 'established';
    clearTimeout(this.artim);
  }

  private onPresentationData(value: {
    contextId: number;
    command: boolean;
    last: boolean;
    data: Uint8Array;
  }): void {
    const context = this.contexts.get(value.contextId);
    if (context === undefined) {
      throw new PduError(`PDV on presentation context ${value.contextId}, which was not accepted`);
    }
    if (value.command) {
      if (this.inProgress !== undefined)
        throw new PduError('command fragment while a data set is incomplete');
      if (this.commandBytes > 0 && this.commandContextId !== value.contextId) {
        throw new PduError('command fragments on different presentation contexts');
      }
      this.commandContextId = value.contextId;
      this.commandParts.push(value.data);
      this.commandBytes += value.data.length;
      if (this.commandBytes > MAX_COMMAND_BYTES) throw new PduError('command set too large');
      if (!value.last) return;
      const command = decodeCommandSet(Buffer.concat(this.commandParts));
      this.commandParts = [];
      this.commandBytes = 0;
      if (command.commandDataSetType === NO_DATA_SET) {
        this.dispatch({ command, context });
        return;
      }
      const dataSet = new DataSetStream(this.limits.dataSetHighWaterMark, () => this.resume());
      this.inProgress = { command, context, dataSet };
      this.dispatch({ command, context, dataSet });
      return;
    }
    const current = this.inProgress;
    if (current === undefined) throw new PduError('data set fragment without a command');
    if (current.context.id !== value.contextId)
      throw new PduError('data set fragment on another presentation context');
    if (!current.dataSet.push(value.data)) this.pause();
    if (value.last) {
      current.dataSet.end();
      this.inProgress = undefined;
    }
  }

  private dispatch(message: IncomingMessage): void {
    // Responses are handled in arrival order: a final response must not overtake the Pending one before
    // it whose data set is still being read.
    const work = isResponse(message.command.commandField)
      ? (this.responseChain = this.responseChain
          .then(() => this.onResponse(message))
          .catch((error: unknown) => {
            this.logger.warn({ err: error }, 'a DIMSE response could not be read');
          }))
      : this.onMessage(message, this);
    const handled = work
      .catch((error: unknown) => {
        this.logger.warn({ err: error, command: message.command.commandField }, 'DIMSE handler failed');
      })
      .finally(() => {
        // A handler that stopped reading (a refused object) lets the rest of the data set drain.
        if (message.dataSet !== undefined && !message.dataSet.finished) message.dataSet.discard();
        this.handlers.delete(handled);
      });
    this.handlers.add(handled);
  }

  /**
   * Sends a request with the next message ID and resolves with its final response; Pending responses
   * (C-FIND matches, C-MOVE/C-GET progress) go to `onPending` as they arrive.
   */
  async sendRequest(
    contextId: number,
    command: Omit<OutgoingCommand, 'messageId'>,
    dataSet?: Uint8Array | AsyncIterable<Uint8Array>,
    onPending?: (response: DimseResponse) => void,
  ): Promise<DimseResponse> {
    const messageId = this.nextMessageId;
    this.nextMessageId = (this.nextMessageId % 0xffff) + 1;
    const response = new Promise<DimseResponse>((resolve, reject) => {
      this.awaiting.set(messageId, { onPending, resolve, reject });
    });
    try {
      await this.send(contextId, { ...command, messageId }, dataSet);
    } catch (error) {
      this.awaiting.delete(messageId);
      throw error;
    }
    return response;
  }

  /** Sends C-CANCEL-RQ for a request made with {@link sendRequest} (PS3.7 §9.3.2.3). */
  cancel(contextId: number, messageId: number): Promise<void> {
    return this.send(contextId, {
      commandField: CommandField.CCancelRq,
      messageIdBeingRespondedTo: messageId,
    });
  }

  /** The message ID the next {@link sendRequest} will use. */
  get pendingMessageId(): number {
    return this.nextMessageId;
  }

  private async onResponse(message: IncomingMessage): Promise<void> {
    const id = message.command.messageIdBeingRespondedTo ?? -1;
    const waiter = this.awaiting.get(id);
    if (waiter === undefined) {
      this.logger.warn({ messageId: id }, 'response to no outstanding request');
      return;
    }
    let dataSet: Uint8Array | undefined;
    try {
      dataSet = await message.dataSet?.readAll(MAX_RESPONSE_DATA_SET);
    } catch (error) {
      // The request cannot complete: its caller learns why instead of waiting for the association to end.
      this.awaiting.delete(id);
      waiter.reject(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const response: DimseResponse = {
      command: message.command,
      ...(dataSet !== undefined ? { dataSet } : {}),
    };
    if (isPending(message.command.status ?? 0)) {
      waiter.onPending?.(response);
      return;
    }
    this.awaiting.delete(id);
    waiter.resolve(response);
  }

  /**
   * Both ends asked to release at once (PS3.8 §7.2.2, Table 9-10 AR-8). The requestor answers the peer's
   * A-RELEASE-RQ at once and then waits for its own answer (Sta9 → Sta11); the acceptor waits for the
   * answer to its request first and answers after it (Sta10 → Sta12), so the two replies never cross.
   */
  private onReleaseCollision(): void {
    this.peerReleased = true;
    if (this.isRequestor) {
      this.write([encodeReleaseResponse()]).catch((error: unknown) => {
        this.logger.debug({ err: error }, 'release collision: answer not sent, the peer went away');
      });
      return;
    }
    const ownAnswered = this.waitingForRelease!;
    this.waitingForRelease = () => {
      this.write([encodeReleaseResponse()])
        .catch((error: unknown) => {
          this.logger.debug({ err: error }, 'release collision: answer not sent, the peer went away');
        })
        .finally(ownAnswered);
    };
  }

  private async onReleaseRequest(): Promise<void> {
    this.state = 'releasing';
    // Outstanding operations finish (and their responses go out) before the release is confirmed.
    while (this.handlers.size > 0) await Promise.allSettled([...this.handlers]);
    await this.sendChain;
    if (this.socket.destroyed) return;
    await this.write([encodeReleaseResponse()]);
    this.startArtim(); // the requestor closes the transport (PS3.8 §9.2 Sta13)
  }

  private pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.socket.pause();
  }

  private resume(): void {
    if (!this.paused || this.state === 'closed') return;
    this.paused = false;
    this.socket.resume();
  }

  private async sendFragments(
    contextId: number,
    command: boolean,
    source: AsyncIterable<Uint8Array>,
  ): Promise<void> {
    // Every PDV but the last is as full as the peer takes, and even: DICOM values are even, and peers
    // refuse a fragment of odd length (DCMTK: "Odd Fragment Length"). The source's chunks have any
    // length (a 27-byte frame, then its pad byte), so PDVs are cut across chunks, not at their ends.
    const room = this.peerMaxPdu - PDV_HEADER_LENGTH;
    const size = room - (room % 2);
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    // PDUs leave in batches of about WRITE_BATCH bytes, one socket write (writev) each: a peer with small
    // PDUs (DCMTK's default is 16 KB) would otherwise cost a system call and a wait per PDU.
    let batch: Uint8Array[] = [];
    let batched = 0;
    for await (const chunk of source) {
      let rest = chunk;
      // A full PDV stays pending until more follows, so that the last one can carry the last flag.
      while (pendingBytes + rest.length > size) {
        const take = size - pendingBytes;
        batch.push(presentationDataValueHeader(contextId, command, false, size), ...pending);
        batch.push(rest.subarray(0, take));
        rest = rest.subarray(take);
        pending = [];
        pendingBytes = 0;
        batched += size;
        if (batched >= WRITE_BATCH) {
          await this.write(batch);
          batch = [];
          batched = 0;
        }
      }
      if (rest.length > 0) {
        pending.push(rest);
        pendingBytes += rest.length;
      }
    }
    batch.push(presentationDataValueHeader(contextId, command, true, pendingBytes), ...pending);
    await this.write(batch);
  }

  private write(parts: Uint8Array[]): Promise<void> {
    if (this.socket.destroyed || this.socket.writableEnded) {
      return Promise.reject(new AssociationClosedError(this.endReason ?? 'association closed'));
    }
    let flushed = true;
    if (parts.length > 1) this.socket.cork();
    for (const part of parts) flushed = this.socket.write(part);
    if (parts.length > 1) this.socket.uncork();
    if (flushed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = () => {
        this.socket.off('close', onClose);
        resolve();
      };
      const onClose = () => {
        this.socket.off('drain', onDrain);
        reject(new AssociationClosedError(this.endReason ?? 'association closed'));
      };
      this.socket.once('drain', onDrain);
      this.socket.once('close', onClose);
    });
  }
}

/** The full command: PS3.7 E.1-1, any Command Data Set Type other than 0101H says a data set follows. */
function withDataSetType(command: OutgoingCommand, withData: boolean): CommandSet {
  return { ...command, commandDataSetType: withData ? 0x0000 : NO_DATA_SET };
}

/** Response command fields have bit 15 set; C-CANCEL-RQ (0FFFH) is a request. */
function isResponse(commandField: number): boolean {
  return (commandField & 0x8000) !== 0;
}

async function* single(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
