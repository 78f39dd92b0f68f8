import { Tag, type DataElement } from '@lightbox/dicom';
import { dataSetOf, numberElement } from '@lightbox/dicom/test-support';
import { describe, expect, it } from 'vitest';
import { ICON_MAX_SIDE, iconFrameInfo } from './icon-frame.js';

const us = (tag: number, value: number) => numberElement(tag, 'US', [value]);

function item(rows: number, columns: number, samples = 1, bitsAllocated = 8, extra: DataElement[] = []) {
  return dataSetOf([
    us(Tag.SamplesPerPixel, samples),
    us(Tag.Rows, rows),
    us(Tag.Columns, columns),
    us(Tag.BitsAllocated, bitsAllocated),
    ...extra,
  ]);
}

describe('iconFrameInfo', () => {
  it('takes a small icon, up to the largest side decoded here', () => {
    expect(iconFrameInfo(item(64, 64))).toMatchObject({ rows: 64, columns: 64, bitsAllocated: 8 });
    expect(iconFrameInfo(item(ICON_MAX_SIDE, ICON_MAX_SIDE, 3, 16))).toMatchObject({ samplesPerPixel: 3 });
  });

  it('says why an icon is not decoded, from its item alone', () => {
    expect(iconFrameInfo(item(ICON_MAX_SIDE + 1, 8))).toMatch(/larger than/);
    expect(iconFrameInfo(item(8, 65_535))).toMatch(/larger than/);
    expect(iconFrameInfo(item(8, 8, 4))).toMatch(/samples per pixel/);
    expect(iconFrameInfo(item(8, 8, 1, 32))).toMatch(/Bits Allocated 32/);
    expect(iconFrameInfo(item(8, 8, 1, 8, [us(Tag.BitsStored, 12)]))).toMatch(/Bits Stored 12/);
    expect(iconFrameInfo(item(0, 8))).toMatch(/0 × 8/);
    expect(iconFrameInfo(dataSetOf([us(Tag.Rows, 8), us(Tag.Columns, 8)]))).toMatch(/lacks/);
    expect(iconFrameInfo(dataSetOf([]))).toMatch(/lacks/);
  });
});
