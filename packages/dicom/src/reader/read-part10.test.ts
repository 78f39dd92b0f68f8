import { describe, expect, it } from 'vitest';
import { Tag } from '../dictionary/index.js';
import { DicomParseError, ParseFailure, type ParseFailureReason } from '../parse-error.js';
import { UNDEFINED_LENGTH } from '../tag.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import {
  ByteWriter,
  concatBytes,
  encodeTestDataSet,
  encodeTestFileMeta,
  EXPLICIT_LITTLE,
  numberElement,
  part10Preamble,
  resolveSyntheticImageOptions,
  sequenceElement,
  syntheticFrame,
  syntheticImage,
  textElement,
  writeHeader,
  type TestEncoding,
} from '../test-support/index.js';
import { getNumber, getString } from '../values/read-values.js';
import { readPart10, type Part10ReadOptions } from './read-part10.js';

/**
 * The reader on hand-made byte streams (built with the separate test encoder): every failure reason,
 * structural corner cases of PS3.5 §7 and the file meta group of PS3.10 §7.1.
 */

const IMPLICIT_LITTLE: TestEncoding = { explicitVr: false, littleEndian: true };
const EXPLICIT_BIG: TestEncoding = { explicitVr: true, littleEndian: false };

function part10(body: Uint8Array, ts: string = TransferSyntaxUid.ExplicitVRLittleEndian): Uint8Array {
  return concatBytes([
    part10Preamble(),
    encodeTestFileMeta('1.2.840.10008.5.1.4.1.1.7', '1.2.3.4', ts),
    body,
  ]);
}

function ascii(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** An element header and value, explicit VR little endian unless told otherwise. */
function el(
  tag: number,
  vr: Parameters<typeof writeHeader>[2],
  value: Uint8Array,
  enc = EXPLICIT_LITTLE,
): Uint8Array {
  const out = new ByteWriter();
  writeHeader(out, tag, vr, value.length, enc);
  return out.bytes(value).result();
}

function item(length: number, le = true): Uint8Array {
  return new ByteWriter().tag(0xfffee000, le).u32(length, le).result();
}
function itemEnd(le = true): Uint8Array {
  return new ByteWriter().tag(0xfffee00d, le).u32(0, le).result();
}
function sequenceEnd(le = true): Uint8Array {
  return new ByteWriter().tag(0xfffee0dd, le).u32(0, le).result();
}
function sqHeader(tag: number, length: number, enc = EXPLICIT_LITTLE): Uint8Array {
  const out = new ByteWriter();
  writeHeader(out, tag, 'SQ', length, enc);
  return out.result();
}

async function failure(bytes: Uint8Array, options: Part10ReadOptions = {}): Promise<DicomParseError> {
  const error = await readPart10(bytes, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'reading must fail').toBeInstanceOf(DicomParseError);
  return error as DicomParseError;
}

async function expectReason(bytes: Uint8Array, reason: ParseFailureReason, options: Part10ReadOptions = {}) {
  const error = await failure(bytes, options);
  expect(error.reason, error.message).toBe(reason);
  expect(error.offset).toBeGreaterThanOrEqual(0);
  expect(error.offset).toBeLessThanOrEqual(bytes.length);
  return error;
}

const patientId = el(Tag.PatientID, 'LO', ascii('ID42'));

describe('not DICOM', () => {
  it('rejects an empty stream, a short one and text', async () => {
    await expectReason(new Uint8Array(0), ParseFailure.NotDicom);
    await expectReason(new Uint8Array(10), ParseFailure.NotDicom);
    await expectReason(ascii('<html>'.repeat(50)), ParseFailure.NotDicom);
    await expectReason(ascii('<html>'.repeat(50)), ParseFailure.NotDicom, { allowMissingPreamble: true });
  });

  it('rejects a preamble without DICM, and a JPEG even with allowMissingPreamble', async () => {
    const noPrefix = part10(patientId);
    noPrefix.set(ascii('DICX'), 128);
    await expectReason(noPrefix, ParseFailure.NotDicom);
    const jpeg = concatBytes([
      Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10),
      ascii('JFIF'),
      new Uint8Array(200),
    ]);
    await expectReason(jpeg, ParseFailure.NotDicom, { allowMissingPreamble: true });
  });
});

