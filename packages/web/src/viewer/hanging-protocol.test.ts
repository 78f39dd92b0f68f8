import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import { BUILT_IN_PROTOCOLS, hangStudy, planeOf, relevantPrior, type SeriesFacts } from './hanging-protocol';

function series(
  studyUid: string,
  seriesUid: string,
  modality: string,
  description: string,
  plane?: SeriesFacts['plane'],
): SeriesFacts {
  return {
    studyUid,
    seriesUid,
    modality,
    description,
    bodyPart: '',
    images: modality !== 'SR',
    ...(plane ? { plane } : {}),
  };
}

function study(uid: string, date: string, modalities: string[], description = ''): DicomJson {
  return {
    [JsonTag.StudyInstanceUID]: { vr: 'UI', Value: [uid] },
    [JsonTag.StudyDate]: { vr: 'DA', Value: [date] },
    [JsonTag.ModalitiesInStudy]: { vr: 'CS', Value: modalities },
    [JsonTag.StudyDescription]: { vr: 'LO', Value: [description] },
  };
}

describe('planeOf', () => {
  it('names the plane from the direction cosines', () => {
    expect(planeOf([1, 0, 0, 0, 1, 0])).toBe('axial');
    expect(planeOf([0, 1, 0, 0, 0, -1])).toBe('sagittal');
    expect(planeOf([1, 0, 0, 0, 0, -1])).toBe('coronal');
    expect(planeOf([1, 0, 0, 0, 0.7071, -0.7071])).toBe('oblique');
    expect(planeOf(undefined)).toBeUndefined();
  });
});

describe('hangStudy', () => {
  it('puts a CT beside its prior, axial with axial', () => {
    const current = [
      series('c', 'c-scout', 'CT', 'Topogram'),
      series('c', 'c-ax', 'CT', 'Axial 2 mm', 'axial'),
    ];
    const prior = [series('p', 'p-ax', 'CT', 'Axial 3 mm', 'axial'), series('p', 'p-sr', 'SR', 'Report')];
    const { protocol, viewports } = hangStudy(
      BUILT_IN_PROTOCOLS,
      { modalities: ['CT'], description: 'CT chest', series: current },
      prior,
    );
    expect(protocol.name).toBe('CT with prior');
    expect(viewports).toEqual([
      { studyUid: 'c', seriesUid: 'c-ax' },
      { studyUid: 'p', seriesUid: 'p-ax' },
    ]);
  });

  it('shows CT axial and coronal reconstructions when there is no prior', () => {
    const current = [
      series('c', 'ax', 'CT', 'Axial', 'axial'),
      series('c', 'cor', 'CT', 'Coronal MPR', 'coronal'),
    ];
    const { protocol, viewports } = hangStudy(
      BUILT_IN_PROTOCOLS,
      { modalities: ['CT'], description: '', series: current },
      undefined,
    );
    expect(protocol.name).toBe('CT axial + coronal');
    expect(viewports.map((v) => v.seriesUid)).toEqual(['ax', 'cor']);
  });

  it('hangs a chest X-ray PA and lateral by the series descriptions, whole words only', () => {
    const current = [
      series('c', 'lat', 'DX', 'LAT'),
      series('c', 'pa', 'DX', 'PA'),
      series('c', 'x', 'DX', 'Pattern'),
    ];
    const { protocol, viewports } = hangStudy(
      BUILT_IN_PROTOCOLS,
      { modalities: ['DX'], description: 'XR Chest 2 views', series: current },
      undefined,
    );
    expect(protocol.name).toBe('Chest X-ray PA + lateral');
    expect(viewports.map((v) => v.seriesUid)).toEqual(['pa', 'lat']);
  });

  it('hangs MR brain sequences T1, T2, FLAIR and DWI', () => {
    const current = ['DWI b1000', 'Ax FLAIR', 'Sag T1', 'Ax T2 TSE'].map((d, i) =>
      series('c', `s${i}`, 'MR', d),
    );
    const { protocol, viewports } = hangStudy(
      BUILT_IN_PROTOCOLS,
      { modalities: ['MR'], description: 'MRI Brain', series: current },
      undefined,
    );
    expect(protocol.name).toBe('MR brain sequences');
    expect(viewports.map((v) => v.seriesUid)).toEqual(['s2', 's3', 's1', 's0']);
  });

  it('falls back to a less specific protocol when a viewport cannot be filled, and to one viewport at last', () => {
    const mr = [series('c', 't1', 'MR', 'Sag T1')];
    expect(
      hangStudy(BUILT_IN_PROTOCOLS, { modalities: ['MR'], description: 'MRI Brain', series: mr }, undefined)
        .protocol.name,
    ).toBe('Single');
    expect(
      hangStudy(BUILT_IN_PROTOCOLS, { modalities: ['MR'], description: '', series: mr }, [
        series('p', 'p1', 'MR', 'T1'),
      ]).protocol.name,
    ).toBe('Current beside prior');
    expect(
      hangStudy(
        BUILT_IN_PROTOCOLS,
        { modalities: ['SR'], description: '', series: [series('c', 'sr', 'SR', 'x')] },
        undefined,
      ).viewports,
    ).toEqual([]);
  });
});

describe('relevantPrior', () => {
  it('picks the most recent earlier study of a shared modality and body part', () => {
    const current = study('now', '20240301', ['CT'], 'CT Chest');
    const candidates = [
      study('now', '20240301', ['CT'], 'CT Chest'),
      study('older', '20220101', ['CT'], 'CT Chest'),
      study('recent', '20231201', ['CT'], 'CT Chest with contrast'),
      study('head', '20240201', ['CT'], 'CT Head'),
      study('mr', '20240215', ['MR'], 'MR Chest'),
      study('later', '20240401', ['CT'], 'CT Chest'),
    ];
    expect(relevantPrior(current, candidates)?.[JsonTag.StudyInstanceUID]?.Value?.[0]).toBe('recent');
    expect(relevantPrior(current, [candidates[0]!])).toBeUndefined();
  });
});
