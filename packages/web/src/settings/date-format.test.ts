import { describe, expect, it } from 'vitest';
import { formatDicomDate } from './date-format';

describe('formatDicomDate', () => {
  it('writes ISO dates as YYYY-MM-DD', () => {
    expect(formatDicomDate('20240301', 'iso')).toBe('2024-03-01');
  });
  it("writes the browser's way for the locale format, on the same calendar day", () => {
    expect(formatDicomDate('20240301', 'locale', 'en-US')).toBe('3/1/2024');
    expect(formatDicomDate('20240301', 'locale', 'en-GB')).toBe('01/03/2024');
    expect(formatDicomDate('20241231', 'locale', 'de-DE')).toBe('31.12.2024');
  });
  it('leaves what is not a DICOM date as it is', () => {
    expect(formatDicomDate('', 'locale')).toBe('');
    expect(formatDicomDate('2024', 'iso')).toBe('2024');
    expect(formatDicomDate('20241340', 'locale', 'en-GB')).toBe('20241340');
  });
});
