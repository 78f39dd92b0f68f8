import { TransferSyntaxUid } from '@lightbox/dicom';
import { CommandField, type DimseLogger } from '@lightbox/dimse';
import type { DicomNode } from '../dicom-nodes/dicom-node.js';
import { openNodeAssociation, type LocalAe } from './open-node-association.js';

const VERIFICATION = '1.2.840.10008.1.1';

/** The outcome of a C-ECHO to a node: its status, or why the association failed, and the round trip. */
export interface EchoResult {
  ok: boolean;
  /** DIMSE status of the C-ECHO-RSP, when one came back. */
  status?: number;
  /** What went wrong, in words, when not ok. */
  error?: string;
  /** Milliseconds from connecting to the release. */
  ms: number;
}

/** Verifies a node (PS3.4 Annex A): associate, C-ECHO, release. Never throws for a node that fails. */
export async function echoNode(node: DicomNode, local: LocalAe, logger: DimseLogger): Promise<EchoResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const association = await openNodeAssociation({
      node,
      local,
      contexts: [
        {
          id: 1,
          abstractSyntax: VERIFICATION,
          transferSyntaxes: [
            TransferSyntaxUid.ExplicitVRLittleEndian,
            TransferSyntaxUid.ImplicitVRLittleEndian,
          ],
        },
      ],
      logger,
    });
    try {
      const context = association.findContext(VERIFICATION);
      if (context === undefined)
        return { ok: false, error: `${node.aet} does not accept Verification`, ms: elapsed() };
      const response = await association.sendRequest(context.id, {
        commandField: CommandField.CEchoRq,
        affectedSopClassUid: VERIFICATION,
      });
      const status = response.command.status ?? -1;
      return { ok: status === 0, status, ms: elapsed() };
    } finally {
      await association.release().catch(() => association.abort());
    }
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error), ms: elapsed() };
  }
}
