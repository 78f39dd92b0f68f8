import { describe, expect, it } from 'vitest';
import { fitInto, printCells } from './print-document';

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
