import { metaData, utilities } from '@cornerstonejs/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { imageToWorld, worldToImage } from './image-coordinates';

/** Two images of the same plane: square pixels, and pixels 0.2 mm apart down a column, 0.1 mm along a row. */
const PLANES: Record<string, object> = {
  square: { rowPixelSpacing: 0.5, columnPixelSpacing: 0.5 },
  tall: { rowPixelSpacing: 0.2, columnPixelSpacing: 0.1 },
};

beforeAll(() => {
  metaData.addProvider((type: string, imageId: string) =>
    type === 'imagePlaneModule' && imageId in PLANES
      ? {
          rowCosines: [1, 0, 0],
          columnCosines: [0, 1, 0],
          imagePositionPatient: [10, 20, 30],
          ...PLANES[imageId],
        }
      : undefined,
  );
});

describe('image coordinates', () => {
  it("agrees with Cornerstone's for square pixels", () => {
    expect(imageToWorld('square', [40, 10])).toEqual(utilities.imageToWorldCoords('square', [40, 10]));
    expect(worldToImage('square', [30, 25, 30])).toEqual(
      utilities.worldToImageCoords('square', [30, 25, 30]),
    );
  });

  it('puts 80 columns across and 40 rows down of 0.1 × 0.2 mm pixels 8 mm each way, where Cornerstone swaps them', () => {
    const [x0, y0] = imageToWorld('tall', [0.5, 0.5]);
    const [x1] = imageToWorld('tall', [80.5, 0.5]);
    const [, y1] = imageToWorld('tall', [0.5, 40.5]);
    expect([x0, y0]).toEqual([10, 20]);
    expect(x1! - x0!).toBeCloseTo(8);
    expect(y1! - y0!).toBeCloseTo(8);
    expect(worldToImage('tall', [18, 28, 30])).toEqual([80.5, 40.5].map((v) => expect.closeTo(v)));
    // Cornerstone's: 80 columns of 0.2 mm.
    expect((utilities.imageToWorldCoords('tall', [80.5, 0.5]) as number[])[0]! - 10).toBeCloseTo(16);
  });
});
