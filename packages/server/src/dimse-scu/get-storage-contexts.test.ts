import { STORAGE_SOP_CLASS_UIDS, TransferSyntaxUid } from '@lightbox/dicom';
import { describe, expect, it } from 'vitest';
import { getStorageContexts } from './get-storage-contexts.js';

const MR = '1.2.840.10008.5.1.4.1.1.4';
const RT_PLAN = '1.2.840.10008.5.1.4.1.1.481.5';
const PRIVATE = '1.3.6.1.4.1.99999.1.1';
const NATIVE = [TransferSyntaxUid.ExplicitVRLittleEndian, TransferSyntaxUid.ImplicitVRLittleEndian];

describe('getStorageContexts', () => {
  it('without a C-FIND answer, proposes Siemens CSA Non-Image and the standard classes natively', () => {
    const contexts = getStorageContexts();
    expect(contexts).toHaveLength(127);
    expect(contexts.map((c) => c.id)).toEqual(Array.from({ length: 127 }, (_, i) => 2 * i + 3));
    expect(contexts[0]!.abstractSyntax).toBe('1.3.12.2.1107.5.9.1');
    expect(contexts[1]!.abstractSyntax).toBe(STORAGE_SOP_CLASS_UIDS[0]);
    expect(contexts.every((c) => c.transferSyntaxes.join() === NATIVE.join())).toBe(true);
  });

  it('proposes the expected classes first, then the common compressed syntaxes one per context', () => {
    const contexts = getStorageContexts(
      new Map([
        [PRIVATE, undefined],
        [RT_PLAN, undefined],
      ]),
    );
    expect(contexts).toHaveLength(127);
    expect(contexts.slice(0, 2)).toEqual([
      { id: 3, abstractSyntax: PRIVATE, transferSyntaxes: NATIVE },
      { id: 5, abstractSyntax: RT_PLAN, transferSyntaxes: NATIVE },
    ]);
    // Syntax by syntax, so that each class has the likeliest ones when room is short.
    expect(contexts.slice(2, 6).map((c) => [c.abstractSyntax, c.transferSyntaxes])).toEqual([
      [PRIVATE, [TransferSyntaxUid.JPEGBaseline8Bit]],
      [RT_PLAN, [TransferSyntaxUid.JPEGBaseline8Bit]],
      [PRIVATE, [TransferSyntaxUid.JPEGLosslessSV1]],
      [RT_PLAN, [TransferSyntaxUid.JPEGLosslessSV1]],
    ]);
    const ofPrivate = contexts.filter((c) => c.abstractSyntax === PRIVATE).flatMap((c) => c.transferSyntaxes);
    expect(ofPrivate).toEqual(
      expect.arrayContaining([
        TransferSyntaxUid.JPEGLSLossless,
        TransferSyntaxUid.JPEGLSNearLossless,
        TransferSyntaxUid.JPEG2000Lossless,
        TransferSyntaxUid.JPEG2000,
        TransferSyntaxUid.RLELossless,
      ]),
    );
    // The standard classes fill the rest, natively, without proposing the expected ones again.
    expect(
      contexts.filter((c) => c.abstractSyntax === RT_PLAN && c.transferSyntaxes.length === 2),
    ).toHaveLength(1);
    expect(contexts[16]!.abstractSyntax).toBe('1.3.12.2.1107.5.9.1');
  });

  it('prefers the syntaxes the node says it holds', () => {
    const contexts = getStorageContexts(
      new Map([[MR, new Set([TransferSyntaxUid.ExplicitVRLittleEndian, TransferSyntaxUid.JPEGXLLossless])]]),
    );
    expect(contexts.filter((c) => c.abstractSyntax === MR).map((c) => c.transferSyntaxes)).toEqual([
      NATIVE,
      [TransferSyntaxUid.JPEGXLLossless],
    ]);
  });

  it('keeps to 127 contexts, each expected class with its native one, when the classes are many', () => {
    const many = new Map(STORAGE_SOP_CLASS_UIDS.slice(0, 100).map((c) => [c, undefined]));
    const contexts = getStorageContexts(many);
    expect(contexts).toHaveLength(127);
    expect(contexts.slice(0, 100).every((c, i) => c.abstractSyntax === STORAGE_SOP_CLASS_UIDS[i])).toBe(true);
    expect(
      contexts.slice(100).every((c) => c.transferSyntaxes[0] === TransferSyntaxUid.JPEGBaseline8Bit),
    ).toBe(true);
  });
});
