import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataSet } from '../data-set.js';
import { Tag } from '../dictionary/index.js';
import { DicomParseError, ParseFailure, type ParseFailureReason } from '../parse-error.js';
import { tagToHex, UNDEFINED_LENGTH } from '../tag.js';
import { TransferSyntaxUid } from '../transfer-syntax.js';
import { pydicomFiles, runPython, type PydicomFile } from '../test-support/node.js';
import { getNumber, getString, getStrings } from '../values/read-values.js';
import { readPart10, type Part10Object } from './read-part10.js';

/**
 * The reader against every *.dcm of Debian's python3-pydicom (test_files and charset_files), with
 * Debian's pydicom 2.3 as the oracle: the element tree (tags, VRs, value lengths, value offsets in the
 * file), sequence item counts and a set of decoded values. If python3-pydicom is not installed,
 * `pydicomFiles()` throws and this file fails, naming the package.
 */

// Walks pydicom's raw elements without decoding them: [path, raw VR (None in implicit VR), value length,
// value offset, VR after pydicom's conversion]. Defined-length sequences stay raw in pydicom until they
// are accessed and are then parsed from a buffer of their own value, so offsets inside them are relative
// to that buffer: `base` adds the enclosing value offset back.
const ORACLE = String.raw`
import json, sys, pydicom
from pydicom.sequence import Sequence
from pydicom.dataelem import RawDataElement

def walk(ds, path, out, counts, base):
    for tag in sorted(ds._dict.keys()):
        el = dict.__getitem__(ds._dict, tag)
        p = path + ['%08X' % int(tag)]
        key = '/'.join(p)
        if isinstance(el, RawDataElement):
            try:
                conv = ds[tag]
                vr = conv.VR
            except Exception:
                conv, vr = None, 'ERR'
            out.append([key, el.VR, el.length, base + el.value_tell, vr])
            if conv is not None and conv.VR == 'SQ' and el.VR in ('SQ', None):
                # An empty defined-length sequence converts to an empty value, not a Sequence.
                counts[key] = len(conv.value or [])
                for i, item in enumerate(conv.value or []):
                    walk(item, p + [str(i)], out, counts, base + el.value_tell)
        elif isinstance(el.value, Sequence):
            out.append([key, 'SQ', None, None, 'SQ'])
            counts[key] = len(el.value)
            for i, item in enumerate(el.value):
                walk(item, p + [str(i)], out, counts, base)
        else:
            out.append([key, el.VR, None, None, el.VR])

def summary(path, force):
    try:
        ds = pydicom.dcmread(path, force=force)
    except Exception as e:
        return {'ok': False, 'error': type(e).__name__}
    elements, counts = [], {}
    walk(ds, [], elements, counts, 0)
    def value(keyword):
        v = ds.get(keyword)
        if v is None:
            return None
        return v if isinstance(v, int) else str(v)
    return {'ok': True, 'littleEndian': ds.is_little_endian, 'implicitVr': ds.is_implicit_VR,
            'count': len(ds._dict), 'elements': elements, 'sequences': counts,
            'values': {k: value(k) for k in ['PatientName', 'PatientID', 'StudyInstanceUID', 'SOPClassUID',
                                             'Rows', 'Columns', 'NumberOfFrames']}}

print(json.dumps({p: {'strict': summary(p, False), 'force': summary(p, True)} for p in sys.argv[1:]}))
`;

type OracleRow = [
  path: string,
  rawVr: string | null,
  length: number | null,
  offset: number | null,
  vr: string,
];
interface OracleSummary {
  ok: boolean;
  error?: string;
  littleEndian: boolean;
  implicitVr: boolean;
  count: number;
  elements: OracleRow[];
  sequences: Record<string, number>;
  values: Record<'PatientName' | 'PatientID' | 'StudyInstanceUID' | 'SOPClassUID', string | null> &
    Record<'Rows' | 'Columns' | 'NumberOfFrames', number | string | null>;
}

/** Files without preamble and meta: rejected unless `allowMissingPreamble`. */
const NO_PREAMBLE = new Set([
  'ExplVR_BigEndNoMeta.dcm',
  'ExplVR_LitEndNoMeta.dcm',
  'no_meta.dcm',
  'rtstruct.dcm',
]);

