import { describe, expect, it } from 'vitest';
import { fitInto, printCells, printHeader } from './print-document';

describe('print layout', () => {
  const page = { width: 210, height: 297, margin: 10, header: 18, footer: 8 };

  it('tiles the printable area below the header into equal cells', () => {
    const cells = printCells(page, [2, 2]);
    expect(cells).toHaveLength(4);
    expect(cells[0]).toMatchObject({ x: 10, y: 28 });
    expect(cells[1]!.x).toBeCloseTo(10 + (190 - 3) / 2 + 3);
    expect(cells[3]!.y + cells[3]!.height).toBeCloseTo(297 - 10 - 8);
  });

  it('fits an image into a cell without stretching it', () => {
    const fitted = fitInto({ x: 0, y: 0, width: 100, height: 50 }, 1);
    expect(fitted).toEqual({ x: 25, y: 0, width: 50, height: 50 });
    expect(fitInto({ x: 0, y: 0, width: 100, height: 100 }, 2)).toEqual({
      x: 0,
      y: 25,
      width: 100,
      height: 50,
    });
  });
});

describe('printHeader', () => {
  const study = {
    '00100010': { vr: 'PN', Value: [{ Alphabetic: 'Doe^Jane' }] },
    '00100020': { vr: 'LO', Value: ['PH001'] },
    '00100030': { vr: 'DA', Value: ['19700215'] },
    '00100040': { vr: 'CS', Value: ['F'] },
    '00080020': { vr: 'DA', Value: ['20240301'] },
    '00081030': { vr: 'LO', Value: ['CT chest'] },
    '00080050': { vr: 'SH', Value: ['ACC1'] },
  };

  it('writes the birth and study dates as the user reads dates', () => {
    expect(printHeader(study, 'iso')).toEqual({
      patient: 'Doe, Jane   ID PH001   born 1970-02-15   F',
      study: '2024-03-01   CT chest   Accession ACC1   ',
    });
    expect(printHeader(study, 'locale', 'en-GB')).toMatchObject({
      patient: expect.stringContaining('born 15/02/1970'),
      study: expect.stringMatching(/^01\/03\/2024 /),
    });
    expect(printHeader(study, 'locale', 'en-US').study).toMatch(/^3\/1\/2024 /);
  });
});
