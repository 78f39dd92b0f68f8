import { describe, expect, it } from 'vitest';
import { AppError } from '../shared/app-error.js';
import { checkDicomJsonShape } from './dicom-json-shape.js';

const refused = (json: unknown) => {
  try {
    checkDicomJsonShape(json);
  } catch (error) {
    return error instanceof AppError ? error.detail : String(error);
  }
  return undefined;
};

describe('checkDicomJsonShape (metadata of STOW-RS, PS3.18 Annex F)', () => {
  it('refuses hostile values at once, without backtracking', () => {
    const started = performance.now();
    expect(refused({ '00091010': { vr: 'OB', InlineBinary: `${' '.repeat(50_000)}!` } })).toMatch(/base64/);
    expect(refused({ '00281050': { vr: 'DS', Value: [`${'1'.repeat(50_000)}x`] } })).toMatch(/not a number/);
    expect(refused({ '00200013': { vr: 'IS', Value: ['1'.repeat(50_000)] } })).toMatch(/not a number/);
    // Each of these took seconds with the earlier patterns; a generous bound that still catches them.
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('keeps numbers in the range of their VR and tags in upper case', () => {
    expect(refused({ '00280010': { vr: 'US', Value: [70_000] } })).toMatch(/out of the range of US/);
    expect(refused({ '00280010': { vr: 'US', Value: [-1] } })).toMatch(/out of the range/);
    expect(refused({ '00200013': { vr: 'IS', Value: [1e21] } })).toMatch(/not a number/);
    expect(refused({ '7fe00010': { vr: 'OW', BulkDataURI: 'x' } })).toMatch(/upper case/);
    expect(
      refused({ '00280010': { vr: 'US', Value: [512] }, '00281050': { vr: 'DS', Value: ['-40.5'] } }),
    ).toBe(undefined);
    expect(refused({ '00091010': { vr: 'OB', InlineBinary: 'AAEC\nAw==' } })).toBe(undefined);
  });
});
