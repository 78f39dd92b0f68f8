import { getNumbers, type DataSet } from '@lightbox/dicom';

/** VOI LUT Sequence (0028,3010), and in its items LUT Descriptor (0028,3002) and LUT Data (0028,3006). */
const VOI_LUT_SEQUENCE = 0x00283010;
const LUT_DESCRIPTOR = 0x00283002;
const LUT_DATA = 0x00283006;

/** A VOI LUT (PS3.3 C.11.2.1.1): output values for inputs from `firstMapped` on. */
export interface VoiLut {
  firstMapped: number;
  /** Bits per output value. */
  bits: number;
  data: Uint16Array;
}

/**
 * The first VOI LUT of an image's header, or undefined when it has none or it cannot be read. The first
 * value mapped is in modality units, which may be negative: written as US (as many objects do) a value
 * above 32 767 is taken as negative when `signedInput` (signed pixels or a negative rescale intercept).
 */
export function voiLutOf(dataSet: DataSet, signedInput: boolean): VoiLut | undefined {
  const item = dataSet.get(VOI_LUT_SEQUENCE)?.items?.[0];
  if (item === undefined) return undefined;
  const [count, first, readBits] = getNumbers(item, LUT_DESCRIPTOR);
  const bytes = item.get(LUT_DATA)?.bytes;
  if (count === undefined || first === undefined || readBits === undefined || bytes === undefined)
    return undefined;
  // The number of entries and the bits are unsigned even where the descriptor was read as SS.
  const entries = count & 0xffff || 65_536;
  const bits = readBits & 0xffff;
  if (bits < 1 || bits > 16) return undefined;
  const data = new Uint16Array(entries);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength >= entries * 2) {
    for (let i = 0; i < entries; i++) data[i] = view.getUint16(i * 2, true);
  } else if (bytes.byteLength >= entries && bits <= 8) {
    data.set(bytes.subarray(0, entries)); // 8-bit entries packed one per byte
  } else {
    return undefined;
  }
  return { firstMapped: signedInput && first > 0x7fff ? first - 0x10000 : first, bits, data };
}

/** A modality value through the LUT, as 0–255 (inputs outside the table take its first or last entry). */
export function applyVoiLut(value: number, lut: VoiLut): number {
  const index = Math.min(lut.data.length - 1, Math.max(0, Math.round(value) - lut.firstMapped));
  return (lut.data[index]! * 255) / (2 ** lut.bits - 1);
}
