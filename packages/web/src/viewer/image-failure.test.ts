import { describe, expect, it } from 'vitest';
import { failureReason, imageFailureNotice, undrawableReason } from './image-failure';

function decoded(rows: number, columns: number, components: number, samples: number) {
  return {
    rows,
    columns,
    numberOfComponents: components,
    getPixelData: () => new Uint8Array(samples),
  };
}

describe('images that cannot be drawn', () => {
  it('finds a codestream that decoded to nothing and native YBR_FULL_422 short of samples', () => {
    expect(undrawableReason(decoded(1024, 256, 1, 0))).toBe('its pixel data could not be decoded');
    expect(undrawableReason(decoded(100, 100, 3, 20000))).toBe(
      'its pixel data holds 20000 samples where 100 × 100 × 3 need 30000',
    );
  });
  it('passes an image whose samples fill its matrix', () => {
    expect(undrawableReason(decoded(64, 64, 1, 4096))).toBeUndefined();
    expect(undrawableReason(decoded(2, 2, 4, 16))).toBeUndefined();
  });
  it('words the failure for the reader', () => {
    expect(imageFailureNotice(0, failureReason(new Error('unsupported pixel format for RLE')))).toBe(
      'Image 1 could not be shown: unsupported pixel format for RLE',
    );
    expect(failureReason({ status: 404 })).toBe('the archive answered 404');
    expect(failureReason(undefined)).toBe('unknown error');
  });
});