describe('transfer syntax', () => {
  it('refuses an unknown transfer syntax, and a UID that is not a transfer syntax', async () => {
    const unknown = await expectReason(
      part10(patientId, '1.2.3.4.5.6'),
      ParseFailure.UnsupportedTransferSyntax,
    );
    expect(unknown.message).toContain('1.2.3.4.5.6');
    await expectReason(
      part10(patientId, '1.2.840.10008.5.1.4.1.1.2'),
      ParseFailure.UnsupportedTransferSyntax,
    );
  });

  it('reads the retired explicit big endian syntax', async () => {
    const body = encodeTestDataSet(
      [numberElement(Tag.Rows, 'US', [300]), textElement(Tag.PatientID, 'LO', 'BE')],
      EXPLICIT_BIG,
    );
    const result = await readPart10(part10(body, TransferSyntaxUid.ExplicitVRBigEndian));
    expect(result.dataSet.littleEndian).toBe(false);
    expect(result.dataSet.get(Tag.Rows)?.bytes).toEqual(Uint8Array.of(0x01, 0x2c));
    expect(getNumber(result.dataSet, Tag.Rows)).toBe(300);
  });
});

describe('deflated data sets (PS3.5 §A.5)', () => {
  const o = resolveSyntheticImageOptions({
    transferSyntaxUid: TransferSyntaxUid.DeflatedExplicitVRLittleEndian,
    rows: 8,
    columns: 8,
  });
  const bytes = syntheticImage(o);

  it('reads one, with offsets in the inflated data set', async () => {
    const result = await readPart10(bytes, { readPixelData: true });
    expect(result.deflated).toBe(true);
    expect(getString(result.dataSet, Tag.PatientID)).toBe(o.patientId);
    expect(result.dataSet.get(Tag.PixelData)?.bytes).toEqual(syntheticFrame(o, 0));
  });

  it('a cut or corrupt deflate stream is a DicomParseError, not a zlib error', async () => {
    await expectReason(bytes.subarray(0, bytes.length - 100), ParseFailure.Malformed);
    const corrupt = bytes.slice();
    const { dataSetOffset } = await readPart10(bytes);
    corrupt[dataSetOffset] = 0x07; // BTYPE 11: a reserved block type (RFC 1951 §3.2.3)
    await expectReason(corrupt, ParseFailure.Malformed);
  });

  it('stopAtTag works inside the inflated stream', async () => {
    const result = await readPart10(bytes, { stopAtTag: Tag.PixelData });
    expect(result.stoppedAt).toBe(Tag.PixelData);
    expect(result.dataSet.has(Tag.Rows)).toBe(true);
  });
});

