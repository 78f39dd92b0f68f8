import { describe, expect, it } from 'vitest';
import { DataSet, type DataElement } from '../data-set.js';
import { Tag } from '../dictionary/index.js';
import { readPart10 } from '../reader/read-part10.js';
import { tagToHex } from '../tag.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import {
  bytesElement,
  dataSetOf,
  encodeTestPart10,
  numberElement,
  sequenceElement,
  tagElement,
  textElement,
  tagOrderViolations,
  type NumberVr,
} from '../test-support/index.js';
import { getNumbers, getString, getStrings } from '../values/read-values.js';
import { fromBase64, stringifyDicomJson, toBase64, type DicomJson } from './dicom-json.js';
import { DicomJsonError, fromDicomJson } from './from-dicom-json.js';
import { toDicomJson } from './to-dicom-json.js';

/** DICOM JSON (PS3.18 §F.2) on data sets built for the purpose: each VR mapping, empty values, bulk data. */

const el = (tag: number, vr: DataElement['vr'], value: string | string[], charset: string[] = []) =>
  textElement(tag, vr, value, charset);

/** A big-endian data set read back from bytes made by the test encoder. */
async function bigEndian(elements: DataElement[]): Promise<DataSet> {
  const bytes = encodeTestPart10(elements, TransferSyntaxUid.ExplicitVRBigEndian);
  const { dataSet } = await readPart10(bytes, { readPixelData: true });
  expect(dataSet.littleEndian).toBe(false);
  return dataSet;
}

describe('person names (F.2.2)', () => {
  it('three component groups, decoded with the character set', () => {
    const charset = ['', 'ISO 2022 IR 87'];
    const dataSet = dataSetOf([
      el(Tag.SpecificCharacterSet, 'CS', '\\ISO 2022 IR 87'),
      el(Tag.PatientName, 'PN', 'Yamada^Tarou=山田^太郎=やまだ^たろう', charset),
      el(Tag.ReferringPhysicianName, 'PN', '=山田^太郎', charset),
      el(Tag.PerformingPhysicianName, 'PN', ['A^B', '', '==C^D'], charset),
    ]);
    const json = toDicomJson(dataSet);
    expect(json['00100010']).toEqual({
      vr: 'PN',
      Value: [{ Alphabetic: 'Yamada^Tarou', Ideographic: '山田^太郎', Phonetic: 'やまだ^たろう' }],
    });
    expect(json['00080090']).toEqual({ vr: 'PN', Value: [{ Ideographic: '山田^太郎' }] });
    expect(json['00081050']).toEqual({ vr: 'PN', Value: [{ Alphabetic: 'A^B' }, null, { Phonetic: 'C^D' }] });
    // Back: the names are re-encoded in UTF-8 and read the same.
    const back = fromDicomJson(json);
    expect(getStrings(back, Tag.SpecificCharacterSet)).toEqual(['ISO_IR 192']);
    expect(getString(back, Tag.PatientName)).toBe('Yamada^Tarou=山田^太郎=やまだ^たろう');
    expect(getStrings(back, Tag.PerformingPhysicianName)).toEqual(['A^B', '', '==C^D']);
    expect(toDicomJson(back)['00100010']).toEqual(json['00100010']);
  });
});

