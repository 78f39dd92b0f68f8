import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import { keyImageDocument } from './key-image-document';
import { KEY_OBJECT_SELECTION, keyImageKey, keyImagesOf } from './key-images';

const study: DicomJson = {
  [JsonTag.StudyInstanceUID]: { vr: 'UI', Value: ['1.2.3'] },
  [JsonTag.PatientName]: { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
  [JsonTag.PatientID]: { vr: 'LO', Value: ['P1'] },
  [JsonTag.AccessionNumber]: { vr: 'SH', Value: ['A1'] },
};

describe('keyImageDocument', () => {
  it('builds a TID 2010 document titled "Of Interest" with one IMAGE item per key image and the evidence', () => {
    const document = keyImageDocument(
      study,
      [
        {
          seriesInstanceUid: '1.2.3.4',
          sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
          sopInstanceUid: '1.2.3.4.5',
        },
        {
          seriesInstanceUid: '1.2.3.4',
          sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
          sopInstanceUid: '1.2.3.4.6',
          frame: 3,
        },
      ],
      'for the tumour board',
    );
    expect(document).toMatchObject({
      SOPClassUID: KEY_OBJECT_SELECTION,
      Modality: 'KO',
      StudyInstanceUID: '1.2.3',
      PatientID: 'P1',
      AccessionNumber: 'A1',
      ValueType: 'CONTAINER',
      ConceptNameCodeSequence: [{ CodeValue: '113000', CodingSchemeDesignator: 'DCM' }],
      ContentTemplateSequence: [{ TemplateIdentifier: '2010' }],
    });
    const content = document.ContentSequence as Record<string, unknown>[];
    expect(content.map((c) => c.ValueType)).toEqual(['TEXT', 'IMAGE', 'IMAGE']);
    expect(content[2]).toMatchObject({
      ReferencedSOPSequence: [{ ReferencedSOPInstanceUID: '1.2.3.4.6', ReferencedFrameNumber: 3 }],
    });
    const evidence = document.CurrentRequestedProcedureEvidenceSequence as {
      ReferencedSeriesSequence: { ReferencedSOPSequence: unknown[] }[];
    }[];
    expect(evidence[0]!.ReferencedSeriesSequence[0]!.ReferencedSOPSequence).toHaveLength(2);
  });

  it('names key images by instance, and by frame for multi-frame instances', () => {
    expect(keyImageKey({ sopInstanceUid: '1.2', frame: 1 })).toBe('1.2');
    expect(keyImageKey({ sopInstanceUid: '1.2', frame: 4 })).toBe('1.2/4');
  });

  it('resolves key images from their keys among the frames loaded, with frames only for multi-frames', () => {
    const sop = (uid: string): DicomJson => ({
      [JsonTag.SOPClassUID]: { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
      [JsonTag.SOPInstanceUID]: { vr: 'UI', Value: [uid] },
    });
    const images = keyImagesOf(new Set(['ct-2', 'us/3', 'missing']), {
      ct: ['ct-1', 'ct-2'].map((uid) => ({
        sopInstanceUid: uid,
        frame: 1,
        imageId: uid,
        metadata: sop(uid),
      })),
      us: [1, 2, 3].map((frame) => ({
        sopInstanceUid: 'us',
        frame,
        imageId: `us/${frame}`,
        metadata: sop('us'),
      })),
    });
    expect(images).toEqual([
      { seriesInstanceUid: 'ct', sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: 'ct-2' },
      { seriesInstanceUid: 'us', sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: 'us', frame: 3 },
    ]);
  });
});
