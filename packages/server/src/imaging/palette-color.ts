import { getNumbers, type DataSet } from '@lightbox/dicom';
import { AppError, ErrorCode } from '../shared/app-error.js';

/** Red, Green, Blue Palette Color Lookup Table Descriptor (0028,1101-1103) and Data (0028,1201-1203). */
const DESCRIPTORS = [0x00281101, 0x00281102, 0x00281103] as const;
const DATA = [0x00281201, 0x00281202, 0x00281203] as const;
const SEGMENTED_RED = 0x00281221;

/** A palette as 8-bit red, green and blue per entry, for stored values from `firstMapped` on. */
export interface Palette {
  firstMapped: number;
  red: Uint8Array;
  green: Uint8Array;
  blue: Uint8Array;
}

function unsupported(detail: string): AppError {
  return new AppError(ErrorCode.NotAcceptable, `PALETTE COLOR: ${detail}`);
}

/** One channel's table as 8-bit values (PS3.3 C.7.6.3.1.5 and .6). */
function channel(dataSet: DataSet, descriptorTag: number, dataTag: number, entries: number): Uint8Array {
  const bits = (getNumbers(dataSet, descriptorTag)[2] ?? 16) & 0xffff;
  const bytes = dataSet.get(dataTag)?.bytes;
  if (bytes === undefined) throw unsupported('the lookup table data is missing');
  const out = new Uint8Array(entries);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength >= entries * 2) {
    // OW, one 16-bit word per entry: the entry's significant bits are the low `bits` of it.
    const shift = Math.max(0, bits - 8);
    for (let i = 0; i < entries; i++) out[i] = view.getUint16(i * 2, true) >> shift;
  } else if (bytes.byteLength >= entries && bits === 8) {
    // Older objects pack 8-bit entries one per byte.
    out.set(bytes.subarray(0, entries));
  } else {
    throw unsupported('the lookup table data is shorter than its descriptor says');
  }
  return out;
}

/**
 * The palette of a PALETTE COLOR image (PS3.3 C.7.6.3.1.5-6) from its header: three descriptors
 * (entries, 0 meaning 65 536; first stored value mapped; bits per entry) and three tables. Segmented
 * tables (C.7.9.2) are not read yet: such an image is refused with 406.
 */
export function paletteOf(dataSet: DataSet, signedPixels = false): Palette {
  const descriptors = DESCRIPTORS.map((tag) => getNumbers(dataSet, tag));
  if (descriptors.some((d) => d.length < 3)) {
    if (dataSet.get(SEGMENTED_RED) !== undefined)
      throw unsupported('segmented palettes cannot be rendered yet');
    throw unsupported('the lookup table descriptors are missing');
  }
  // The number of entries is unsigned even where the descriptor was read as SS (signed pixels).
  const entriesOf = (d: number[]) => d[0]! & 0xffff || 65_536;
  const [first] = descriptors;
  const entries = entriesOf(first!);
  if (descriptors.some((d) => entriesOf(d) !== entries || d[1] !== first![1])) {
    throw unsupported('the red, green and blue tables differ in size or first value');
  }
  // The first mapped value is read as US; with signed pixels it is a signed number (C.7.6.3.1.5).
  const firstMapped = signedPixels && first![1]! > 0x7fff ? first![1]! - 0x10000 : first![1]!; // read as US
  return {
    firstMapped,
    red: channel(dataSet, DESCRIPTORS[0], DATA[0], entries),
    green: channel(dataSet, DESCRIPTORS[1], DATA[1], entries),
    blue: channel(dataSet, DESCRIPTORS[2], DATA[2], entries),
  };
}

/**
 * Stored values through the palette to interleaved RGB: a value below the first mapped one takes the
 * first entry, one past the last the last entry (PS3.3 C.7.6.3.1.5).
 */
export function applyPalette(values: Float64Array, palette: Palette): Uint8Array {
  const last = palette.red.length - 1;
  const out = new Uint8Array(values.length * 3);
  for (let i = 0; i < values.length; i++) {
    const entry = Math.min(last, Math.max(0, values[i]! - palette.firstMapped));
    out[i * 3] = palette.red[entry]!;
    out[i * 3 + 1] = palette.green[entry]!;
    out[i * 3 + 2] = palette.blue[entry]!;
  }
  return out;
}