/** The genuinely broken files, with the reason the reader must give. */
const BROKEN: Record<string, { reason: ParseFailureReason; why: string }> = {
  'MR_truncated.dcm': {
    reason: ParseFailure.Truncated,
    why: 'Pixel Data is cut short; pydicom only reads it because it defers values, dcmdump fails too',
  },
  'rtplan_truncated.dcm': {
    reason: ParseFailure.Truncated,
    why: 'the file ends inside a DS value; pydicom defers values, dcmdump fails too',
  },
  'SC_rgb_jpeg.dcm': {
    reason: ParseFailure.Malformed,
    why: 'the meta group says JPEG Baseline (explicit VR) but the data set is implicit VR; pydicom switches with a warning, dcmdump fails too',
  },
  'no_meta.dcm': {
    reason: ParseFailure.NotDicom,
    why: 'a stray 0x20 byte precedes (0008,0005); pydicom with force=True reads one garbage element (0820,0500), dcmdump fails too',
  },
};

const files = pydicomFiles();
let oracle: Record<string, { strict: OracleSummary; force: OracleSummary }>;

beforeAll(() => {
  oracle = runPython(
    ORACLE,
    files.map((f) => f.path),
  );
});

function read(file: PydicomFile, allowMissingPreamble: boolean): Promise<Part10Object> {
  return readPart10(new Uint8Array(readFileSync(file.path)), {
    allowMissingPreamble,
    bulkDataThreshold: 1024,
  });
}

type Row = [path: string, vr: string, length: number, offset: number];

function rows(dataSet: DataSet, path: string[] = [], out: Row[] = [], counts: Record<string, number> = {}) {
  for (const element of dataSet.sortedElements()) {
    const p = [...path, tagToHex(element.tag)];
    out.push([p.join('/'), element.vr, element.length, element.offset]);
    if (element.items !== undefined) {
      counts[p.join('/')] = element.items.length;
      element.items.forEach((item, i) => rows(item, [...p, String(i)], out, counts));
    }
  }
  return { rows: out, counts };
}

async function expectFailure(promise: Promise<unknown>, reason: ParseFailureReason): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'reading must fail').toBeInstanceOf(DicomParseError);
  expect((error as DicomParseError).reason).toBe(reason);
}

describe('pydicom files: outcome', () => {
  it('finds the whole corpus', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
    for (const name of [...NO_PREAMBLE, ...Object.keys(BROKEN)])
      expect(files.map((f) => f.name)).toContain(name);
  });

  for (const file of files) {
    it(`${file.dir}/${file.name}`, async () => {
      const theirs = oracle[file.path]!;
      // Without allowMissingPreamble: PS3.10 §7.1 requires the preamble and DICM prefix.
      if (NO_PREAMBLE.has(file.name)) {
        expect(theirs.strict.ok, 'pydicom also refuses it without force').toBe(false);
        await expectFailure(read(file, false), ParseFailure.NotDicom);
      }
      const broken = BROKEN[file.name];
      if (broken !== undefined) {
        await expectFailure(read(file, true), broken.reason);
        return;
      }
      const ours = await read(file, true);
      if (!NO_PREAMBLE.has(file.name)) {
        expect(ours.hasPreamble).toBe(true);
        expect(await read(file, false)).toEqual(ours);
      } else {
        expect(ours.hasPreamble).toBe(false);
      }
      expect(theirs.force.ok).toBe(true);
    });
  }
});