describe('truncated', () => {
  const whole = part10(concatBytes([patientId, el(Tag.StudyDescription, 'LO', ascii('A description'))]));

  it('fails inside the meta group', async () => {
    await expectReason(whole.subarray(0, 150), ParseFailure.Truncated);
  });

  it('fails inside an element header and inside a value', async () => {
    await expectReason(whole.subarray(0, whole.length - 13 - 8 + 3), ParseFailure.Truncated);
    const error = await expectReason(whole.subarray(0, whole.length - 4), ParseFailure.Truncated);
    expect(error.offset).toBeLessThanOrEqual(whole.length - 4);
  });

  it('fails when an undefined-length sequence or item never ends', async () => {
    const open = concatBytes([
      sqHeader(Tag.ReferencedSeriesSequence, UNDEFINED_LENGTH),
      item(UNDEFINED_LENGTH),
      patientId,
    ]);
    await expectReason(part10(open), ParseFailure.Truncated);
    const noSequenceEnd = concatBytes([
      sqHeader(Tag.ReferencedSeriesSequence, UNDEFINED_LENGTH),
      item(UNDEFINED_LENGTH),
      patientId,
      itemEnd(),
    ]);
    await expectReason(part10(noSequenceEnd), ParseFailure.Truncated);
  });

  it('fails when a defined-length item runs past the end', async () => {
    const body = concatBytes([sqHeader(Tag.ReferencedSeriesSequence, 8 + 100), item(100), patientId]);
    await expectReason(part10(body), ParseFailure.Truncated);
  });

  it('fails when encapsulated pixel data has no sequence delimiter', async () => {
    const pixels = new ByteWriter();
    writeHeader(pixels, Tag.PixelData, 'OB', UNDEFINED_LENGTH, EXPLICIT_LITTLE);
    pixels
      .bytes(item(0))
      .bytes(item(4))
      .bytes(Uint8Array.of(1, 2, 3, 4));
    const bytes = part10(pixels.result(), TransferSyntaxUid.JPEGBaseline8Bit);
    await expectReason(bytes, ParseFailure.Truncated);
    await expectReason(bytes, ParseFailure.Truncated, { readPixelData: true });
  });
});

describe('malformed', () => {
  it('an element that overruns its defined-length item', async () => {
    const body = concatBytes([sqHeader(Tag.ReferencedSeriesSequence, 8 + 6), item(6), patientId]);
    await expectReason(part10(body), ParseFailure.Malformed);
  });

  it('an item that overruns its defined-length sequence', async () => {
    const body = concatBytes([
      sqHeader(Tag.ReferencedSeriesSequence, 8 + 4),
      item(patientId.length),
      patientId,
      el(Tag.StudyDescription, 'LO', ascii('after')),
    ]);
    await expectReason(part10(body), ParseFailure.Malformed);
  });

  it('an item delimiter at the top level, and a sequence delimiter in a defined-length sequence', async () => {
    await expectReason(part10(concatBytes([patientId, itemEnd()])), ParseFailure.Malformed);
    const body = concatBytes([sqHeader(Tag.ReferencedSeriesSequence, 8), sequenceEnd()]);
    await expectReason(part10(body), ParseFailure.Malformed);
  });

  it('something other than an item inside a sequence', async () => {
    const body = concatBytes([
      sqHeader(Tag.ReferencedSeriesSequence, UNDEFINED_LENGTH),
      patientId,
      sequenceEnd(),
    ]);
    await expectReason(part10(body), ParseFailure.Malformed);
  });

  it('VR bytes that are not a VR', async () => {
    const bad = el(Tag.PatientID, 'LO', ascii('ID42'));
    bad.set(ascii('Q!'), 4);
    const error = await expectReason(part10(bad), ParseFailure.Malformed);
    expect(error.message).toContain('(0010,0020)');
  });

  it('encapsulated pixel data that does not start with an offset table item', async () => {
    const pixels = new ByteWriter();
    writeHeader(pixels, Tag.PixelData, 'OB', UNDEFINED_LENGTH, EXPLICIT_LITTLE);
    pixels.bytes(sequenceEnd());
    await expectReason(part10(pixels.result(), TransferSyntaxUid.JPEGBaseline8Bit), ParseFailure.Malformed);
  });

  it('sequences nested deeper than the limit fail cleanly, even 100 000 levels deep', async () => {
    const nest = (depth: number): Uint8Array => {
      const out = new ByteWriter();
      for (let i = 0; i < depth; i++)
        out.bytes(sqHeader(Tag.ReferencedSeriesSequence, UNDEFINED_LENGTH)).bytes(item(UNDEFINED_LENGTH));
      out.bytes(patientId);
      for (let i = 0; i < depth; i++) out.bytes(itemEnd()).bytes(sequenceEnd());
      return out.result();
    };
    const ok = await readPart10(part10(nest(60)));
    let inner = ok.dataSet;
    for (let i = 0; i < 60; i++) inner = inner.get(Tag.ReferencedSeriesSequence)!.items![0]!;
    expect(getString(inner, Tag.PatientID)).toBe('ID42');
    await expectReason(part10(nest(65)), ParseFailure.Malformed);
    await expectReason(part10(nest(100_000)), ParseFailure.Malformed);
  });
});

