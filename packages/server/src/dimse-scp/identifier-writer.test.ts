import { TransferSyntaxUid, type DicomJson, type DicomJsonValue, type Vr } from '@lightbox/dicom';
import { describe, expect, it, vi } from 'vitest';
import type * as identifier from './identifier.js';
import { encodeIdentifier } from './identifier.js';
import { writeIdentifier } from './identifier-writer.js';

vi.mock('./identifier.js', async (importOriginal) => {
  const original = await importOriginal<typeof identifier>();
  return { ...original, encodeIdentifier: vi.fn(original.encodeIdentifier) };
});

const SYNTAXES = [
  TransferSyntaxUid.ExplicitVRLittleEndian,
  TransferSyntaxUid.ImplicitVRLittleEndian,
  TransferSyntaxUid.ExplicitVRBigEndian,
];
const CHARACTER_SETS: string[][] = [
  [],
  [''],
  ['ISO_IR 100'],
  [' ISO_IR 100 '],
  ['ISO_IR 192'],
  ['', 'ISO 2022 IR 87'],
  ['ISO_IR 100', 'ISO_IR 192'],
];

/**
 * Same bytes as encodeIdentifier, for every transfer syntax and requested character set; returns how many
 * of the little-endian encodings were written without encodeIdentifier.
 */
function expectSameBytes(json: DicomJson): number {
  let written = 0;
  for (const syntax of SYNTAXES) {
    for (const characterSet of CHARACTER_SETS) {
      let expected: Uint8Array | Error;
      try {
        expected = encodeIdentifier(json, syntax, characterSet);
      } catch (error) {
        expected = error as Error;
      }
      if (expected instanceof Error) {
        expect(() => writeIdentifier(json, syntax, characterSet)).toThrow(expected.message);
        continue;
      }
      const calls = vi.mocked(encodeIdentifier).mock.calls.length;
      const actual = writeIdentifier(json, syntax, characterSet);
      if (vi.mocked(encodeIdentifier).mock.calls.length === calls) written++;
      expect(Buffer.from(actual).toString('hex'), `${syntax} ${JSON.stringify(characterSet)}`).toBe(
        Buffer.from(expected).toString('hex'),
      );
    }
  }
  return written;
}

/** The little-endian encodings expectSameBytes compares. */
const LITTLE_ENDIAN = 2 * CHARACTER_SETS.length;

const worklistItem: DicomJson = {
  '00100010': { vr: 'PN', Value: [{ Alphabetic: 'SMITH^JOHN' }] },
  '00100020': { vr: 'LO', Value: ['P123'] },
  '00080050': { vr: 'SH', Value: ['A1'] },
  '0020000D': { vr: 'UI', Value: ['1.2.840.113619.2.1'] },
  '00401001': { vr: 'SH' },
  '00400100': {
    vr: 'SQ',
    Value: [
      {
        '00400001': { vr: 'AE', Value: ['CT1'] },
        '00080060': { vr: 'CS', Value: ['CT'] },
        '00400002': { vr: 'DA', Value: ['20261124'] },
        '00400003': { vr: 'TM', Value: ['0705'] },
        '00400007': { vr: 'LO', Value: ['CT HEAD '] },
        '00400008': {
          vr: 'SQ',
          Value: [{ '00080100': { vr: 'SH', Value: ['P1'] }, '00080102': { vr: 'SH', Value: ['L'] } }],
        },
      },
    ],
  },
};

