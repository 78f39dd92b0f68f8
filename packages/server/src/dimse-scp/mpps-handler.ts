import { generateUid, type DicomJson } from '@lightbox/dicom';
import { CommandField, Status } from '@lightbox/dimse';
import type { Actor } from '../security/actor.js';
import { ErrorCode, isAppError } from '../shared/app-error.js';
import { respond, type DimseRequest } from './dimse-request.js';
import { readIdentifier } from './identifier.js';

/** The performed procedure steps as the handler needs them. */
export interface PerformedStepsPort {
  create(sopInstanceUid: string, attributes: DicomJson, actor: Actor): Promise<void>;
  update(sopInstanceUid: string, modifications: DicomJson, actor: Actor): Promise<DicomJson>;
}

/** PS3.7 C.5.x: No such object instance. */
const NO_SUCH_OBJECT_INSTANCE = 0x0112;
/** PS3.7 C.5.x: Missing attribute value (a required attribute was sent empty) — used for a missing data set. */
const MISSING_ATTRIBUTE = 0x0120;

/** Error ID (0000,0903) of "Performed Procedure Step object may no longer be updated" (PS3.4 F.7.2.2.2). */
const NO_LONGER_UPDATABLE_ERROR_ID = 0xa710;

function statusOf(error: unknown): { status: number; comment: string; errorId?: number } | undefined {
  if (!isAppError(error)) return undefined;
  if (error.code === ErrorCode.NotFound) return { status: NO_SUCH_OBJECT_INSTANCE, comment: error.detail };
  if (error.code === ErrorCode.NoLongerUpdatable) {
    return { status: error.code.dicom, comment: error.detail, errorId: NO_LONGER_UPDATABLE_ERROR_ID };
  }
  return { status: error.code.dicom, comment: error.detail };
}

/**
 * MPPS SCP (PS3.4 F.7.2): N-CREATE records a step IN PROGRESS (the SCP assigns the SOP Instance UID when
 * the SCU did not), N-SET updates it until it is COMPLETED or DISCONTINUED.
 */
export async function handleMpps(request: DimseRequest, steps: PerformedStepsPort): Promise<void> {
  const { command, context } = request.message;
  const creating = command.commandField === CommandField.NCreateRq;
  const responseField = creating ? CommandField.NCreateRsp : CommandField.NSetRsp;
  // An empty UID is no UID (PS3.5 §9.1): on N-CREATE the SCP then assigns one (PS3.4 F.7.2.1.1).
  const sopInstanceUid = creating
    ? command.affectedSopInstanceUid || generateUid()
    : (command.requestedSopInstanceUid ?? '');
  const answer = (status: number, errorComment?: string, errorId?: number) =>
    respond(request, {
      commandField: responseField,
      affectedSopClassUid: context.abstractSyntax,
      affectedSopInstanceUid: sopInstanceUid,
      status,
      ...(errorComment !== undefined ? { errorComment } : {}),
      ...(errorId !== undefined ? { errorId } : {}),
    });
  const attributes = await readIdentifier(request);
  if (attributes === undefined) {
    await answer(MISSING_ATTRIBUTE, 'the request carries no readable data set');
    return;
  }
  try {
    if (creating) await steps.create(sopInstanceUid, attributes, request.actor);
    else await steps.update(sopInstanceUid, attributes, request.actor);
  } catch (error) {
    const failure = statusOf(error);
    if (failure === undefined) throw error;
    await answer(failure.status, failure.comment, failure.errorId);
    return;
  }
  // The response names the instance (chosen by the SCP when the SCU gave none); attributes are optional.
  await answer(Status.Success);
}