describe('empty values (F.2.5)', () => {
  const textVrs = [
    'AE',
    'AS',
    'CS',
    'DA',
    'DS',
    'DT',
    'IS',
    'LO',
    'LT',
    'PN',
    'SH',
    'ST',
    'TM',
    'UC',
    'UI',
    'UR',
    'UT',
  ] as const;
  const binaryVrs = [
    'AT',
    'FD',
    'FL',
    'OB',
    'OD',
    'OF',
    'OL',
    'OV',
    'OW',
    'SL',
    'SS',
    'SV',
    'UL',
    'UN',
    'US',
    'UV',
  ] as const;

  it('a zero-length value of any VR has no Value, BulkDataURI or InlineBinary, and comes back empty', () => {
    const vrs = [...textVrs, ...binaryVrs];
    const dataSet = dataSetOf(vrs.map((vr, i) => bytesElement(0x00091000 + i + 0x10, vr, new Uint8Array(0))));
    const json = toDicomJson(dataSet);
    vrs.forEach((vr, i) => expect(json[tagToHex(0x00091010 + i)], vr).toEqual({ vr }));
    const back = fromDicomJson(json);
    vrs.forEach((vr, i) => expect(back.get(0x00091010 + i), vr).toMatchObject({ vr, length: 0 }));
  });

  it('Data Set Trailing Padding is no attribute and is left out', () => {
    const padding = bytesElement(0xfffcfffc, 'OB', new Uint8Array(8));
    const json = toDicomJson(dataSetOf([el(Tag.PatientID, 'LO', 'P1'), padding]));
    expect(Object.keys(json)).toEqual(['00100020']);
  });

  it('a value of spaces only is empty too', () => {
    const json = toDicomJson(dataSetOf([el(Tag.PatientID, 'LO', '  '), el(Tag.AccessionNumber, 'SH', '')]));
    expect(json).toEqual({ '00080050': { vr: 'SH' }, '00100020': { vr: 'LO' } });
  });

  it('empty entries among several values are null, both ways', () => {
    const dataSet = dataSetOf([
      el(Tag.ImageType, 'CS', ['ORIGINAL', '', 'AXIAL']),
      el(Tag.PixelSpacing, 'DS', ['', '0.5']),
      el(Tag.OtherPatientIDs, 'LO', ['A', '']),
    ]);
    const json = toDicomJson(dataSet);
    expect(json['00080008']).toEqual({ vr: 'CS', Value: ['ORIGINAL', null, 'AXIAL'] });
    expect(json['00280030']).toEqual({ vr: 'DS', Value: [null, 0.5] });
    expect(json['00101000']).toEqual({ vr: 'LO', Value: ['A', null] });
    const back = fromDicomJson(json);
    expect(new TextDecoder().decode(back.get(Tag.ImageType)!.bytes)).toBe('ORIGINAL\\\\AXIAL');
    expect(new TextDecoder().decode(back.get(Tag.PixelSpacing)!.bytes)).toBe('\\0.5');
    expect(toDicomJson(back)).toEqual(json);
  });
});

