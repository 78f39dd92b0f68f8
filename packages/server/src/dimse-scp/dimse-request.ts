import type { Association, IncomingMessage, OutgoingCommand } from '@lightbox/dimse';
import type { Logger } from 'pino';
import type { Archive } from '../archive/archive.js';
import type { Actor } from '../security/actor.js';

/** Everything a DIMSE service handler gets for one request. */
export interface DimseRequest {
  association: Association;
  message: IncomingMessage;
  actor: Actor;
  archive: Archive;
  logger: Logger;
  /** Storage SOP classes for which the requestor accepted the SCP role (PS3.7 D.3.3.4): C-GET's targets. */
  storageScpRoles: ReadonlySet<string>;
}

/** Longest Error Comment (0000,0902): LO, 64 characters. */
const MAX_ERROR_COMMENT = 64;

/** Sends the response to a request on its presentation context, echoing its message ID and SOP UIDs. */
export function respond(
  request: DimseRequest,
  response: Omit<OutgoingCommand, 'messageIdBeingRespondedTo'>,
  dataSet?: Uint8Array,
): Promise<void> {
  const { command, context } = request.message;
  const full: OutgoingCommand = {
    affectedSopClassUid: command.affectedSopClassUid ?? context.abstractSyntax,
    ...response,
    messageIdBeingRespondedTo: command.messageId ?? 0,
  };
  if (full.errorComment !== undefined) full.errorComment = full.errorComment.slice(0, MAX_ERROR_COMMENT);
  return request.association.send(context.id, full, dataSet);
}
