import { describe, expect, it } from 'vitest';
import { countBadge, localDateTime, receivesNotices } from './notices';

describe('notices', () => {
  it('go to security officers and administrators', () => {
    expect(receivesNotices(['security-officer'])).toBe(true);
    expect(receivesNotices(['admin'])).toBe(true);
    expect(receivesNotices(['radiologist', 'referring-physician'])).toBe(false);
    expect(receivesNotices([])).toBe(false);
  });

  it('count in the navigation only when some are open', () => {
    expect(countBadge(0)).toBe('');
    expect(countBadge(3)).toBe('3');
    expect(countBadge(100)).toBe('99+');
  });

  it('show local date and time to the minute', () => {
    expect(localDateTime(new Date(2024, 2, 4, 9, 5, 59))).toBe('2024-03-04 09:05');
    expect(localDateTime(new Date(2024, 11, 31, 23, 59).getTime())).toBe('2024-12-31 23:59');
    expect(localDateTime('not a date')).toBe('');
  });
});
