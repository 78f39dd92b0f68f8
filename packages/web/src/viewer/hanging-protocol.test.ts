import { describe, expect, it } from 'vitest';
import { JsonTag, type DicomJson } from '../dicomweb/dicom-json';
import type { UserHangingProtocol } from '../settings/user-settings';
import {
  BUILT_IN_PROTOCOLS,
  hangStudy,
  planeOf,
  protocolOfLayout,
  protocolsTried,
  relevantPrior,
  type SeriesFacts,
} from './hanging-protocol';

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

describe("the user's own protocols", () => {
  /** A 2 × 2 of the user's, T1, T2, FLAIR, DWI, as a radiologist would type the words. */
  const mrBrain: UserHangingProtocol = {
    name: 'My MR brain',
    modalities: ['MR'],
    bodyParts: ['Brain'],
    needsPrior: false,
    layout: { rows: 2, columns: 2 },
    viewports: [
      { study: 'current', description: ['T1+C'] },
      { study: 'current', description: ['T2'] },
      { study: 'current', description: ['FLAIR'] },
      { study: 'current', description: ['Diffusion weighted', 'DWI'] },
    ],
  };
  const sequences = (...descriptions: string[]) => descriptions.map((d, i) => series('c', `s${i}`, 'MR', d));
  const brain = (current: SeriesFacts[]) => ({
    modalities: ['MR'],
    description: 'MRI BRAIN',
    series: current,
  });

  it('are tried before the built-in ones, in the order the user gave them', () => {
    const tried = protocolsTried([mrBrain, { ...mrBrain, name: 'Second' }]);
    expect(tried.map((p) => p.name)).toEqual([
      'My MR brain',
      'Second',
      ...BUILT_IN_PROTOCOLS.map((p) => p.name),
    ]);
    expect(tried[0]).toMatchObject({ layout: [2, 2], own: true });
    expect(tried.slice(2).every((p) => p.own === undefined)).toBe(true);
    expect(protocolsTried([])).toEqual(BUILT_IN_PROTOCOLS);
  });

  it("hang a study by the user's protocol where a built-in one fits it too", () => {
    // The built-in MR brain protocol hangs the plain T1 first; the user's, the T1 with contrast.
    const current = sequences('Ax T1', 'Ax T2', 'Ax FLAIR', 'DWI b1000', 'Ax T1+C');
    const builtIn = hangStudy(BUILT_IN_PROTOCOLS, brain(current), undefined);
    expect(builtIn.protocol.name).toBe('MR brain sequences');
    expect(builtIn.viewports.map((v) => v.seriesUid)).toEqual(['s0', 's1', 's2', 's3']);
    const { protocol, viewports } = hangStudy(protocolsTried([mrBrain]), brain(current), undefined);
    expect(protocol.name).toBe('My MR brain');
    expect(protocol.layout).toEqual([2, 2]);
    // Words in any case, and "T1+C" as written, not as a pattern.
    expect(viewports.map((v) => v.seriesUid)).toEqual(['s4', 's1', 's2', 's3']);
  });

  it('are passed over when they do not apply or cannot be filled: the next, then the built-in ones', () => {
    const ctChestPrior: UserHangingProtocol = {
      name: 'CT chest with prior',
      modalities: ['CT'],
      bodyParts: ['chest'],
      needsPrior: true,
      layout: { rows: 1, columns: 2 },
      viewports: [
        { study: 'current', plane: 'axial' },
        { study: 'prior', modality: ['CT'], plane: 'axial' },
      ],
    };
    const own = protocolsTried([
      ctChestPrior,
      mrBrain,
      {
        ...mrBrain,
        name: 'Any MR',
        bodyParts: [],
        layout: { rows: 1, columns: 1 },
        viewports: [{ study: 'current', modality: ['MR'] }],
      },
    ]);
    const ct = [series('c', 'c-ax', 'CT', 'Axial 2 mm', 'axial')];
    const prior = [series('p', 'p-ax', 'CT', 'Axial 3 mm', 'axial')];
    const chest = { modalities: ['CT'], description: 'CT Chest', series: ct };
    // With a prior: the user's, current left and prior right.
    expect(hangStudy(own, chest, prior)).toEqual({
      protocol: own[0],
      viewports: [
        { studyUid: 'c', seriesUid: 'c-ax' },
        { studyUid: 'p', seriesUid: 'p-ax' },
      ],
    });
    // Without one it needs, or of another body part: a built-in one.
    expect(hangStudy(own, chest, undefined).protocol.name).toBe('Single');
    expect(hangStudy(own, { ...chest, description: 'CT Abdomen' }, prior).protocol.name).toBe(
      'CT with prior',
    );
    // Its second viewport finds no FLAIR: the user's next protocol that applies.
    expect(hangStudy(own, brain(sequences('T1', 'T2', 'DWI')), undefined).protocol.name).toBe('Any MR');
  });
});

