import { describe, expect, it } from 'vitest';
import {
  NEW_PROTOCOL,
  protocolDrafts,
  protocolsOfDrafts,
  withLayout,
  type ProtocolDraft,
} from './hanging-protocol-drafts';
import type { UserHangingProtocol } from './user-settings';

const mrBrain: ProtocolDraft = {
  name: ' MR brain 2×2 ',
  modalities: 'mr',
  bodyParts: 'brain,  Head ,,brain',
  needsPrior: false,
  rows: 2,
  columns: 2,
  viewports: [
    { study: 'current', modalities: 'MR', description: 'T1', plane: '' },
    { study: 'current', modalities: '', description: 't2', plane: 'axial' },
    { study: 'current', modalities: '', description: 'FLAIR', plane: '' },
    { study: 'current', modalities: 'mr, MR', description: 'DWI, diffusion   weighted', plane: '' },
  ],
};

describe('protocolsOfDrafts', () => {
  it('makes the settings document of the drafts, in their order, empty conditions left out', () => {
    const prior = withLayout({ ...NEW_PROTOCOL, name: 'Beside prior', needsPrior: true }, 1, 2);
    prior.viewports[1] = { ...prior.viewports[1]!, study: 'prior' };
    expect(protocolsOfDrafts([mrBrain, prior])).toEqual({
      protocols: [
        {
          name: 'MR brain 2×2',
          modalities: ['MR'],
          bodyParts: ['brain', 'Head'],
          needsPrior: false,
          layout: { rows: 2, columns: 2 },
          viewports: [
            { study: 'current', modality: ['MR'], description: ['T1'] },
            { study: 'current', description: ['t2'], plane: 'axial' },
            { study: 'current', description: ['FLAIR'] },
            { study: 'current', modality: ['MR'], description: ['DWI', 'diffusion weighted'] },
          ],
        },
        {
          name: 'Beside prior',
          modalities: [],
          bodyParts: [],
          needsPrior: true,
          layout: { rows: 1, columns: 2 },
          viewports: [{ study: 'current' }, { study: 'prior' }],
        },
      ],
    });
  });

  it('names the first protocol, and viewport, the server would refuse, and why', () => {
    const problem = (...drafts: ProtocolDraft[]) =>
      (protocolsOfDrafts(drafts) as { problem?: string }).problem;
    expect(problem(mrBrain, { ...mrBrain, name: '  ' })).toBe('Protocol 2: give it a name.');
    expect(problem({ ...mrBrain, name: 'x'.repeat(65) })).toMatch(/^Protocol 1: the name is longer than 64/);
    expect(problem(mrBrain, { ...mrBrain, name: 'mr BRAIN 2×2' })).toBe(
      'Protocol 2: another protocol is named mr BRAIN 2×2.',
    );
    expect(problem({ ...mrBrain, modalities: 'CT scan!' })).toMatch(/^Protocol 1, study modalities: codes/);
    expect(problem({ ...mrBrain, bodyParts: 'x'.repeat(65) })).toMatch(/body part words: .* longer than 64/);
    const words = Array.from({ length: 17 }, (_, n) => `w${n}`).join(',');
    expect(problem({ ...mrBrain, bodyParts: words })).toBe('Protocol 1, body part words: at most 16.');
    const viewports = [...mrBrain.viewports];
    viewports[2] = { ...viewports[2]!, modalities: 'M R?' };
    expect(problem({ ...mrBrain, viewports })).toMatch(/^Protocol 1, viewport 3, series modalities: codes/);
    expect(problem({ ...mrBrain, viewports: viewports.slice(0, 3) })).toBe(
      'Protocol 1: one rule for each of its 4 viewports.',
    );
    const fifty = Array.from({ length: 50 }, (_, n) => ({ ...NEW_PROTOCOL, name: `P${n}` }));
    expect(problem(...fifty)).toBeUndefined();
    expect(problem(...fifty, NEW_PROTOCOL)).toBe('At most 50 hanging protocols.');
  });

  it('gives back the drafts of the protocols it was made from', () => {
    const saved: UserHangingProtocol[] = [
      {
        name: 'CT chest with prior',
        modalities: ['CT'],
        bodyParts: ['chest', 'thorax'],
        needsPrior: true,
        layout: { rows: 1, columns: 2 },
        viewports: [
          { study: 'current', plane: 'axial' },
          { study: 'prior', modality: ['CT'], description: ['lung', 'chest'], plane: 'axial' },
        ],
      },
    ];
    expect(protocolsOfDrafts(protocolDrafts(saved))).toEqual({ protocols: saved });
  });
});

describe('withLayout', () => {
  it('keeps each viewport whose row and column remain, and fills the new ones with any series', () => {
    const numbered = (draft: ProtocolDraft) => draft.viewports.map((v) => v.description || '·');
    expect(numbered(withLayout(mrBrain, 2, 3))).toEqual([
      'T1',
      't2',
      '·',
      'FLAIR',
      'DWI, diffusion   weighted',
      '·',
    ]);
    expect(numbered(withLayout(mrBrain, 1, 2))).toEqual(['T1', 't2']);
    expect(numbered(withLayout(mrBrain, 2, 1))).toEqual(['T1', 'FLAIR']);
    expect(withLayout(mrBrain, 3, 3).viewports).toHaveLength(9);
    expect(withLayout(NEW_PROTOCOL, 1, 2).viewports[1]).toEqual({
      study: 'current',
      modalities: '',
      description: '',
      plane: '',
    });
  });
});
