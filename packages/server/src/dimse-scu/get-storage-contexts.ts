import { STORAGE_SOP_CLASS_UIDS, TransferSyntaxUid } from '@lightbox/dicom';
import type { ProposedPresentationContext } from '@lightbox/dimse';

/**
 * What a C-GET will bring, as far as a C-FIND told: each SOP class, with the transfer syntaxes the node
 * holds it in when it answered Available Transfer Syntax UID (0008,3002), else undefined.
 */
export type ExpectedSopClasses = ReadonlyMap<string, ReadonlySet<string> | undefined>;

/** Siemens CSA Non-Image Storage: the spectroscopy and raw data that Siemens MR studies hold. */
const SIEMENS_CSA_NON_IMAGE = '1.3.12.2.1107.5.9.1';

const NATIVE: readonly string[] = [
  TransferSyntaxUid.ExplicitVRLittleEndian,
  TransferSyntaxUid.ImplicitVRLittleEndian,
];

/**
 * The compressed syntaxes archives most often hold, in the order they get room: a context for each lets
 * the node send an object as it stores it, where native-only contexts make it decompress (and a lossy
 * JPEG be decoded, then re-encoded on the next lossy hop).
 */
const COMMON_COMPRESSED: readonly string[] = [
  TransferSyntaxUid.JPEGBaseline8Bit,
  TransferSyntaxUid.JPEGLosslessSV1,
  TransferSyntaxUid.JPEGLSLossless,
  TransferSyntaxUid.JPEG2000Lossless,
  TransferSyntaxUid.JPEG2000,
  TransferSyntaxUid.JPEGLSNearLossless,
  TransferSyntaxUid.RLELossless,
];

/** Presentation context IDs are the odd numbers 1–255 (PS3.8 §9.3.2.2); ID 1 is the C-GET's. */
const MAX_STORAGE_CONTEXTS = 127;

/**
 * The storage contexts a C-GET offers to receive on (PS3.4 C.4.3: the SCU proposes what it will get),
 * at most 127 with IDs from 3: first, for each expected SOP class, one with the native little-endian
 * syntaxes; then one context per compressed syntax for those classes (those the node named, or the
 * common ones), syntax by syntax so that each class gets the likeliest first; then, in the room left,
 * Siemens CSA Non-Image and the standard storage classes natively, for what the C-FIND did not tell.
 */
export function getStorageContexts(expected: ExpectedSopClasses = new Map()): ProposedPresentationContext[] {
  const proposals: Array<{ abstractSyntax: string; transferSyntaxes: string[] }> = [];
  for (const sopClass of expected.keys())
    proposals.push({ abstractSyntax: sopClass, transferSyntaxes: [...NATIVE] });
  const compressed = [...expected].map(([sopClass, held]) => ({
    sopClass,
    syntaxes: held === undefined ? COMMON_COMPRESSED : [...held].filter((s) => !NATIVE.includes(s)),
  }));
  const rounds = Math.max(0, ...compressed.map((c) => c.syntaxes.length));
  for (let round = 0; round < rounds; round++) {
    for (const { sopClass, syntaxes } of compressed) {
      const syntax = syntaxes[round];
      if (syntax !== undefined) proposals.push({ abstractSyntax: sopClass, transferSyntaxes: [syntax] });
    }
  }
  for (const sopClass of [SIEMENS_CSA_NON_IMAGE, ...STORAGE_SOP_CLASS_UIDS]) {
    if (!expected.has(sopClass)) proposals.push({ abstractSyntax: sopClass, transferSyntaxes: [...NATIVE] });
  }
  return proposals.slice(0, MAX_STORAGE_CONTEXTS).map((p, i) => ({ id: 2 * i + 3, ...p }));
}
