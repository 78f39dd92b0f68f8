/** Failed logins allowed from one address within the window before it must wait (HTTP 429). */
export const MAX_FAILURES_PER_ADDRESS = 20;
const WINDOW_MS = 5 * 60_000;
const MAX_ADDRESSES = 50_000;
/** Password checks running at once from one address, and in all: argon2 runs on the shared thread pool. */
const MAX_CHECKS_PER_ADDRESS = 4;
const MAX_CHECKS = 32;

/** The key an address is counted under: IPv6 by its /64 (one host usually holds a whole /64). */
function addressKey(address: string | undefined): string {
  if (address === undefined) return '';
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (v4 !== null) return v4[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/**
 * Limits password checks per client address (issue #4 §1), in this process: a sliding window of failure
 * times, and a cap on checks in flight. A failure is counted before the check and taken back when it
 * succeeds, so that a burst of parallel guesses is limited like guesses one after the other. It stops
 * guessing from one place without locking the account's owner out; the per-account lockout (in the
 * database, shared by every node) covers guessing from many places.
 */
export class FailedLoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly inFlight = new Map<string, number>();
  private running = 0;

  /** Seconds to wait before another attempt from the address, or undefined when it may try now. */
  retryAfterSeconds(address: string | undefined, now: number): number | undefined {
    const times = this.recent(addressKey(address), now);
    if (times.length < MAX_FAILURES_PER_ADDRESS) return undefined;
    return Math.max(1, Math.ceil((times[0]! + WINDOW_MS - now) / 1000));
  }

  /** Starts a check from the address; false when too many are running (the caller answers 429). */
  enter(address: string | undefined): boolean {
    const key = addressKey(address);
    const mine = this.inFlight.get(key) ?? 0;
    if (mine >= MAX_CHECKS_PER_ADDRESS || this.running >= MAX_CHECKS) return false;
    this.inFlight.set(key, mine + 1);
    this.running += 1;
    return true;
  }

  /** Ends a check started with {@link enter}. */
  leave(address: string | undefined): void {
    const key = addressKey(address);
    const mine = (this.inFlight.get(key) ?? 1) - 1;
    if (mine <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, mine);
    this.running = Math.max(0, this.running - 1);
  }

  /** Counts a failure from the address at `now`. */
  recordFailure(address: string | undefined, now: number): void {
    const key = addressKey(address);
    if (!this.failures.has(key) && this.failures.size >= MAX_ADDRESSES) {
      // Evict the address seen longest ago, not everyone's counts.
      const oldest = this.failures.keys().next().value;
      if (oldest !== undefined) this.failures.delete(oldest);
    }
    const times = this.recent(key, now);
    times.push(now);
    this.failures.delete(key);
    this.failures.set(key, times);
  }

  /** Takes back the failure counted at `at` (the check it was counted for succeeded). */
  forgetFailure(address: string | undefined, at: number): void {
    const times = this.failures.get(addressKey(address));
    const index = times?.lastIndexOf(at) ?? -1;
    if (index >= 0) times!.splice(index, 1);
  }

  private recent(key: string, now: number): number[] {
    const times = (this.failures.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    if (times.length === 0) this.failures.delete(key);
    else this.failures.set(key, times);
    return times;
  }
}