describe('writeIdentifier', () => {
  it('writes a worklist response as encodeIdentifier does', () => {
    expect(expectSameBytes(worklistItem)).toBe(LITTLE_ENDIAN);
    expect(expectSameBytes({ ...worklistItem, '00080005': { vr: 'CS' } })).toBe(LITTLE_ENDIAN);
    expect(expectSameBytes({ ...worklistItem, '00080005': { vr: 'CS', Value: ['ISO_IR 100'] } })).toBe(
      LITTLE_ENDIAN,
    );
  });

  it('pads odd values (UI with NUL), keeps empty values, sequences and items', () => {
    const written = expectSameBytes({
      '00080018': { vr: 'UI', Value: ['1.2.3'] },
      '00080020': { vr: 'DA', Value: [] },
      '00081110': { vr: 'SQ', Value: [] },
      '00081120': { vr: 'SQ' },
      '00321064': { vr: 'SQ', Value: [{}] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'A^B', Phonetic: 'a^b' }, null, { Ideographic: 'X' }] },
      '00080061': { vr: 'CS', Value: ['CT', 'MR', null] },
      '00091001': { vr: 'LO', Value: ['private  '] },
      '00400275': { vr: 'UT', Value: ['long text '] },
    });
    expect(written).toBe(LITTLE_ENDIAN);
  });

  it('falls back to encodeIdentifier for what it does not write itself', () => {
    const general: DicomJson[] = [
      { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller^Jürgen' }] } },
      { '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Müller' }] }, '00080005': { vr: 'CS' } },
      { '00201208': { vr: 'IS', Value: [12] }, '00101030': { vr: 'DS', Value: [70.5] } },
      { '00280010': { vr: 'US', Value: [512] } },
      { '0020000d': { vr: 'UI', Value: ['1.2'] } },
      { '00400100': { vr: 'SQ', Value: [{ '00080005': { vr: 'CS', Value: ['ISO_IR 100'] } }] } },
      { '00100010': { vr: 'PN', Value: ['ESC\u001b$B'] } },
      { '00080000': { vr: 'UL', Value: [4] } },
      { '00100010': { vr: 'XX' as Vr } },
    ];
    for (const json of general) expect(expectSameBytes(json)).toBe(0);
    // A value too long for a 16-bit length: UN in explicit VR (the general path), as is in implicit VR.
    const long: DicomJson = { '00081030': { vr: 'LO', Value: ['x'.repeat(70_001)] } };
    expect(expectSameBytes(long)).toBe(CHARACTER_SETS.length);
  });

  it('agrees with encodeIdentifier on generated identifiers', () => {
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = ['A', 'b1', ' ', '  ', '^', '.', '\\', '=', 'é', '-', ''];
    const text = () => Array.from({ length: random(5) }, () => pieces[random(pieces.length)]).join('');
    const vrs: Vr[] = ['AE', 'CS', 'DA', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UI', 'UC', 'UT', 'SQ'];
    const tags = [
      '00080050',
      '00080060',
      '00080090',
      '00100010',
      '00100020',
      '0020000D',
      '00400100',
      '00091010',
    ];
    const object = (depth: number): DicomJson => {
      const json: DicomJson = {};
      for (let i = random(5); i > 0; i--) {
        const vr = vrs[random(depth > 1 ? vrs.length - 1 : vrs.length)]!;
        const tag = tags[random(tags.length)]!;
        if (vr === 'SQ') {
          json[tag] = { vr, Value: Array.from({ length: random(3) }, () => object(depth + 1)) };
          continue;
        }
        const values: DicomJsonValue[] = Array.from({ length: random(3) }, () =>
          vr === 'PN' && random(2) === 0
            ? { Alphabetic: text(), ...(random(2) ? { Phonetic: text() } : {}) }
            : text(),
        );
        json[tag] = random(4) === 0 ? { vr } : { vr, Value: values };
      }
      if (depth === 0 && random(2) === 0)
        json['00080005'] = { vr: 'CS', Value: random(2) ? [] : ['ISO_IR 100'] };
      return json;
    };
    let written = 0;
    for (let n = 0; n < 300; n++) written += expectSameBytes(object(0));
    // Most have no non-ASCII value: those are written without encodeIdentifier.
    expect(written).toBeGreaterThan(100 * LITTLE_ENDIAN);
  });
});
