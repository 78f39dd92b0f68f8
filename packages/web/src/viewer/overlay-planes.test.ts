import { describe, expect, it } from 'vitest';
import type { DicomJson } from '../dicomweb/dicom-json';
import { holdsFrame, overlayBits, overlayFrameFor, overlayPlanesOf } from './overlay-planes';

const base64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

/** An overlay in group `group` of 2 rows × 4 columns, its bits given inline. */
function overlay(group: string, extra: DicomJson = {}): DicomJson {
  return {
    [`${group}0010`]: { vr: 'US', Value: [2] },
    [`${group}0011`]: { vr: 'US', Value: [4] },
    [`${group}0040`]: { vr: 'CS', Value: ['G'] },
    [`${group}0050`]: { vr: 'SS', Value: [3, 5] },
    [`${group}0100`]: { vr: 'US', Value: [1] },
    [`${group}3000`]: { vr: 'OW', InlineBinary: base64([0b10100101, 0]) },
    ...extra,
  };
}

describe('overlay planes (PS3.3 C.9)', () => {
  it('finds each plane of groups 6000–601E with its size, 0-based origin and data', () => {
    const planes = overlayPlanesOf({
      ...overlay('6000'),
      ...overlay('6002', {
        '60023000': {
          vr: 'OW',
          BulkDataURI: 'http://host/dicomweb/studies/1/series/2/instances/3/bulkdata/60023000',
        },
        '60021500': { vr: 'LO', Value: ['CAD marks'] },
      }),
    });
    expect(planes.map((p) => [p.group, p.rows, p.columns, p.originRow, p.originColumn, p.label])).toEqual([
      [0x6000, 2, 4, 2, 4, 'Overlay 1'],
      [0x6002, 2, 4, 2, 4, 'CAD marks'],
    ]);
    expect(planes[0]!.data).toEqual({ bytes: new Uint8Array([0b10100101, 0]) });
    expect(planes[1]!.data).toEqual({
      bulkDataUri: 'http://host/dicomweb/studies/1/series/2/instances/3/bulkdata/60023000',
    });
  });

  it('leaves out planes kept in the pixel data’s high bits and planes without a size', () => {
    expect(overlayPlanesOf(overlay('6000', { '60000100': { vr: 'US', Value: [16] } }))).toEqual([]);
    expect(overlayPlanesOf(overlay('6000', { '60003000': undefined }))).toEqual([]);
    expect(overlayPlanesOf(overlay('6000', { '60000010': undefined }))).toEqual([]);
  });

  it('unpacks the bits row by row, lowest bit of each byte first, frame after frame', () => {
    const [plane] = overlayPlanesOf(overlay('6000'));
    expect([...overlayBits(plane!, new Uint8Array([0b10100101, 0]), 0)]).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    // Frame 1 starts at bit 8: the second byte.
    expect([...overlayBits(plane!, new Uint8Array([0, 0b00001111]), 1)]).toEqual([1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('draws nothing of a plane whose data is shorter than its size says, or far larger than an image', () => {
    const [plane] = overlayPlanesOf(overlay('6000'));
    expect(holdsFrame(plane!, new Uint8Array(1), 0)).toBe(true);
    expect(holdsFrame(plane!, new Uint8Array(1), 1)).toBe(false);
    expect(holdsFrame(plane!, new Uint8Array(0), 0)).toBe(false);
    const huge = overlay('6000', {
      '60000010': { vr: 'US', Value: [65535] },
      '60000011': { vr: 'US', Value: [65535] },
    });
    expect(overlayPlanesOf(huge)).toEqual([]);
  });

  it('lays a one-frame plane over every frame unless it names its frame, a multi-frame one from its Image Frame Origin', () => {
    const [named] = overlayPlanesOf(overlay('6000', { '60000051': { vr: 'US', Value: [2] } }));
    expect([1, 2, 3].map((f) => overlayFrameFor(named!, f))).toEqual([undefined, 0, undefined]);
    const [single] = overlayPlanesOf(overlay('6000'));
    expect([1, 7].map((f) => overlayFrameFor(single!, f))).toEqual([0, 0]);
    const [multi] = overlayPlanesOf(
      overlay('6000', { '60000015': { vr: 'IS', Value: [2] }, '60000051': { vr: 'US', Value: [3] } }),
    );
    expect([1, 2, 3, 4, 5].map((f) => overlayFrameFor(multi!, f))).toEqual([
      undefined,
      undefined,
      0,
      1,
      undefined,
    ]);
  });
});