describe('pydicom files: element tree against pydicom', () => {
  for (const file of files.filter((f) => BROKEN[f.name] === undefined)) {
    it(`${file.dir}/${file.name}`, async () => {
      const theirs = oracle[file.path]!.force;
      const ours = await read(file, true);
      expect(ours.dataSet.littleEndian).toBe(theirs.littleEndian);
      expect(ours.dataSet.elements.size).toBe(theirs.count);
      const mine = rows(ours.dataSet);
      expect(mine.counts).toEqual(theirs.sequences);
      const byPath = new Map(mine.rows.map((r) => [r[0], r]));
      expect([...byPath.keys()].sort()).toEqual(theirs.elements.map((r) => r[0]).sort());
      for (const [path, rawVr, length, offset, vr] of theirs.elements) {
        const [, ourVr, ourLength, ourOffset] = byPath.get(path)!;
        const where = `${file.name} ${path}`;
        if (rawVr === null) {
          // Implicit VR: the VR comes from the dictionary, as pydicom's conversion does.
          expect(ourVr, where).toBe(vr);
        } else if (rawVr === 'UN' && ourLength === UNDEFINED_LENGTH) {
          // PS3.5 §6.2.2: UN of undefined length is a sequence encoded in implicit VR little endian.
          expect(ourVr, where).toBe('SQ');
        } else if (
          rawVr === 'UN' &&
          vr !== 'UN' &&
          vr !== 'SQ' &&
          ours.dataSet.littleEndian &&
          !isPrivatePath(path)
        ) {
          // PS3.5 §6.2.2: a public element sent as UN is read with its dictionary VR (rtdose_rle*.dcm).
          expect(ourVr, where).toBe(vr);
        } else if (path === '7FE00010' && rawVr === 'OW' && ourLength === UNDEFINED_LENGTH) {
          // PS3.5 §A.4: encapsulated Pixel Data is OB; the reader normalises a (wrong) OW to OB.
          expect(ourVr, where).toBe('OB');
        } else {
          expect(ourVr, where).toBe(rawVr);
        }
        if (length !== null) expect(ourLength, where).toBe(length);
        if (offset !== null) expect(ourOffset, where).toBe(offset);
      }
    });
  }
});

function isPrivatePath(path: string): boolean {
  const last = path.split('/').pop()!;
  return Number.parseInt(last.slice(0, 4), 16) % 2 === 1;
}

describe('pydicom files: values against pydicom', () => {
  for (const file of files.filter((f) => BROKEN[f.name] === undefined)) {
    it(`${file.dir}/${file.name}`, async () => {
      const { values } = oracle[file.path]!.force;
      const { dataSet } = await read(file, true);
      for (const keyword of ['PatientName', 'PatientID', 'StudyInstanceUID', 'SOPClassUID'] as const) {
        if (dataSet.get(Tag[keyword])?.vr === 'UN') {
          // rtdose_rle*.dcm (gdcmconv) writes almost everything as UN: pydicom converts UN to the
          // dictionary VR, the library keeps the VR of the file and does not decode UN as text.
          expect(getString(dataSet, Tag[keyword]), keyword).toBeUndefined();
          continue;
        }
        // pydicom gives '' for an empty value where getString gives undefined, and drops empty trailing
        // person name component groups ("A=B=" is "A=B", PS3.5 §6.2.1.1) where getString keeps the value.
        let ours = getString(dataSet, Tag[keyword]) ?? (dataSet.has(Tag[keyword]) ? '' : null);
        if (keyword === 'PatientName') ours = ours?.replace(/=+$/, '') ?? null;
        expect(ours, keyword).toBe(values[keyword]);
      }
      for (const keyword of ['Rows', 'Columns', 'NumberOfFrames'] as const) {
        const expected = values[keyword];
        if (dataSet.get(Tag[keyword])?.vr === 'UN') continue; // as above: UN is not decoded
        if (typeof expected === 'string') {
          // badVR.dcm: Number of Frames is "1A", not a number; the text is still there.
          expect(getNumber(dataSet, Tag[keyword]), keyword).toBeUndefined();
          expect(getString(dataSet, Tag[keyword]), keyword).toBe(expected);
        } else {
          expect(getNumber(dataSet, Tag[keyword]) ?? null, keyword).toBe(expected);
        }
      }
    });
  }
});

