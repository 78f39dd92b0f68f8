import { stringifyDicomJson, type DicomJson } from '@lightbox/dicom';
import { describe, expect, it } from 'vitest';
import { withCurrentValues } from './current-values.js';

const stored = (name: string, accession: string): string =>
  stringifyDicomJson({
    '00080050': { vr: 'SH', Value: [accession] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] },
    '00100020': { vr: 'LO', Value: ['P1'] },
    '00080018': { vr: 'UI', Value: ['1.2.3'] },
  });

const patient = (name: string) =>
  stringifyDicomJson({
    '00100010': { vr: 'PN', Value: [{ Alphabetic: name }] },
    '00100020': { vr: 'LO', Value: ['P1'] },
  });

describe('metadata as it leaves the archive', () => {
  it('returns unchanged instances as stored, byte for byte', () => {
    const text = stored('DOE^JANE', 'A1');
    expect(
      withCurrentValues([text], { patientAttributes: patient('DOE^JANE'), accessionNumber: 'A1' }),
    ).toEqual([text]);
  });

  it('gives the current values and keeps the replaced ones in Original Attributes Sequence (PS3.3 C.12.1.1.9)', () => {
    const [text] = withCurrentValues(
      [stored('DOE^JANE', 'TYPO')],
      { patientAttributes: patient('ROE^JANE'), accessionNumber: 'A1' },
      new Date('2026-11-24T10:00:00Z'),
    );
    const json = JSON.parse(text!) as DicomJson;
    expect(json['00100010']?.Value).toEqual([{ Alphabetic: 'ROE^JANE' }]);
    expect(json['00080050']?.Value).toEqual(['A1']);
    const original = (json['04000561']?.Value as DicomJson[])[0]!;
    expect(original['04000565']?.Value).toEqual(['CORRECT']);
    expect(original['04000562']?.Value).toEqual(['20261124100000.000000+0000']);
    const modified = (original['04000550']?.Value as DicomJson[])[0]!;
    expect(modified).toEqual({
      '00080050': { vr: 'SH', Value: ['TYPO'] },
      '00100010': { vr: 'PN', Value: [{ Alphabetic: 'DOE^JANE' }] },
    });
  });
});
