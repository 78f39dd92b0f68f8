import { bytesElement, dataSetOf, numberElement } from '@lightbox/dicom/test-support';
import { describe, expect, it } from 'vitest';
import { applyPalette, paletteOf } from './palette-color.js';

const DESCRIPTORS = [0x00281101, 0x00281102, 0x00281103];
const DATA = [0x00281201, 0x00281202, 0x00281203];

function header(vr: 'US' | 'SS', descriptor: number[], tables: Uint8Array[]) {
  return dataSetOf([
    ...DESCRIPTORS.map((tag) => numberElement(tag, vr, descriptor)),
    ...DATA.map((tag, i) => bytesElement(tag, 'OW', tables[i]!)),
  ]);
}

describe('paletteOf (PS3.3 C.7.6.3.1.5-6)', () => {
  it('reads a descriptor of 32 768 entries that signed pixels made SS (-32 768) as unsigned', () => {
    const table = new Uint8Array(65_536);
    const palette = paletteOf(header('SS', [-32_768, 0, 16], [table, table, table]), true);
    expect(palette.red).toHaveLength(32_768);
  });

  it('reads 8-bit entries packed one per byte, and 16-bit entries by their top byte', () => {
    const packed = paletteOf(
      header(
        'US',
        [4, 0, 8],
        [Uint8Array.of(1, 2, 3, 4), Uint8Array.of(5, 6, 7, 8), Uint8Array.of(9, 9, 9, 9)],
      ),
    );
    expect([...packed.red]).toEqual([1, 2, 3, 4]);
    const words = new Uint8Array(4);
    new DataView(words.buffer).setUint16(0, 0xab00, true);
    new DataView(words.buffer).setUint16(2, 0xffff, true);
    const wide = paletteOf(header('US', [2, 0, 16], [words, words, words]));
    expect([...wide.red]).toEqual([0xab, 0xff]);
  });

  it('takes a first mapped value above 32 767 as negative for signed pixels, and clamps outside the table', () => {
    const table = Uint8Array.of(10, 0, 20, 0);
    const palette = paletteOf(header('US', [2, 0x10000 - 5, 8], [table, table, table]), true);
    expect(palette.firstMapped).toBe(-5);
    expect(
      [...applyPalette(Float64Array.of(-9, -5, -4, 100), palette)].filter((_, i) => i % 3 === 0),
    ).toEqual([10, 10, 20, 20]);
  });

  it('refuses a palette without its tables with 406', () => {
    expect(() => paletteOf(dataSetOf([]))).toThrow(/descriptors are missing/);
  });
});
