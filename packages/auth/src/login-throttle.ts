/**
 * Login throttling: at most `maxFailures` failed logins per account and per source
 * address within `windowMs`; past that, logins are refused until the oldest failure
 * in the window ages out (429 with Retry-After). Pure: the clock is passed in.
 */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
}

export const defaultThrottle: ThrottlePolicy = { maxFailures: 100, windowMs: 60 * 60 * 1000 };

export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly policy: ThrottlePolicy = defaultThrottle) {}

  /** Milliseconds until a login for this account from this source may be tried, 0 if now. */
  retryAfterMs(account: string, source: string, now: number): number {
    return Math.max(this.wait(`account:${account}`, now), this.wait(`source:${source}`, now));
  }

  recordFailure(account: string, source: string, now: number): void {
    for (const key of [`account:${account}`, `source:${source}`]) {
      const recent = this.recent(key, now);
      recent.push(now);
      this.failures.set(key, recent);
    }
  }

  /** A successful login clears the account's failures (not the source's). */
  recordSuccess(account: string): void {
    this.failures.delete(`account:${account}`);
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((t) => now - t < this.policy.windowMs);
  }

  private wait(key: string, now: number): number {
    const recent = this.recent(key, now);
    if (recent.length < this.policy.maxFailures) return 0;
    // The window frees up when the oldest failure that keeps us at the limit ages out.
    const oldest = recent[recent.length - this.policy.maxFailures]!;
    return oldest + this.policy.windowMs - now;
  }
}
