import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import { isImageModality } from './hanging-protocol';
import { documentKind, seriesWithoutImagesNotice, studyWithoutImagesNotice } from './no-images';

function series(modality: string): DicomJson {
  return { [JsonTag.Modality]: { vr: 'CS', Value: [modality] } };
}

describe('notices for what holds no images', () => {
  it('says what a study of documents holds, each kind once', () => {
    expect(studyWithoutImagesNotice([series('SR'), series('SR'), series('KO')])).toBe(
      'This study holds no images to show, only: structured report (SR), key object selection (KO).',
    );
    expect(studyWithoutImagesNotice([])).toBe('This study holds no series to show.');
  });
  it('names a series by its modality when it has no name here, or says it has none', () => {
    expect(seriesWithoutImagesNotice(series('XYZ'))).toBe('This series holds no images to show: XYZ.');
    expect(documentKind({})).toBe('objects without a modality');
  });
  it('does not hang RT plans and waveforms as images (their thumbnails do not exist)', () => {
    for (const modality of ['RTPLAN', 'ECG', 'SR', 'SEG']) expect(isImageModality(modality)).toBe(false);
    for (const modality of ['CT', 'MR', 'US', 'RTDOSE', 'OT', ''])
      expect(isImageModality(modality)).toBe(true);
  });
});
