import { lookupTransferSyntax, TransferSyntaxUid } from '@lightbox/dicom';
import type { PresentationContext, ProposedPresentationContext } from '@lightbox/dimse';
import type { StoredInstance } from '../archive/index-store.js';
import { canServeAs } from '../imaging/transcode-instance.js';

const NATIVE: readonly string[] = [
  TransferSyntaxUid.ExplicitVRLittleEndian,
  TransferSyntaxUid.ImplicitVRLittleEndian,
];
/** Presentation context IDs are the odd numbers 1–255 (PS3.8 §9.3.2.2). */
const MAX_CONTEXTS = 128;

/**
 * Presentation contexts to send these instances: per SOP class one with the native little-endian syntaxes,
 * and one with each stored compressed syntax so that objects can go as stored. When that is more than
 * PS3.8 allows, the native ones win (objects are then converted).
 */
export function storageContexts(
  instances: readonly Pick<StoredInstance, 'sopClassUid' | 'transferSyntaxUid'>[],
): ProposedPresentationContext[] {
  const classes = [...new Set(instances.map((i) => i.sopClassUid))];
  const asStored = [
    ...new Set(
      instances
        .filter((i) => !NATIVE.includes(i.transferSyntaxUid))
        .map((i) => `${i.sopClassUid} ${i.transferSyntaxUid}`),
    ),
  ].map((pair) => pair.split(' ') as [string, string]);
  const proposals: Array<{ abstractSyntax: string; transferSyntaxes: string[] }> = [
    ...classes.map((abstractSyntax) => ({ abstractSyntax, transferSyntaxes: [...NATIVE] })),
    ...asStored.map(([abstractSyntax, syntax]) => ({ abstractSyntax, transferSyntaxes: [syntax] })),
  ].slice(0, MAX_CONTEXTS);
  return proposals.map((p, i) => ({ id: 2 * i + 1, ...p }));
}

/** The accepted context to send an instance on, and the syntax to send it in; undefined when none fits. */
export function contextFor(
  instance: Pick<StoredInstance, 'sopClassUid' | 'transferSyntaxUid' | 'correction'>,
  accepted: readonly PresentationContext[],
): PresentationContext | undefined {
  const ofClass = accepted.filter((c) => c.abstractSyntax === instance.sopClassUid);
  const converted = ofClass.find(
    (c) =>
      c.transferSyntax !== instance.transferSyntaxUid &&
      canServeAs(instance.transferSyntaxUid, c.transferSyntax),
  );
  // Deflate is read, never written: a deflated object whose patient was corrected since carries its
  // current values only inflated, so a native context is taken before the stored syntax.
  const deflated = lookupTransferSyntax(instance.transferSyntaxUid)?.deflated === true;
  if (deflated && instance.correction !== undefined && converted !== undefined) return converted;
  return ofClass.find((c) => c.transferSyntax === instance.transferSyntaxUid) ?? converted;
}
