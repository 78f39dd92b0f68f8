import { describe, expect, it } from 'vitest';
import { lookupUid, uidEntries } from './dictionary/index.js';
import { TransferSyntaxUid, lookupTransferSyntax } from './transfer-syntax.js';

const allTransferSyntaxes = uidEntries().filter((u) => u.type === 'Transfer Syntax');

describe('lookupTransferSyntax', () => {
  it('knows every transfer syntax of the UID dictionary, retired ones too', () => {
    expect(allTransferSyntaxes.length).toBeGreaterThanOrEqual(60);
    for (const { uid, name } of allTransferSyntaxes)
      expect(lookupTransferSyntax(uid)).toMatchObject({ uid, name });
  });

  it('names every TransferSyntaxUid by its PS3.6 keyword', () => {
    for (const [keyword, uid] of Object.entries(TransferSyntaxUid)) {
      expect(lookupUid(uid)).toMatchObject({ keyword, type: 'Transfer Syntax' });
    }
  });

  it('describes the native encodings', () => {
    expect(lookupTransferSyntax(TransferSyntaxUid.ImplicitVRLittleEndian)).toEqual({
      uid: '1.2.840.10008.1.2',
      name: 'Implicit VR Little Endian',
      explicitVr: false,
      littleEndian: true,
      deflated: false,
      encapsulated: false,
      lossy: false,
    });
    expect(lookupTransferSyntax(TransferSyntaxUid.ExplicitVRLittleEndian)).toMatchObject({
      explicitVr: true,
      littleEndian: true,
      deflated: false,
      encapsulated: false,
    });
    expect(lookupTransferSyntax(TransferSyntaxUid.ExplicitVRBigEndian)).toMatchObject({
      explicitVr: true,
      littleEndian: false,
      encapsulated: false,
    });
    expect(lookupTransferSyntax(TransferSyntaxUid.DeflatedExplicitVRLittleEndian)).toMatchObject({
      explicitVr: true,
      deflated: true,
      encapsulated: false,
    });
  });

  it('has one big-endian syntax and implicit VR only for Implicit VR Little Endian (and retired Papyrus 3)', () => {
    const all = allTransferSyntaxes.map((u) => lookupTransferSyntax(u.uid));
    expect(all.filter((t) => !t?.littleEndian).map((t) => t?.uid)).toEqual(['1.2.840.10008.1.2.2']);
    expect(all.filter((t) => !t?.explicitVr).map((t) => t?.uid)).toEqual([
      '1.2.840.10008.1.2',
      '1.2.840.10008.1.20',
    ]);
  });

  it.each([
    [TransferSyntaxUid.JPEGBaseline8Bit, true],
    [TransferSyntaxUid.JPEGExtended12Bit, true],
    ['1.2.840.10008.1.2.4.55', true], // retired JPEG full progression
    [TransferSyntaxUid.JPEGLossless, false],
    [TransferSyntaxUid.JPEGLosslessSV1, false],
    [TransferSyntaxUid.JPEGLSLossless, false],
    [TransferSyntaxUid.JPEGLSNearLossless, true],
    [TransferSyntaxUid.JPEG2000Lossless, false],
    [TransferSyntaxUid.JPEG2000, true],
    [TransferSyntaxUid.HTJ2KLossless, false],
    [TransferSyntaxUid.HTJ2KLosslessRPCL, false],
    [TransferSyntaxUid.HTJ2K, true],
    [TransferSyntaxUid.JPEGXLLossless, false],
    [TransferSyntaxUid.JPEGXLJPEGRecompression, true],
    [TransferSyntaxUid.JPEGXL, true],
    [TransferSyntaxUid.RLELossless, false],
    [TransferSyntaxUid.MPEG2MPML, true],
    [TransferSyntaxUid.MPEG4HP41F, true],
    [TransferSyntaxUid.HEVCM10P51, true],
    [TransferSyntaxUid.DeflatedImageFrameCompression, false],
    [TransferSyntaxUid.EncapsulatedUncompressedExplicitVRLittleEndian, false],
  ])('%s is encapsulated explicit VR little endian, lossy: %s', (uid, lossy) => {
    expect(lookupTransferSyntax(uid)).toMatchObject({
      explicitVr: true,
      littleEndian: true,
      deflated: false,
      encapsulated: true,
      lossy,
    });
  });

  it('treats JPIP referenced syntaxes as native, the Deflate ones as deflated', () => {
    expect(lookupTransferSyntax(TransferSyntaxUid.JPIPReferenced)).toMatchObject({
      encapsulated: false,
      deflated: false,
    });
    expect(lookupTransferSyntax(TransferSyntaxUid.JPIPHTJ2KReferencedDeflate)).toMatchObject({
      encapsulated: false,
      deflated: true,
    });
  });

  it('returns undefined for anything else', () => {
    expect(lookupTransferSyntax('1.2.840.10008.5.1.4.1.1.2')).toBeUndefined(); // a SOP Class
    expect(lookupTransferSyntax('1.2.3.4')).toBeUndefined();
    expect(lookupTransferSyntax('')).toBeUndefined();
  });
});