describe('value types (F.2.3, F.2.4)', () => {
  it('IS and DS are numbers; text that is not a number is kept as text', () => {
    const json = toDicomJson(
      dataSetOf([
        el(Tag.InstanceNumber, 'IS', ' 12 '),
        el(Tag.SliceThickness, 'DS', '1.5e3'),
        el(Tag.ImagePositionPatient, 'DS', ['-12.5', '+3', '0']),
        el(Tag.SeriesNumber, 'IS', '1A'),
      ]),
    );
    expect(json['00200013']).toEqual({ vr: 'IS', Value: [12] });
    expect(json['00180050']).toEqual({ vr: 'DS', Value: [1500] });
    expect(json['00200032']).toEqual({ vr: 'DS', Value: [-12.5, 3, 0] });
    expect(json['00200011']).toEqual({ vr: 'IS', Value: ['1A'] });
  });

  it('AT values are 8 hex digits, both ways', () => {
    const dataSet = dataSetOf([tagElement(Tag.FrameIncrementPointer, [Tag.FrameTime, 0x7fe00010])]);
    const json = toDicomJson(dataSet);
    expect(json['00280009']).toEqual({ vr: 'AT', Value: ['00181063', '7FE00010'] });
    expect(fromDicomJson(json).get(Tag.FrameIncrementPointer)?.bytes).toEqual(
      dataSet.get(Tag.FrameIncrementPointer)?.bytes,
    );
    expect(() => fromDicomJson({ '00280009': { vr: 'AT', Value: ['xyz'] } })).toThrow(DicomJsonError);
  });

  const numbers: [NumberVr, number, (number | bigint)[]][] = [
    ['US', 0x00280010, [0, 513, 65535]],
    ['SS', 0x00189219, [-32768, -2, 32767]],
    ['UL', 0x00081161, [0, 4294967295]],
    ['SL', 0x00186020, [-2147483648, -70000, 2147483647]],
    ['FL', 0x00109431, [1.5, -0.25]],
    ['FD', 0x00189218, [Math.PI, -1e300]],
    ['SV', 0x00720082, [-5n, 9007199254740991n]],
    ['UV', 0x00720081, [0n, 9007199254740991n]],
  ];

  it('binary numbers, little endian and big endian, both ways', async () => {
    const elements = numbers.map(([vr, tag, values]) => numberElement(tag, vr, values));
    for (const dataSet of [dataSetOf(elements), await bigEndian(elements)]) {
      const json = toDicomJson(dataSet);
      for (const [vr, tag, values] of numbers) {
        expect(json[tagToHex(tag)], `${vr} ${dataSet.littleEndian ? 'LE' : 'BE'}`).toEqual({
          vr,
          Value: values.map(Number),
        });
      }
      const back = fromDicomJson(json);
      for (const [, tag] of numbers)
        expect(back.get(tag)?.bytes, tagToHex(tag)).toEqual(elements.find((e) => e.tag === tag)!.bytes);
    }
  });

  it('SV and UV beyond 2^53 keep every digit (as strings, F.2.3)', () => {
    const big = [2n ** 63n - 1n, -(2n ** 63n)];
    const dataSet = dataSetOf([
      numberElement(0x00720082, 'SV', big),
      numberElement(0x00720081, 'UV', [2n ** 64n - 1n]),
    ]);
    const json = toDicomJson(dataSet);
    const back = fromDicomJson(JSON.parse(JSON.stringify(json)) as DicomJson);
    expect(back.get(0x00720082)?.bytes).toEqual(dataSet.get(0x00720082)?.bytes);
    expect(back.get(0x00720081)?.bytes).toEqual(dataSet.get(0x00720081)?.bytes);
  });

  it('DS values from JSON numbers are valid decimal strings (at most 16 characters, PS3.5 §6.2)', () => {
    const json: DicomJson = {
      '00280030': { vr: 'DS', Value: [0.1 + 0.2, 1 / 3, -1.234567890123456e-10, 1e21, 42] },
    };
    const values = getStrings(fromDicomJson(json), Tag.PixelSpacing);
    for (const value of values) {
      expect(value.length, value).toBeLessThanOrEqual(16);
      expect(value, value).toMatch(/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/);
    }
    expect(values[0]).toBe('0.3');
    expect(values[4]).toBe('42');
    const given = json['00280030']!.Value as number[];
    values.forEach((value, i) => expect(Math.abs(Number(value) / given[i]! - 1), value).toBeLessThan(1e-8));
  });

  it('text VRs are decoded with the character set, UI and CS are not', () => {
    const dataSet = dataSetOf([
      el(Tag.SpecificCharacterSet, 'CS', 'ISO_IR 100'),
      el(Tag.StudyDescription, 'LO', 'Gehirn – Übersicht'.replace('–', '-'), ['ISO_IR 100']),
      el(Tag.SOPInstanceUID, 'UI', '1.2.3'),
    ]);
    expect(toDicomJson(dataSet)['00081030']).toEqual({ vr: 'LO', Value: ['Gehirn - Übersicht'] });
    expect(toDicomJson(dataSet)['00080018']).toEqual({ vr: 'UI', Value: ['1.2.3'] });
  });
});

