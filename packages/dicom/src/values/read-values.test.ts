import { describe, expect, it } from 'vitest';
import { DataSet } from '../data-set.js';
import { Tag } from '../dictionary/index.js';
import { readPart10 } from '../reader/read-part10.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import {
  bytesElement,
  dataSetOf,
  encodeTestPart10,
  numberElement,
  sequenceElement,
  tagElement,
  textElement,
} from '../test-support/index.js';
import {
  characterSetOf,
  elementNumbers,
  elementStrings,
  elementTags,
  getNumber,
  getNumbers,
  getString,
  getStrings,
} from './read-values.js';

/** Decoding values: delimiters, padding (PS3.5 §6.2, §6.4), character set inheritance (§6.1.2.3), numbers. */

const raw = (tag: number, vr: Parameters<typeof bytesElement>[1], text: string) =>
  bytesElement(
    tag,
    vr,
    Uint8Array.from(text, (c) => c.charCodeAt(0)),
  );

describe('strings', () => {
  it('splits on backslash, trims padding, keeps empty values', () => {
    const ds = dataSetOf([
      raw(Tag.ImageType, 'CS', 'ORIGINAL\\\\AXIAL '),
      raw(Tag.SOPInstanceUID, 'UI', '1.2.3\0'),
      raw(Tag.PatientID, 'LO', '  ID 7  '),
      raw(Tag.PatientName, 'PN', 'Doe^John '),
    ]);
    expect(getStrings(ds, Tag.ImageType)).toEqual(['ORIGINAL', '', 'AXIAL']);
    expect(getString(ds, Tag.SOPInstanceUID)).toBe('1.2.3');
    expect(getString(ds, Tag.PatientID)).toBe('ID 7'); // leading spaces are not significant for LO
    expect(getString(ds, Tag.PatientName)).toBe('Doe^John');
  });

  it('LT, ST, UT and UR hold one value: a backslash is text and leading spaces stay', () => {
    const ds = dataSetOf([
      raw(Tag.ImageComments, 'LT', '  C:\\dir\\file  '),
      raw(Tag.RetrieveURL, 'UR', 'http://x/a\\b '),
      raw(Tag.TextValue, 'UT', ' a\\b'),
    ]);
    expect(getStrings(ds, Tag.ImageComments)).toEqual(['  C:\\dir\\file']);
    expect(getStrings(ds, Tag.RetrieveURL)).toEqual(['http://x/a\\b']);
    expect(getStrings(ds, Tag.TextValue)).toEqual([' a\\b']);
  });

  it('absent, empty and non-text elements', () => {
    const ds = dataSetOf([
      raw(Tag.PatientID, 'LO', ''),
      raw(Tag.AccessionNumber, 'SH', '  '),
      numberElement(Tag.Rows, 'US', [5]),
    ]);
    expect(getString(ds, Tag.PatientName)).toBeUndefined();
    expect(getStrings(ds, Tag.PatientName)).toEqual([]);
    expect(getString(ds, Tag.PatientID)).toBeUndefined();
    expect(getStrings(ds, Tag.PatientID)).toEqual([]);
    expect(getString(ds, Tag.AccessionNumber)).toBeUndefined();
    expect(getString(ds, Tag.Rows)).toBeUndefined();
    const lazy = new DataSet();
    lazy.set({ tag: Tag.StudyDescription, vr: 'LO', length: 100_000, offset: 500 });
    expect(getStrings(lazy, Tag.StudyDescription)).toEqual([]);
  });

  it('decodes with the Specific Character Set in effect: own, inherited, overridden in an item', () => {
    const top = dataSetOf([
      textElement(Tag.SpecificCharacterSet, 'CS', 'ISO_IR 100'),
      textElement(Tag.PatientName, 'PN', 'Müller', ['ISO_IR 100']),
    ]);
    const inherits = new DataSet(true, top);
    inherits.set(textElement(Tag.PatientName, 'PN', 'Jörg', ['ISO_IR 100']));
    const overrides = new DataSet(true, top);
    overrides.set(textElement(Tag.SpecificCharacterSet, 'CS', 'ISO_IR 192'));
    overrides.set(textElement(Tag.PatientName, 'PN', 'Jörg', ['ISO_IR 192']));
    expect(characterSetOf(top)).toEqual(['ISO_IR 100']);
    expect(characterSetOf(inherits)).toEqual(['ISO_IR 100']);
    expect(characterSetOf(overrides)).toEqual(['ISO_IR 192']);
    expect(getString(top, Tag.PatientName)).toBe('Müller');
    expect(getString(inherits, Tag.PatientName)).toBe('Jörg');
    expect(getString(overrides, Tag.PatientName)).toBe('Jörg');
    // UI and CS are not affected by the character set (PS3.5 §6.1.2.3): bytes ≥ 0x80 read as Latin-1.
    const cs = dataSetOf([
      textElement(Tag.SpecificCharacterSet, 'CS', 'ISO_IR 192'),
      bytesElement(Tag.Modality, 'CS', Uint8Array.of(0xc3, 0xa9)),
    ]);
    expect(getString(cs, Tag.Modality)).toBe('\u00c3\u00a9');
  });

  it('reads multi-valued Specific Character Set with an empty first value', () => {
    const ds = dataSetOf([raw(Tag.SpecificCharacterSet, 'CS', '\\ISO 2022 IR 87 ')]);
    expect(characterSetOf(ds)).toEqual(['', 'ISO 2022 IR 87']);
  });
});

