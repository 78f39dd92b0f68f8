import {
  DataSet,
  encodePart10,
  getString,
  isBulkReference,
  readPart10,
  Tag,
  toDicomJson,
  TransferSyntaxUid,
  type DataElement,
  type DicomJson,
  type Vr,
} from '@lightbox/dicom';
import { describe, expect, it } from 'vitest';
import { correctDataSet } from './correct-data-set.js';
import type { InstanceCorrection } from './current-values.js';

function text(tag: number, vr: Vr, bytes: Buffer): DataElement {
  const value = bytes.length % 2 ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes;
  return { tag, vr, length: value.length, offset: -1, bytes: value };
}

/** A stored object's header: Latin-1 (ISO_IR 100) or the default repertoire. */
function storedObject(latin1: boolean): DataSet {
  const dataSet = new DataSet();
  if (latin1) dataSet.set(text(Tag.SpecificCharacterSet, 'CS', Buffer.from('ISO_IR 100')));
  dataSet.set(text(Tag.SOPClassUID, 'UI', Buffer.from('1.2.840.10008.5.1.4.1.1.7')));
  dataSet.set(text(Tag.SOPInstanceUID, 'UI', Buffer.from('1.2.3.4')));
  dataSet.set(text(Tag.PatientName, 'PN', Buffer.from(latin1 ? 'MÜLLER^HANS' : 'DOE^JANE', 'latin1')));
  dataSet.set(text(Tag.PatientID, 'LO', Buffer.from('P1')));
  dataSet.set(text(Tag.StudyDescription, 'LO', Buffer.from(latin1 ? 'Schädel' : 'Head', 'latin1')));
  return dataSet;
}

/** The data set as another reader sees it once written: Part 10 bytes read back, as DICOM JSON. */
async function writtenAndRead(dataSet: DataSet): Promise<DicomJson> {
  const chunks: Uint8Array[] = [];
  for (const chunk of encodePart10(dataSet, {
    transferSyntaxUid: TransferSyntaxUid.ExplicitVRLittleEndian,
  })) {
    if (isBulkReference(chunk)) throw new Error('all values are in memory');
    chunks.push(chunk);
  }
  return toDicomJson((await readPart10(Buffer.concat(chunks))).dataSet);
}

const correction = (name: string): InstanceCorrection => ({
  current: {
    '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] },
    '00080050': { vr: 'SH', Value: ['A1'] },
  },
  replaced: { '00100010': { vr: 'PN' }, '00080050': { vr: 'SH' } },
  at: new Date('2026-11-24T10:00:00Z'),
});

describe('objects as they leave the archive with current values', () => {
  it('writes the current values in the object’s own character set and keeps the sent ones as originals', async () => {
    const dataSet = storedObject(true);
    correctDataSet(dataSet, correction('MÜLLER^HANS^PETER'));
    expect(getString(dataSet, Tag.SpecificCharacterSet)).toBe('ISO_IR 100');
    expect(Buffer.from(dataSet.get(Tag.PatientName)!.bytes!).toString('latin1').trim()).toBe(
      'MÜLLER^HANS^PETER',
    );
    const json = await writtenAndRead(dataSet);
    expect(json['00100010']?.Value).toEqual([{ Alphabetic: 'MÜLLER^HANS^PETER' }]);
    expect(json['00080050']?.Value).toEqual(['A1']);
    expect(json['00081030']?.Value).toEqual(['Schädel']);
    const item = (json['04000561']?.Value as DicomJson[])[0]!;
    expect(item['04000565']?.Value).toEqual(['CORRECT']);
    expect(item['04000563']?.Value).toEqual(['LIGHTBOX']);
    expect(item['04000562']?.Value).toEqual(['20261124100000.000000+0000']);
    const original = (item['04000550']?.Value as DicomJson[])[0]!;
    expect(original['00100010']?.Value).toEqual([{ Alphabetic: 'MÜLLER^HANS' }]);
    // The object had no accession number: the original is recorded empty.
    expect(original['00080050']).toEqual({ vr: 'SH' });
  });

  it('moves the whole object to UTF-8 when a current value does not fit its character set', async () => {
    const dataSet = storedObject(true);
    correctDataSet(dataSet, correction('山田^太郎'));
    expect(getString(dataSet, Tag.SpecificCharacterSet)).toBe('ISO_IR 192');
    const json = await writtenAndRead(dataSet);
    expect(json['00100010']?.Value).toEqual([{ Alphabetic: '山田^太郎' }]);
    // Text that was Latin-1 is still the same text, now in UTF-8, the original name included.
    expect(json['00081030']?.Value).toEqual(['Schädel']);
    const item = (json['04000561']?.Value as DicomJson[])[0]!;
    const original = (item['04000550']?.Value as DicomJson[])[0]!;
    expect(original['00100010']?.Value).toEqual([{ Alphabetic: 'MÜLLER^HANS' }]);
  });

  it('gives an object of the default repertoire a character set only when a value needs one', async () => {
    const plain = storedObject(false);
    correctDataSet(plain, correction('ROE^JANE'));
    expect(plain.has(Tag.SpecificCharacterSet)).toBe(false);
    const accented = storedObject(false);
    correctDataSet(accented, correction('RÖE^JANE'));
    expect(getString(accented, Tag.SpecificCharacterSet)).toBe('ISO_IR 192');
    expect((await writtenAndRead(accented))['00100010']?.Value).toEqual([{ Alphabetic: 'RÖE^JANE' }]);
  });

  it('adds to an Original Attributes Sequence the object already has', async () => {
    const dataSet = storedObject(false);
    correctDataSet(dataSet, correction('ROE^JANE'));
    correctDataSet(dataSet, correction('POE^JANE'));
    const items = (await writtenAndRead(dataSet))['04000561']?.Value as DicomJson[];
    expect(items).toHaveLength(2);
    expect(((items[1]!['04000550']?.Value as DicomJson[])[0]!['00100010']?.Value as unknown[])[0]).toEqual({
      Alphabetic: 'ROE^JANE',
    });
  });
});
