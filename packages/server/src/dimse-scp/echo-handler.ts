import { CommandField, Status } from '@lightbox/dimse';
import { respond, type DimseRequest } from './dimse-request.js';

/** C-ECHO (PS3.7 §9.1.5): the verification service answers success. */
export async function handleEcho(request: DimseRequest): Promise<void> {
  await respond(request, { commandField: CommandField.CEchoRsp, status: Status.Success });
}