describe('pydicom files: value bytes and offsets', () => {
  for (const file of files.filter((f) => BROKEN[f.name] === undefined)) {
    it(`${file.dir}/${file.name}: every value held in memory is the file's bytes at its offset`, async () => {
      const bytes = new Uint8Array(readFileSync(file.path));
      const ours = await read(file, true);
      // Deflated (PS3.5 §A.5): offsets count in the inflated data set, which node:zlib gives independently.
      const stream = ours.deflated
        ? new Uint8Array(inflateRawSync(bytes.subarray(ours.dataSetOffset)))
        : bytes;
      let checked = 0;
      const visit = (dataSet: DataSet): void => {
        for (const element of dataSet.elements.values()) {
          if (element.bytes !== undefined) {
            expect(
              stream.subarray(element.offset, element.offset + element.length),
              tagToHex(element.tag),
            ).toEqual(element.bytes);
            checked++;
          } else if (element.items === undefined && element.encapsulated === undefined) {
            // Left in the source: above the 1024-byte threshold, or Pixel Data.
            expect(element.length > 1024 || element.tag === Tag.PixelData, tagToHex(element.tag)).toBe(true);
            expect(element.offset + element.length).toBeLessThanOrEqual(stream.length);
          }
          for (const fragment of element.encapsulated?.fragments ?? []) {
            // A fragment's item header (FFFE,E000) and length sit just before it.
            const view = new DataView(stream.buffer, stream.byteOffset + fragment.offset - 8, 8);
            expect(view.getUint16(0, true)).toBe(0xfffe);
            expect(view.getUint16(2, true)).toBe(0xe000);
            expect(view.getUint32(4, true)).toBe(fragment.length);
          }
          element.items?.forEach(visit);
        }
      };
      visit(ours.dataSet);
      expect(checked).toBeGreaterThan(0);
    });
  }
});