describe('file meta information', () => {
  it('ignores a wrong group length and copes with none', async () => {
    const good = part10(patientId);
    const wrong = good.slice();
    new DataView(wrong.buffer).setUint32(132 + 8, 4, true); // (0002,0000) value: far too small
    expect(getString((await readPart10(wrong)).dataSet, Tag.PatientID)).toBe('ID42');
    const meta = encodeTestFileMeta('1.2.3', '1.2.3.4', TransferSyntaxUid.ExplicitVRLittleEndian);
    const noLength = concatBytes([part10Preamble(), meta.subarray(12), patientId]);
    const result = await readPart10(noLength);
    expect(result.meta.has(0x00020000)).toBe(false);
    expect(result.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
    expect(getString(result.dataSet, Tag.PatientID)).toBe('ID42');
  });

  it('guesses the syntax when the meta group has none: implicit or explicit little endian', async () => {
    const noTs = (body: Uint8Array) => concatBytes([part10Preamble(), encodeTestTsLessMeta(), body]);
    const implicit = await readPart10(
      noTs(encodeTestDataSet([textElement(Tag.PatientID, 'LO', 'I')], IMPLICIT_LITTLE)),
    );
    expect(implicit.transferSyntaxUid).toBe(TransferSyntaxUid.ImplicitVRLittleEndian);
    expect(getString(implicit.dataSet, Tag.PatientID)).toBe('I');
    const explicit = await readPart10(
      noTs(encodeTestDataSet([textElement(Tag.PatientID, 'LO', 'E')], EXPLICIT_LITTLE)),
    );
    expect(explicit.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRLittleEndian);
    expect(getString(explicit.dataSet, Tag.PatientID)).toBe('E');
  });

  it('stops the meta group at a data set that starts below group 0002', async () => {
    const body = encodeTestDataSet(
      [textElement(0x00010010, 'LO', 'LOW'), textElement(Tag.PatientID, 'LO', 'X')],
      IMPLICIT_LITTLE,
    );
    const result = await readPart10(part10(body, TransferSyntaxUid.ImplicitVRLittleEndian));
    expect([...result.meta.elements.keys()].every((t) => t >>> 16 === 2)).toBe(true);
    expect(result.dataSet.has(0x00010010)).toBe(true);
    expect(getString(result.dataSet, Tag.PatientID)).toBe('X');
  });

  it('reads a bare data set shorter than a preamble (allowMissingPreamble)', async () => {
    const body = encodeTestDataSet([textElement(Tag.PatientID, 'LO', 'TINY')], IMPLICIT_LITTLE);
    expect(body.length).toBeLessThan(132);
    const result = await readPart10(body, { allowMissingPreamble: true });
    expect(getString(result.dataSet, Tag.PatientID)).toBe('TINY');
    await expectReason(body, ParseFailure.NotDicom);
  });

  it('reads a bare data set that begins with meta elements (allowMissingPreamble)', async () => {
    const meta = encodeTestFileMeta('1.2.3', '1.2.3.4', TransferSyntaxUid.ImplicitVRLittleEndian);
    const body = encodeTestDataSet([textElement(Tag.PatientID, 'LO', 'BARE')], IMPLICIT_LITTLE);
    const result = await readPart10(concatBytes([meta, body]), { allowMissingPreamble: true });
    expect(result.hasPreamble).toBe(false);
    expect(result.transferSyntaxUid).toBe(TransferSyntaxUid.ImplicitVRLittleEndian);
    expect(result.dataSetOffset).toBe(meta.length);
    expect(getString(result.dataSet, Tag.PatientID)).toBe('BARE');
  });
});

/** File meta with an empty Transfer Syntax UID (like pydicom's meta_missing_tsyntax.dcm, which has none). */
function encodeTestTsLessMeta(): Uint8Array {
  return encodeTestFileMeta('1.2.3', '1.2.3.4', '');
}

describe('structure', () => {
  it('keeps odd-length values as they are and reads on correctly', async () => {
    const odd = el(Tag.PatientID, 'LO', ascii('ABC'));
    const result = await readPart10(part10(concatBytes([odd, el(Tag.PatientSex, 'CS', ascii('O '))])));
    expect(result.dataSet.get(Tag.PatientID)?.bytes).toEqual(ascii('ABC'));
    expect(result.dataSet.get(Tag.PatientID)?.length).toBe(3);
    expect(getString(result.dataSet, Tag.PatientSex)).toBe('O');
  });

  it('reads every mix of defined and undefined sequence and item lengths, and empty items', async () => {
    const inner = patientId;
    const body = concatBytes([
      // defined sequence, undefined item
      sqHeader(0x00081115, 8 + inner.length + 8),
      item(UNDEFINED_LENGTH),
      inner,
      itemEnd(),
      // undefined sequence, defined item, then an empty defined item and an empty undefined item
      sqHeader(0x00081140, UNDEFINED_LENGTH),
      item(inner.length),
      inner,
      item(0),
      item(UNDEFINED_LENGTH),
      itemEnd(),
      sequenceEnd(),
      // empty sequences of both kinds
      sqHeader(0x00081199, 0),
      sqHeader(0x00081200, UNDEFINED_LENGTH),
      sequenceEnd(),
    ]);
    const { dataSet } = await readPart10(part10(body));
    const a = dataSet.get(0x00081115)!;
    expect(a.length).toBe(8 + inner.length + 8);
    expect(a.items!.map((i) => getString(i, Tag.PatientID))).toEqual(['ID42']);
    const b = dataSet.get(0x00081140)!;
    expect(b.length).toBe(UNDEFINED_LENGTH);
    expect(b.items!.map((i) => i.elements.size)).toEqual([1, 0, 0]);
    expect(b.items![0]!.parent).toBe(dataSet);
    expect(dataSet.get(0x00081199)?.items).toEqual([]);
    expect(dataSet.get(0x00081200)?.items).toEqual([]);
  });

  it('reads sequences in big endian', async () => {
    const body = encodeTestDataSet(
      [
        sequenceElement(Tag.ReferencedSeriesSequence, [[numberElement(Tag.Rows, 'US', [258])]], {
          undefinedLength: true,
        }),
      ],
      EXPLICIT_BIG,
    );
    const { dataSet } = await readPart10(part10(body, TransferSyntaxUid.ExplicitVRBigEndian));
    const sqItem = dataSet.get(Tag.ReferencedSeriesSequence)!.items![0]!;
    expect(sqItem.littleEndian).toBe(false);
    expect(getNumber(sqItem, Tag.Rows)).toBe(258);
  });

  it('reads a VR of two spaces as UN with a 16-bit length (old toolkits)', async () => {
    const body = el(0x00091010, 'LO', ascii('ABCD'));
    body.set([0x20, 0x20], 4);
    const { dataSet } = await readPart10(part10(concatBytes([body, patientId])));
    expect(dataSet.get(0x00091010)).toMatchObject({ vr: 'UN', length: 4, bytes: ascii('ABCD') });
    expect(getString(dataSet, Tag.PatientID)).toBe('ID42');
  });

  it('reads elements after Pixel Data', async () => {
    const o = new ByteWriter();
    o.bytes(el(Tag.PixelData, 'OW', new Uint8Array(8)));
    o.bytes(el(0xfffcfffc, 'OB', new Uint8Array(4)));
    const { dataSet } = await readPart10(part10(o.result()), { readPixelData: true });
    expect(dataSet.get(0xfffcfffc)?.bytes).toEqual(new Uint8Array(4));
  });
});

describe('implicit VR: VRs from the dictionary (PS3.5 §7.1.3, Annex A.1)', () => {
  async function readImplicit(elements: Parameters<typeof encodeTestDataSet>[0]) {
    const body = encodeTestDataSet(elements, IMPLICIT_LITTLE);
    return (await readPart10(part10(body, TransferSyntaxUid.ImplicitVRLittleEndian))).dataSet;
  }

  it('group lengths are UL, private creators LO, other private and unknown elements UN', async () => {
    const ds = await readImplicit([
      numberElement(0x00080000, 'UL', [10]),
      textElement(0x00090010, 'LO', 'ACME'),
      textElement(0x00091001, 'LO', 'secret'),
      textElement(0x00080002, 'LO', 'unknown public'),
      textElement(Tag.PatientName, 'PN', 'Doe^John'),
    ]);
    expect(ds.get(0x00080000)?.vr).toBe('UL');
    expect(ds.get(0x00090010)?.vr).toBe('LO');
    expect(ds.get(0x00091001)?.vr).toBe('UN');
    expect(ds.get(0x00080002)?.vr).toBe('UN');
    expect(ds.get(Tag.PatientName)?.vr).toBe('PN');
    expect(getString(ds, 0x00090010)).toBe('ACME');
  });

  it('"US or SS" follows Pixel Representation, also from the parent of an item', async () => {
    const signed = await readImplicit([
      numberElement(Tag.PixelRepresentation, 'US', [1]),
      numberElement(Tag.SmallestImagePixelValue, 'SS', [-5]),
      // An item read after Pixel Representation (a sequence of a lower group comes too early to know it).
      sequenceElement(Tag.SharedFunctionalGroupsSequence, [
        [numberElement(Tag.LargestImagePixelValue, 'SS', [-2])],
      ]),
    ]);
    expect(signed.get(Tag.SmallestImagePixelValue)?.vr).toBe('SS');
    expect(getNumber(signed, Tag.SmallestImagePixelValue)).toBe(-5);
    const nested = signed.get(Tag.SharedFunctionalGroupsSequence)!.items![0]!;
    expect(nested.get(Tag.LargestImagePixelValue)?.vr).toBe('SS');
    expect(getNumber(nested, Tag.LargestImagePixelValue)).toBe(-2);
    const unsigned = await readImplicit([
      numberElement(Tag.PixelRepresentation, 'US', [0]),
      numberElement(Tag.SmallestImagePixelValue, 'US', [65535]),
    ]);
    expect(unsigned.get(Tag.SmallestImagePixelValue)?.vr).toBe('US');
    expect(getNumber(unsigned, Tag.SmallestImagePixelValue)).toBe(65535);
  });

  it('"OB or OW" is OW, and Pixel Data is OW', async () => {
    const ds = await readImplicit([
      numberElement(0x60003000, 'OW', [1, 2]),
      numberElement(Tag.PixelData, 'OW', [1, 2, 3, 4]),
    ]);
    expect(ds.get(0x60003000)?.vr).toBe('OW');
    expect(ds.get(Tag.PixelData)?.vr).toBe('OW');
  });

  it('a defined-length SQ from the dictionary is read as a sequence', async () => {
    const ds = await readImplicit([
      sequenceElement(Tag.ReferencedSeriesSequence, [[textElement(Tag.SeriesInstanceUID, 'UI', '1.2.3')]]),
    ]);
    const sq = ds.get(Tag.ReferencedSeriesSequence)!;
    expect(sq.vr).toBe('SQ');
    expect(getString(sq.items![0]!, Tag.SeriesInstanceUID)).toBe('1.2.3');
  });
});