describe("the department's protocols", () => {
  /** The department's CT chest: axial beside coronal, as the PACS administrator set it up. */
  const departmentChest: UserHangingProtocol = {
    name: 'Department CT chest',
    modalities: ['CT'],
    bodyParts: ['chest'],
    needsPrior: false,
    layout: { rows: 1, columns: 2 },
    viewports: [
      { study: 'current', plane: 'coronal' },
      { study: 'current', plane: 'axial' },
    ],
  };
  /** A radiologist's own: the lung window series alone. */
  const ownLung: UserHangingProtocol = {
    name: 'My lung',
    modalities: ['CT'],
    bodyParts: ['chest'],
    needsPrior: false,
    layout: { rows: 1, columns: 1 },
    viewports: [{ study: 'current', description: ['lung'] }],
  };
  const ct = [
    series('c', 'c-ax', 'CT', 'Axial 2 mm', 'axial'),
    series('c', 'c-cor', 'CT', 'Coronal MPR', 'coronal'),
    series('c', 'c-lung', 'CT', 'Lung 1 mm', 'axial'),
  ];
  const chest = { modalities: ['CT'], description: 'CT Chest', series: ct };

  it("are tried after the user's own and before the built-in ones, each in its order", () => {
    const tried = protocolsTried([ownLung], [departmentChest, { ...departmentChest, name: 'Second' }]);
    expect(tried.map((p) => p.name)).toEqual([
      'My lung',
      'Department CT chest',
      'Second',
      ...BUILT_IN_PROTOCOLS.map((p) => p.name),
    ]);
    // Each says whose it is, for the viewer to tell the reader.
    expect(tried[0]).toMatchObject({ own: true });
    expect(tried[0]!.department).toBeUndefined();
    expect(tried[1]).toMatchObject({ layout: [1, 2], department: true });
    expect(tried[1]!.own).toBeUndefined();
    expect(tried.slice(3)).toEqual(BUILT_IN_PROTOCOLS);
    expect(protocolsTried([], [])).toEqual(BUILT_IN_PROTOCOLS);
  });

  it("hang a study where a built-in one fits it too, and give way to the user's own", () => {
    // Lightbox's own CT protocol hangs axial then coronal; the department's, coronal then axial.
    expect(hangStudy(BUILT_IN_PROTOCOLS, chest, undefined).protocol.name).toBe('CT axial + coronal');
    const byDepartment = hangStudy(protocolsTried([], [departmentChest]), chest, undefined);
    expect(byDepartment.protocol).toMatchObject({ name: 'Department CT chest', department: true });
    expect(byDepartment.viewports.map((v) => v.seriesUid)).toEqual(['c-cor', 'c-ax']);
    // The radiologist's own protocol wins over the department's.
    const byOwn = hangStudy(protocolsTried([ownLung], [departmentChest]), chest, undefined);
    expect(byOwn.protocol).toMatchObject({ name: 'My lung', own: true });
    expect(byOwn.viewports.map((v) => v.seriesUid)).toEqual(['c-lung']);
  });

  it("are used when the user's own do not apply or cannot be filled, and give way to the built-in ones in turn", () => {
    const noLung = { ...chest, series: ct.filter((s) => s.seriesUid !== 'c-lung') };
    expect(hangStudy(protocolsTried([ownLung], [departmentChest]), noLung, undefined).protocol.name).toBe(
      'Department CT chest',
    );
    // An abdomen is no chest: neither applies, a built-in one hangs it.
    const abdomen = { ...chest, description: 'CT Abdomen' };
    expect(hangStudy(protocolsTried([ownLung], [departmentChest]), abdomen, undefined).protocol.name).toBe(
      'CT axial + coronal',
    );
  });
});

describe('protocolOfLayout', () => {
  it("makes of the viewer's layout a protocol that hangs the study so again", () => {
    const current = [
      series('c', 'c-scout', 'CT', 'Topogram'),
      series('c', 'c-ax', 'CT', 'Thorax  axial 1 mm', 'axial'),
      series('c', 'c-cor', 'CT', 'Lung, coronal', 'coronal'),
      series('c', 'c-sr', 'SR', 'Report'),
    ];
    const prior = [series('p', 'p-ax', 'CT', 'Thorax axial 3 mm', 'axial')];
    const made = protocolOfLayout(
      '  CT Chest  ',
      [2, 2],
      ['CT', 'SR', 'CT'],
      [
        { series: current[1]!, prior: false },
        { series: prior[0]!, prior: true },
        { series: current[2]!, prior: false },
      ],
    );
    expect(made).toEqual({
      name: 'CT Chest',
      modalities: ['CT'],
      bodyParts: [],
      needsPrior: true,
      layout: { rows: 2, columns: 2 },
      viewports: [
        { study: 'current', modality: ['CT'], description: ['Thorax axial 1 mm'], plane: 'axial' },
        { study: 'prior', modality: ['CT'], description: ['Thorax axial 3 mm'], plane: 'axial' },
        { study: 'current', modality: ['CT'], description: ['Lung', 'coronal'], plane: 'coronal' },
        // Left empty in the viewer: any image series that is left.
        { study: 'current' },
      ],
    });
    const { protocol, viewports } = hangStudy(
      protocolsTried([made]),
      { modalities: ['CT', 'SR'], description: 'CT Chest', series: current },
      prior,
    );
    expect(protocol.name).toBe('CT Chest');
    expect(viewports.map((v) => v.seriesUid)).toEqual(['c-ax', 'p-ax', 'c-cor', 'c-scout']);
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