describe('numbers', () => {
  const elements = [
    numberElement(Tag.Rows, 'US', [512, 65535]),
    numberElement(Tag.SmallestImagePixelValue, 'SS', [-1024]),
    numberElement(0x00081161, 'UL', [4294967295]),
    numberElement(0x00186020, 'SL', [-2147483648]),
    numberElement(0x00109431, 'FL', [0.5]),
    numberElement(0x00189218, 'FD', [-1e-300]),
    numberElement(0x00720082, 'SV', [-(2n ** 40n)]),
    numberElement(0x00720081, 'UV', [2n ** 50n]),
    numberElement(0x00283006, 'OW', [1, 0xfffe]),
    numberElement(0x00640009, 'OF', [2.5]),
    numberElement(0x00221412, 'OL', [7]),
    numberElement(0x00221413, 'OD', [0.125]),
    textElement(Tag.InstanceNumber, 'IS', ' 42 '),
    textElement(Tag.ImagePositionPatient, 'DS', ['-1.5', '', '3e2']),
    textElement(Tag.SliceThickness, 'DS', 'abc'),
  ];
  const expected: [number, number[]][] = [
    [Tag.Rows, [512, 65535]],
    [Tag.SmallestImagePixelValue, [-1024]],
    [0x00081161, [4294967295]],
    [0x00186020, [-2147483648]],
    [0x00109431, [0.5]],
    [0x00189218, [-1e-300]],
    [0x00720082, [-(2 ** 40)]],
    [0x00720081, [2 ** 50]],
    [0x00283006, [1, 0xfffe]],
    [0x00640009, [2.5]],
    [0x00221412, [7]],
    [0x00221413, [0.125]],
    [Tag.InstanceNumber, [42]],
    [Tag.ImagePositionPatient, [-1.5, 300]],
  ];

  it('in little endian and in big endian (read from a file made by the test encoder)', async () => {
    const file = encodeTestPart10(elements, TransferSyntaxUid.ExplicitVRBigEndian);
    const bigEndian = (await readPart10(file)).dataSet;
    for (const ds of [dataSetOf(elements), bigEndian]) {
      for (const [tag, values] of expected) {
        expect(getNumbers(ds, tag), `${tag.toString(16)} ${ds.littleEndian}`).toEqual(values);
        expect(getNumber(ds, tag)).toBe(values[0]);
      }
      expect(getNumber(ds, Tag.SliceThickness)).toBeUndefined(); // "abc" is not a number
      expect(getNumber(ds, Tag.Columns)).toBeUndefined();
      expect(getNumbers(ds, Tag.Columns)).toEqual([]);
    }
  });

  it('empty values give nothing; AT values are tags in either byte order', async () => {
    const ds = dataSetOf([
      bytesElement(Tag.Rows, 'US', new Uint8Array(0)),
      tagElement(Tag.FrameIncrementPointer, [Tag.FrameTime, 0x7fe00010]),
    ]);
    expect(getNumber(ds, Tag.Rows)).toBeUndefined();
    expect(elementNumbers(ds.get(Tag.Rows)!, ds)).toEqual([]);
    expect(elementTags(ds.get(Tag.FrameIncrementPointer)!, ds)).toEqual([Tag.FrameTime, 0x7fe00010]);
    const file = encodeTestPart10(ds.elements.values(), TransferSyntaxUid.ExplicitVRBigEndian);
    const be = (await readPart10(file)).dataSet;
    expect(elementTags(be.get(Tag.FrameIncrementPointer)!, be)).toEqual([Tag.FrameTime, 0x7fe00010]);
  });

  it('values of items in a big-endian data set', async () => {
    const file = encodeTestPart10(
      [
        sequenceElement(Tag.SharedFunctionalGroupsSequence, [
          [numberElement(Tag.Rows, 'US', [300]), textElement(Tag.PatientID, 'LO', 'P')],
        ]),
      ],
      TransferSyntaxUid.ExplicitVRBigEndian,
    );
    const item = (await readPart10(file)).dataSet.get(Tag.SharedFunctionalGroupsSequence)!.items![0]!;
    expect(getNumber(item, Tag.Rows)).toBe(300);
    expect(elementStrings(item.get(Tag.PatientID)!, item)).toEqual(['P']);
  });
});