describe('pydicom files: special cases', () => {
  const path = (name: string): PydicomFile => files.find((f) => f.name === name)!;

  it('image_dfl.dcm: deflated data set, offsets in the inflated stream', async () => {
    const ours = await read(path('image_dfl.dcm'), false);
    expect(ours.transferSyntaxUid).toBe(TransferSyntaxUid.DeflatedExplicitVRLittleEndian);
    expect(ours.deflated).toBe(true);
    expect(ours.dataSet.get(Tag.PixelData)?.offset).toBeGreaterThan(0);
    expect(getNumber(ours.dataSet, Tag.Rows)).toBe(512);
  });

  it('big endian files: numbers and the data set byte order', async () => {
    for (const name of ['ExplVR_BigEnd.dcm', 'MR_small_bigendian.dcm', 'rtdose_expb.dcm']) {
      const ours = await read(path(name), false);
      expect(ours.transferSyntaxUid, name).toBe(TransferSyntaxUid.ExplicitVRBigEndian);
      expect(ours.dataSet.littleEndian, name).toBe(false);
    }
    const be = await read(path('MR_small_bigendian.dcm'), false);
    const le = await read(path('MR_small.dcm'), false);
    for (const tag of [
      Tag.Rows,
      Tag.Columns,
      Tag.BitsAllocated,
      Tag.SmallestImagePixelValue,
      Tag.LargestImagePixelValue,
    ]) {
      expect(getNumber(be.dataSet, tag), tagToHex(tag)).toBe(getNumber(le.dataSet, tag));
    }
  });

  it('ExplVR_BigEndNoMeta.dcm: a bare big-endian data set is detected', async () => {
    const ours = await read(path('ExplVR_BigEndNoMeta.dcm'), true);
    expect(ours.transferSyntaxUid).toBe(TransferSyntaxUid.ExplicitVRBigEndian);
    expect(ours.meta.elements.size).toBe(0);
    expect(getString(ours.dataSet, Tag.StudyInstanceUID)).toBe('1.2.333.4444.5.6.7.8.9');
  });

  it('rtstruct.dcm and ExplVR_LitEndNoMeta.dcm: bare implicit and explicit little-endian data sets', async () => {
    expect((await read(path('rtstruct.dcm'), true)).transferSyntaxUid).toBe(
      TransferSyntaxUid.ImplicitVRLittleEndian,
    );
    expect((await read(path('ExplVR_LitEndNoMeta.dcm'), true)).transferSyntaxUid).toBe(
      TransferSyntaxUid.ExplicitVRLittleEndian,
    );
  });

  it('meta_missing_tsyntax.dcm: no Transfer Syntax UID, a data set starting at group 0001', async () => {
    const ours = await read(path('meta_missing_tsyntax.dcm'), false);
    expect(ours.transferSyntaxUid).toBe(TransferSyntaxUid.ImplicitVRLittleEndian);
    expect([...ours.meta.elements.keys()].every((tag) => tag >>> 16 === 0x0002)).toBe(true);
    expect(ours.dataSet.get(0x00010001)?.items).toHaveLength(1);
  });

  it('nested_priv_SQ.dcm and priv_SQ.dcm: private sequences in implicit VR', async () => {
    const nested = (await read(path('nested_priv_SQ.dcm'), false)).dataSet;
    const inner = nested.get(0x00010001)!.items![0]!.get(0x00010001)!.items![0]!;
    expect(inner.get(0x00010001)?.bytes).toEqual(new TextEncoder().encode('Double Nested SQ'));
    // priv_SQ.dcm: a private element of defined length is not known to be a sequence: it stays UN bytes.
    const priv = (await read(path('priv_SQ.dcm'), false)).dataSet.get(0x3f031001)!;
    expect(priv.vr).toBe('UN');
    expect(priv.bytes).toHaveLength(166);
  });

  it('UN_sequence.dcm: UN of undefined length read as a sequence of implicit VR items', async () => {
    const ours = (await read(path('UN_sequence.dcm'), false)).dataSet;
    const sq = ours.get(0x4453100c)!;
    expect(sq.vr).toBe('SQ');
    const item = sq.items![0]!;
    expect(item.littleEndian).toBe(true);
    expect(getString(item, Tag.StudyInstanceUID)).toMatch(/^1\.2\.840\.113619\./);
    const series = item.get(Tag.ReferencedSeriesSequence)!.items![0]!;
    expect(getString(series.get(Tag.ReferencedSOPSequence)!.items![0]!, Tag.ReferencedSOPClassUID)).toBe(
      '1.2.840.10008.5.1.4.1.1.2',
    );
  });

  it('badVR.dcm: Number of Frames "1A" is text, not a number', async () => {
    const ours = (await read(path('badVR.dcm'), false)).dataSet;
    expect(getStrings(ours, Tag.NumberOfFrames)).toEqual(['1A']);
    expect(getNumber(ours, Tag.NumberOfFrames)).toBeUndefined();
  });

  it('empty_charset_LEI.dcm: an empty Specific Character Set is the default repertoire', async () => {
    const ours = (await read(path('empty_charset_LEI.dcm'), false)).dataSet;
    expect(ours.get(Tag.SpecificCharacterSet)?.length).toBe(0);
    expect(getStrings(ours, Tag.ImageType)).toEqual(['ORIGINAL', 'PRIMARY', 'SINGLE PLANE']);
  });

  it('reportsi_with_empty_number_tags.dcm: empty binary numbers and empty defined-length sequences', async () => {
    const ours = (await read(path('reportsi_with_empty_number_tags.dcm'), false)).dataSet;
    for (const tag of [0x00081161, 0x00109431, 0x00186020, 0x00186024, 0x00189218, 0x00189219, 0x00640009]) {
      const element = ours.get(tag)!;
      expect(element.length, tagToHex(tag)).toBe(0);
      expect(getNumber(ours, tag), tagToHex(tag)).toBeUndefined();
    }
    expect(ours.get(Tag.ReferencedPerformedProcedureStepSequence)?.items).toEqual([]);
    expect(ours.get(Tag.ReferencedPerformedProcedureStepSequence)?.length).toBe(0);
  });

  it('encapsulated files: fragments recorded, not read unless asked', async () => {
    const lazy = (await read(path('JPEG2000.dcm'), false)).dataSet.get(Tag.PixelData)!;
    expect(lazy.encapsulated?.fragments.every((f) => f.bytes === undefined)).toBe(true);
    const file = new Uint8Array(readFileSync(path('JPEG2000.dcm').path));
    const eager = (await readPart10(file, { readPixelData: true })).dataSet.get(Tag.PixelData)!;
    expect(eager.encapsulated?.fragments.map((f) => f.bytes)).toEqual(
      lazy.encapsulated?.fragments.map((f) => file.subarray(f.offset, f.offset + f.length)),
    );
  });
});
