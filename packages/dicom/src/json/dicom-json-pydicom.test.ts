import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DataElement } from '../data-set.js';
import { readPart10 } from '../reader/read-part10.js';
import { tagToHex } from '../tag.js';
import { tagOrderViolations } from '../test-support/index.js';
import { pydicomFiles, PYDICOM_TEST_FILES, runPython } from '../test-support/node.js';
import {
  stringifyDicomJson,
  type DicomJson,
  type DicomJsonAttribute,
  type DicomJsonValue,
} from './dicom-json.js';
import { fromDicomJson } from './from-dicom-json.js';
import { toDicomJson } from './to-dicom-json.js';

/**
 * DICOM JSON (PS3.18 Annex F) against Debian's pydicom 2.3 `Dataset.to_json_dict`, and pydicom's own
 * JSON fixtures through fromDicomJson → toDicomJson. Where pydicom departs from PS3.18, its output is
 * normalised to the standard before comparing; each such rule says why.
 */

const BULK_THRESHOLD = 256;

// replace_un_with_known_vr = False, then our own replacement: pydicom's would also give private elements a
// VR from its private dictionary. The library reads a public element sent as UN in little endian with its
// dictionary VR (PS3.5 §6.2.2, rtdose_rle*.dcm) and keeps private ones as UN bytes; the oracle does the same.
const ORACLE = String.raw`
import json, sys, pydicom
from pydicom.datadict import dictionary_VR
from pydicom.dataelem import DataElement_from_raw, RawDataElement
pydicom.config.replace_un_with_known_vr = False
def known_vr(ds):
    for elem in ds.iterall():
        if elem.VR != 'UN' or elem.tag.is_private or not ds.is_little_endian:
            continue
        try:
            vr = dictionary_VR(elem.tag)
        except KeyError:
            continue
        if vr in ('SQ', 'UN') or ' or ' in vr:
            continue
        if not elem.value:
            elem.VR = vr
            continue
        if not isinstance(elem.value, bytes):
            continue
        raw = RawDataElement(elem.tag, vr, len(elem.value), elem.value, 0, False, True)
        converted = DataElement_from_raw(raw, ds._character_set)
        elem.VR = converted.VR
        elem.value = converted.value
out = {}
for path in sys.argv[1:]:
    ds = pydicom.dcmread(path, force=True)
    known_vr(ds)
    try:
        out[path] = ds.to_json_dict(bulk_data_threshold=${BULK_THRESHOLD},
                                    bulk_data_element_handler=lambda el: 'bulk:%08X' % int(el.tag))
    except Exception as e:
        out[path] = {'error': type(e).__name__ + ': ' + str(e)}
print(json.dumps(out))
`;

// The files pydicom cannot convert (badVR.dcm: IS "1A") or the library cannot read (see read-part10-pydicom).
const SKIP = new Set([
  'badVR.dcm',
  'MR_truncated.dcm',
  'rtplan_truncated.dcm',
  'SC_rgb_jpeg.dcm',
  'no_meta.dcm',
]);
const files = pydicomFiles().filter((f) => !SKIP.has(f.name));

const TEXT_VRS_KEEPING_LEADING_SPACE = new Set(['LT', 'ST', 'UT', 'UR']);

/** pydicom's JSON brought to PS3.18 where pydicom differs. */
function normalisePydicom(json: DicomJson): DicomJson {
  const out: DicomJson = {};
  for (const [tag, attribute] of Object.entries(json)) {
    // F.2.2: "Group Length (gggg,0000) attributes shall not be included"; pydicom includes them.
    if (tag.endsWith('0000')) continue;
    // PS3.10 §7.2: Data Set Trailing Padding is no attribute; pydicom keeps it as an element.
    if (tag === 'FFFCFFFC') continue;
    const a: DicomJsonAttribute = { ...attribute };
    // PS3.5 §A.4: encapsulated Pixel Data is OB; the reader normalises files that say OW.
    if (tag === '7FE00010' && a.BulkDataURI !== undefined && a.vr === 'OW' && isEncapsulated(json))
      a.vr = 'OB';
    if (a.Value !== undefined) {
      if (a.vr === 'SQ') {
        a.Value = a.Value.map((item) => normalisePydicom(item as DicomJson));
      } else if (typeof a.Value[0] === 'string' || a.Value.some((v) => v === '')) {
        a.Value = a.Value.map((v) => {
          if (typeof v !== 'string') return v;
          // PS3.5 §6.2: trailing spaces are padding in every value of a multi-valued string; pydicom only
          // strips the end of the whole element ("DERIVED \SECONDARY" gives "DERIVED ").
          const trimmed = v.replace(/ +$/, '');
          // F.2.5: an empty value among several is null; pydicom gives "".
          return trimmed === '' && a.Value!.length > 1 ? null : trimmed;
        });
        if (!TEXT_VRS_KEEPING_LEADING_SPACE.has(a.vr)) {
          a.Value = a.Value.map((v) => (typeof v === 'string' ? v.replace(/^ +/, '') : v));
        }
      }
      // F.2.5: an attribute with a zero-length value has no "Value"; pydicom writes "Value": [] for an
      // empty sequence.
      if (a.Value.length === 0) delete a.Value;
    }
    out[tag] = a;
  }
  return out;
}

