/**
 * Rearrangements that turn decoder output into the native layout of PS3.5 §8.1: samples interleaved
 * (Planar Configuration 0, §C.7.6.3.1.3 of PS3.3), little endian, BitsAllocated wide.
 */

/** Interleaves samples stored plane by plane (R…R G…G B…B → RGBRGB…). */
export function interleavePlanes(
  planar: Uint8Array,
  samplesPerPixel: number,
  bytesPerSample: number,
): Uint8Array {
  const pixelBytes = samplesPerPixel * bytesPerSample;
  const pixelCount = planar.length / pixelBytes;
  const planeLength = pixelCount * bytesPerSample;
  const out = new Uint8Array(planar.length);
  for (let s = 0; s < samplesPerPixel; s++) {
    const plane = s * planeLength;
    for (let b = 0; b < bytesPerSample; b++) {
      let at = s * bytesPerSample + b;
      for (let p = 0; p < pixelCount; p++, at += pixelBytes)
        out[at] = planar[plane + p * bytesPerSample + b]!;
    }
  }
  return out;
}

/** Widens 8-bit samples to 16-bit containers (zero- or sign-extended). */
export function widenTo16(bytes: Uint8Array, signed: boolean): Uint8Array {
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const value = bytes[i]!;
    out[2 * i] = value;
    out[2 * i + 1] = signed && value & 0x80 ? 0xff : 0;
  }
  return out;
}

/**
 * Sign-extends two's complement samples of `precision` bits in 8- or 16-bit little-endian containers,
 * in place. Used where a codestream carries signed data as unsigned bit patterns (JPEG always does,
 * JPEG 2000 sometimes), so that bits above the high bit repeat the sign as uncompressed data has them.
 */
export function signExtend(pixels: Uint8Array, bytesPerSample: number, precision: number): void {
  if (precision >= bytesPerSample * 8 || precision < 2) return;
  const sign = 1 << (precision - 1);
  const mask = (1 << precision) - 1;
  if (bytesPerSample === 1) {
    for (let i = 0; i < pixels.length; i++) {
      const v = pixels[i]! & mask;
      pixels[i] = v & sign ? v | ~mask : v;
    }
    return;
  }
  const words = new Uint16Array(pixels.buffer, pixels.byteOffset, pixels.byteLength >> 1);
  for (let i = 0; i < words.length; i++) {
    const v = words[i]! & mask;
    words[i] = v & sign ? v | ~mask : v;
  }
}