describe('sequences (F.2.2)', () => {
  it('empty items are empty objects, a sequence without items has no Value; both ways', () => {
    const dataSet = dataSetOf([
      sequenceElement(Tag.ReferencedSeriesSequence, [[], [el(Tag.SeriesInstanceUID, 'UI', '1.2')], []]),
      sequenceElement(Tag.ReferencedImageSequence, []),
    ]);
    const json = toDicomJson(dataSet);
    expect(json).toEqual({
      '00081115': { vr: 'SQ', Value: [{}, { '0020000E': { vr: 'UI', Value: ['1.2'] } }, {}] },
      '00081140': { vr: 'SQ' },
    });
    const back = fromDicomJson(json);
    expect(back.get(Tag.ReferencedSeriesSequence)?.items?.map((i) => i.elements.size)).toEqual([0, 1, 0]);
    expect(back.get(Tag.ReferencedSeriesSequence)?.items?.[1]?.parent).toBe(back);
    expect(back.get(Tag.ReferencedImageSequence)?.items).toEqual([]);
    expect(toDicomJson(back)).toEqual(json);
  });

  it('items inherit the character set of their parent, in both directions', () => {
    const dataSet = dataSetOf([el(Tag.SpecificCharacterSet, 'CS', 'ISO_IR 100')]);
    const item = new DataSet(true, dataSet);
    item.set(el(Tag.PatientName, 'PN', 'Müller', ['ISO_IR 100']));
    dataSet.set({ tag: Tag.OtherPatientIDsSequence, vr: 'SQ', length: 0, offset: -1, items: [item] });
    const json = toDicomJson(dataSet);
    expect(json['00101002']).toEqual({
      vr: 'SQ',
      Value: [{ '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller' }] } }],
    });
    const back = fromDicomJson(json);
    expect(getString(back.get(Tag.OtherPatientIDsSequence)!.items![0]!, Tag.PatientName)).toBe('Müller');
  });
});

