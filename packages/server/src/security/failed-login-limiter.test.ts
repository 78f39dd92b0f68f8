import { describe, expect, it } from 'vitest';
import { FailedLoginLimiter, MAX_FAILURES_PER_ADDRESS } from './failed-login-limiter.js';

describe('the failed-login limiter', () => {
  it('lets at most four checks run at once from one address', () => {
    const limiter = new FailedLoginLimiter();
    const entered = Array.from({ length: 6 }, () => limiter.enter('10.0.0.1'));
    expect(entered).toEqual([true, true, true, true, false, false]);
    expect(limiter.enter('10.0.0.2')).toBe(true);
    limiter.leave('10.0.0.1');
    expect(limiter.enter('10.0.0.1')).toBe(true);
  });

  it('makes an address wait once it failed too often, and takes back a failure whose check succeeded', () => {
    const limiter = new FailedLoginLimiter();
    const now = 1_000_000;
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS - 1; i++) limiter.recordFailure('10.0.0.3', now + i);
    expect(limiter.retryAfterSeconds('10.0.0.3', now + 100)).toBeUndefined();
    limiter.recordFailure('10.0.0.3', now + 50);
    expect(limiter.retryAfterSeconds('10.0.0.3', now + 100)).toBeGreaterThan(0);
    limiter.forgetFailure('10.0.0.3', now + 50);
    expect(limiter.retryAfterSeconds('10.0.0.3', now + 100)).toBeUndefined();
    // Five minutes later the window is empty again.
    limiter.recordFailure('10.0.0.3', now + 60);
    expect(limiter.retryAfterSeconds('10.0.0.3', now + 5 * 60_000 + 100)).toBeUndefined();
  });

  it('counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    const limiter = new FailedLoginLimiter();
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++)
      limiter.recordFailure(`2001:db8:1:2::${i.toString(16)}`, 1000 + i);
    expect(limiter.retryAfterSeconds('2001:db8:1:2:ffff::1', 2000)).toBeGreaterThan(0);
    expect(limiter.retryAfterSeconds('2001:db8:1:3::1', 2000)).toBeUndefined();
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) limiter.recordFailure('::ffff:192.0.2.7', 1000 + i);
    expect(limiter.retryAfterSeconds('192.0.2.7', 2000)).toBeGreaterThan(0);
  });
});