let encapsulatedFiles: Set<DicomJson>;
function isEncapsulated(json: DicomJson): boolean {
  return encapsulatedFiles.has(json);
}

function bulkUri(_path: readonly number[], element: DataElement): string | undefined {
  // As pydicom's handler: binary values whose base64 is longer than the threshold, and Pixel Data held in
  // fragments (pydicom's value is the whole encapsulated stream).
  if (element.encapsulated !== undefined) return `bulk:${tagToHex(element.tag)}`;
  const bytes = element.bytes;
  return bytes !== undefined && Math.ceil(bytes.length / 3) * 4 > BULK_THRESHOLD
    ? `bulk:${tagToHex(element.tag)}`
    : undefined;
}

let theirs: Record<string, DicomJson | { error: string }>;
beforeAll(() => {
  theirs = runPython(
    ORACLE,
    files.map((f) => f.path),
  );
});

describe('toDicomJson equals pydicom to_json_dict (normalised to PS3.18)', () => {
  for (const file of files) {
    it(`${file.dir}/${file.name}`, async () => {
      const pydicomJson = theirs[file.path]!;
      expect('error' in pydicomJson, JSON.stringify(pydicomJson).slice(0, 200)).toBe(false);
      const { dataSet } = await readPart10(new Uint8Array(readFileSync(file.path)), {
        allowMissingPreamble: true,
        readPixelData: true,
        bulkDataThreshold: Infinity,
      });
      encapsulatedFiles = new Set(dataSet.get(0x7fe00010)?.encapsulated ? [pydicomJson as DicomJson] : []);
      const ours = toDicomJson(dataSet, { bulkDataUri: bulkUri });
      expect(ours).toEqual(normalisePydicom(pydicomJson as DicomJson));
      // F.2.2: attributes in ascending tag order, at every level, in the serialised text.
      expect(tagOrderViolations(stringifyDicomJson(ours))).toEqual([]);
      expect(JSON.parse(stringifyDicomJson(ours))).toEqual(JSON.parse(JSON.stringify(ours)));
    });
  }
});

describe("pydicom's JSON fixtures through fromDicomJson → toDicomJson", () => {
  /**
   * What the round trip legitimately changes in pydicom's fixtures (PS3.18 §F.2.5: a zero-length value has
   * no "Value"):
   * - `{"Alphabetic": ""}` and `[""]` are empty values: they come back without "Value";
   * - a null among binary US values cannot be encoded in PS3.5 (no empty binary value): it becomes 0;
   * - DS -0 is written "0" (the same number; JSON has no separate decimal string form here).
   */
  function expectedAfterRoundTrip(json: DicomJson): DicomJson {
    const out: DicomJson = {};
    for (const [tag, attribute] of Object.entries(json)) {
      const a: DicomJsonAttribute = { ...attribute };
      if (a.Value !== undefined) {
        if (a.vr === 'SQ') a.Value = a.Value.map((item) => expectedAfterRoundTrip(item as DicomJson));
        const empty = (v: DicomJsonValue): boolean =>
          v === '' ||
          v === null ||
          (typeof v === 'object' && a.vr === 'PN' && Object.values(v).every((c) => c === ''));
        if (a.vr !== 'SQ' && a.Value.every(empty)) delete a.Value;
        else if (['US', 'SS', 'UL', 'SL'].includes(a.vr)) a.Value = a.Value.map((v) => (v === null ? 0 : v));
        else if (a.vr === 'DS') a.Value = a.Value.map((v) => (Object.is(v, -0) ? 0 : v));
      }
      out[tag] = a;
    }
    return out;
  }

  for (const name of ['test1.json', 'test_PN.json']) {
    it(name, () => {
      const fixture = JSON.parse(readFileSync(`${PYDICOM_TEST_FILES}/${name}`, 'utf8')) as DicomJson;
      const uris = new Map<number, string>();
      const dataSet = fromDicomJson(fixture, {
        resolveBulkData: (uri, tag) => {
          uris.set(tag, uri);
          return new Uint8Array(8);
        },
      });
      const back = toDicomJson(dataSet, { bulkDataUri: (path, element) => uris.get(element.tag) });
      expect(back).toEqual(expectedAfterRoundTrip(fixture));
      expect(tagOrderViolations(stringifyDicomJson(back))).toEqual([]);
    });
  }
});
