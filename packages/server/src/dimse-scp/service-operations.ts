import { CommandField, Status, type CommandSet } from '@lightbox/dimse';
import { isStorageSopClass, ServiceSopClass } from './sop-classes.js';

/** PS3.7 C.5.20 "Unrecognized operation": the SOP class of the context has no such operation. */
export const UNRECOGNIZED_OPERATION = 0x0211;

const OPERATIONS: ReadonlyMap<string, readonly number[]> = new Map<string, readonly number[]>([
  [ServiceSopClass.Verification, [CommandField.CEchoRq]],
  [ServiceSopClass.PatientRootFind, [CommandField.CFindRq]],
  [ServiceSopClass.StudyRootFind, [CommandField.CFindRq]],
  [ServiceSopClass.ModalityWorklistFind, [CommandField.CFindRq]],
  [ServiceSopClass.PatientRootMove, [CommandField.CMoveRq]],
  [ServiceSopClass.StudyRootMove, [CommandField.CMoveRq]],
  [ServiceSopClass.PatientRootGet, [CommandField.CGetRq]],
  [ServiceSopClass.StudyRootGet, [CommandField.CGetRq]],
  [ServiceSopClass.StorageCommitmentPushModel, [CommandField.NActionRq]],
  [ServiceSopClass.ModalityPerformedProcedureStep, [CommandField.NCreateRq, CommandField.NSetRq]],
]);

/** The DIMSE requests a SOP class takes (PS3.4): C-STORE for storage, C-ECHO for verification, and so on. */
function operationsOf(abstractSyntax: string, privateStorage: ReadonlySet<string>): readonly number[] {
  if (isStorageSopClass(abstractSyntax, privateStorage)) return [CommandField.CStoreRq];
  return OPERATIONS.get(abstractSyntax) ?? [];
}

/** The SOP class a request names: Requested SOP Class UID for N-SET and N-ACTION, else Affected. */
function namedSopClass(command: CommandSet): string | undefined {
  return command.commandField === CommandField.NSetRq || command.commandField === CommandField.NActionRq
    ? command.requestedSopClassUid
    : command.affectedSopClassUid;
}

/**
 * Whether a request fits the presentation context it came on, before any service looks at it: a context
 * is negotiated for one SOP class, which has its own operations (PS3.7 §9.1, §10.1). Returns the failure
 * status, or undefined when it fits:
 * - 0211 (unrecognized operation, PS3.7 C.5.20) for an operation the context's SOP class does not have:
 *   C-ECHO on a CT Image Storage context, C-STORE on a FIND context, C-FIND on a Verification context;
 * - 0122 (SOP class not supported, PS3.7 C.5.16) for a request that names another SOP class than the
 *   context's: a C-ECHO whose Affected SOP Class UID is CT Image Storage is not a verification, and the
 *   class it names was not negotiated on that context.
 * C-CANCEL has no response and is not checked here.
 */
export function misdirectedStatus(
  command: CommandSet,
  abstractSyntax: string,
  privateStorage: ReadonlySet<string>,
): { status: number; errorComment: string } | undefined {
  if (command.commandField === CommandField.CCancelRq) return undefined;
  if (!operationsOf(abstractSyntax, privateStorage).includes(command.commandField)) {
    return {
      status: UNRECOGNIZED_OPERATION,
      errorComment: `operation not part of SOP class ${abstractSyntax}`,
    };
  }
  const named = namedSopClass(command);
  if (named !== undefined && named !== abstractSyntax) {
    return {
      status: Status.SopClassNotSupported,
      errorComment: `SOP class ${named} not negotiated on this context`,
    };
  }
  return undefined;
}