describe('binary values (F.2.6, F.2.7)', () => {
  it('InlineBinary is base64 of the little-endian value, also from a big-endian data set', async () => {
    const words = numberElement(0x00283006, 'OW', [1, 2, 0xabcd]);
    const floats = numberElement(0x00640009, 'OF', [1.5, -2]);
    const bytes = bytesElement(0x00091001, 'OB', Uint8Array.of(1, 2, 3, 4));
    for (const dataSet of [dataSetOf([words, floats, bytes]), await bigEndian([words, floats, bytes])]) {
      const json = toDicomJson(dataSet);
      const where = dataSet.littleEndian ? 'LE' : 'BE';
      expect(json['00283006'], where).toEqual({ vr: 'OW', InlineBinary: toBase64(words.bytes!) });
      expect(json['00640009'], where).toEqual({ vr: 'OF', InlineBinary: toBase64(floats.bytes!) });
      expect(json['00091001'], where).toEqual({ vr: 'OB', InlineBinary: 'AQIDBA==' });
      expect(getNumbers(fromDicomJson(json), 0x00283006), where).toEqual([1, 2, 0xabcd]);
    }
  });

  it('base64 helpers agree with Node for every length and byte value', () => {
    for (const length of [0, 1, 2, 3, 4, 100, 70_000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37) & 0xff);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
      expect(fromBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
    }
  });

  it('BulkDataURI for whatever the callback names, with the path of nested elements', async () => {
    const dataSet = dataSetOf([
      el(Tag.PatientID, 'LO', 'P'),
      sequenceElement(Tag.ReferencedSeriesSequence, [
        [],
        [bytesElement(0x00091001, 'OB', new Uint8Array(4))],
      ]),
      numberElement(Tag.PixelData, 'OW', [1, 2, 3]),
    ]);
    const seen: string[] = [];
    const json = toDicomJson(dataSet, {
      bulkDataUri: (path, element) => {
        seen.push(path.map((p) => (p > 0xffff ? tagToHex(p) : String(p))).join('/'));
        return element.tag === Tag.PixelData || element.tag === 0x00091001
          ? `https://pacs/bulk/${path.join('.')}`
          : undefined;
      },
    });
    expect(seen.sort()).toEqual(['00081115/1/00091001', '7FE00010']);
    expect(json['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: `https://pacs/bulk/${Tag.PixelData}` });
    expect((json['00081115']!.Value![1] as DicomJson)['00091001']).toEqual({
      vr: 'OB',
      BulkDataURI: `https://pacs/bulk/${Tag.ReferencedSeriesSequence}.1.${0x00091001}`,
    });
    const back = fromDicomJson(json, {
      resolveBulkData: (uri, tag) =>
        tag === Tag.PixelData ? numberElement(0, 'OW', [1, 2, 3]).bytes! : Uint8Array.of(uri.length),
    });
    expect(getNumbers(back, Tag.PixelData)).toEqual([1, 2, 3]);
    expect(() => fromDicomJson(json)).toThrow(DicomJsonError);
  });

  it('values left in the source are BulkDataURI when named, otherwise written without a value', async () => {
    const bytes = encodeTestPart10(
      [el(Tag.StudyDescription, 'LO', 'x'.repeat(300)), numberElement(Tag.PixelData, 'OW', [1, 2])],
      TransferSyntaxUid.ExplicitVRLittleEndian,
    );
    const { dataSet } = await readPart10(bytes, { bulkDataThreshold: 100 });
    expect(dataSet.get(Tag.StudyDescription)?.bytes).toBeUndefined();
    const named = toDicomJson(dataSet, { bulkDataUri: (path) => `bulk/${tagToHex(path[0]!)}` });
    expect(named['00081030']).toEqual({ vr: 'LO', BulkDataURI: 'bulk/00081030' });
    expect(named['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: 'bulk/7FE00010' });
    // As documented: without a URI the value is omitted, which reads like an empty value (F.2.5), so
    // callers that leave values in the source must name them.
    expect(toDicomJson(dataSet)['00081030']).toEqual({ vr: 'LO' });
  });
});

describe('structure and errors', () => {
  it('group lengths are left out unless asked for; attributes are written in tag order', () => {
    const dataSet = dataSetOf([
      numberElement(0x00080000, 'UL', [10]),
      el(0x30040002, 'CS', 'GY'),
      el(Tag.SOPInstanceUID, 'UI', '1.2'),
      el(0x52009229 - 0x9229 + 0x0010, 'LO', 'x'),
    ]);
    expect(Object.keys(toDicomJson(dataSet)).sort()).toEqual(['00080018', '30040002', '52000010']);
    expect(toDicomJson(dataSet, { skipGroupLengths: false })['00080000']).toEqual({ vr: 'UL', Value: [10] });
    const text = stringifyDicomJson(toDicomJson(dataSet));
    expect(tagOrderViolations(text)).toEqual([]);
    expect(tagOrderViolations(JSON.stringify(toDicomJson(dataSet)))).toHaveLength(1);
    // Plain JSON.stringify would put the integer-like keys first: "30040002" before "00080018".
    expect(JSON.stringify(toDicomJson(dataSet)).indexOf('30040002')).toBeLessThan(
      JSON.stringify(toDicomJson(dataSet)).indexOf('00080018'),
    );
    expect(text.indexOf('30040002')).toBeGreaterThan(text.indexOf('00080018'));
  });

  it('rejects keys that are not tags, unknown VRs and non-object items', () => {
    expect(() => fromDicomJson({ PatientName: { vr: 'PN' } })).toThrow(DicomJsonError);
    expect(() => fromDicomJson({ '0010001': { vr: 'PN' } })).toThrow(DicomJsonError);
    expect(() => fromDicomJson({ '00100010': { vr: 'XX' as 'PN' } })).toThrow(DicomJsonError);
    expect(() => fromDicomJson({ '00081115': { vr: 'SQ', Value: ['x'] } })).toThrow(DicomJsonError);
    expect(() => fromDicomJson({ '00100020': { vr: 'LO', Value: [{ Alphabetic: 'x' }] } })).toThrow(
      DicomJsonError,
    );
  });

  it('keeps a given Specific Character Set when every value is ASCII', () => {
    const back = fromDicomJson({
      '00080005': { vr: 'CS', Value: ['ISO_IR 100'] },
      '00100020': { vr: 'LO', Value: ['A'] },
    });
    expect(getStrings(back, Tag.SpecificCharacterSet)).toEqual(['ISO_IR 100']);
  });
});
