import { describe, expect, it } from 'vitest';
import { presetRows, presetsOfRows } from './window-preset-rows';

const row = { modality: 'CT', name: 'Subdural', center: '75', width: '215' };

describe('presetsOfRows', () => {
  it('groups the rows by modality, in their order, with numbers as numbers', () => {
    expect(
      presetsOfRows([
        row,
        { modality: ' pt ', name: ' SUV 0–10 ', center: '5', width: '10' },
        { ...row, name: 'Temporal bone', center: '700', width: '4000' },
        { ...row, name: 'Fine', center: '-2,5', width: '.5' },
      ]),
    ).toEqual({
      presets: {
        CT: [
          { name: 'Subdural', center: 75, width: 215 },
          { name: 'Temporal bone', center: 700, width: 4000 },
          { name: 'Fine', center: -2.5, width: 0.5 },
        ],
        PT: [{ name: 'SUV 0–10', center: 5, width: 10 }],
      },
    });
  });

  it('names the first row the server would refuse, and why', () => {
    const problem = (...rows: (typeof row)[]) => (presetsOfRows(rows) as { problem?: string }).problem;
    expect(problem({ ...row, modality: 'C T' })).toMatch(/^Preset 1: the modality/);
    expect(problem(row, { ...row, name: ' ' })).toMatch(/^Preset 2: give it a name/);
    expect(problem({ ...row, name: 'x'.repeat(33) })).toMatch(/longer than 32/);
    expect(problem({ ...row, center: '40 HU' })).toMatch(/centre is not a number/);
    expect(problem({ ...row, width: '0' })).toMatch(/width is a number above 0/);
    expect(problem({ ...row, width: '' })).toMatch(/width is a number above 0/);
    expect(problem(row, { ...row, name: 'SUBDURAL' })).toBe(
      'Preset 2: CT has another preset named SUBDURAL.',
    );
    const many = Array.from({ length: 21 }, (_, n) => ({ ...row, name: `W${n}` }));
    expect(problem(...many)).toBe('Preset 21: CT has 20 presets already.');
    expect(problem(...many.slice(0, 20))).toBeUndefined();
  });

  it('gives back the rows it was made from', () => {
    const rows = [row, { modality: 'MR', name: 'T2', center: '600', width: '1200' }];
    const made = presetsOfRows(rows);
    expect('presets' in made && presetRows(made.presets)).toEqual(rows);
  });
});
