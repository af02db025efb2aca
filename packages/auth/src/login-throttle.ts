/**
 * Login throttling: at most `maxFailures` failed logins per account and per source
 * address within `windowMs`; past that, logins are refused until the oldest failure
 * that keeps the key at the limit ages out (429 with Retry-After).
 *
 * The decision (`retryAfter`) is pure, the clock passed in. The failures themselves
 * live in a `LoginFailureStore` passed in: the API keeps them in Postgres, so that
 * every replica counts the same failures (a per-replica count would let an attacker
 * multiply the limit by the number of replicas behind a load balancer).
 */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
}

export const defaultThrottle: ThrottlePolicy = { maxFailures: 100, windowMs: 60 * 60 * 1000 };

/** Where failed logins are counted; keys are `account:<uid>` and `source:<address>`. */
export interface LoginFailureStore {
  /** Each key's failure times (epoch ms) at or after `since`, oldest first; absent keys have none. */
  recent(keys: readonly string[], since: number): Promise<Map<string, number[]>>;
  /** One failure at `at` for each key. */
  record(keys: readonly string[], at: number): Promise<void>;
  /** Forgets every failure of the key. */
  clear(key: string): Promise<void>;
}

/**
 * Milliseconds until one more attempt may be made, given the key's failures in the
 * window (oldest first): 0 below the limit, else until the failure `maxFailures` from
 * the newest leaves the window: wait = t[n − max] + window − now.
 */
export function retryAfter(failures: readonly number[], policy: ThrottlePolicy, now: number): number {
  const recent = failures.filter((t) => now - t < policy.windowMs);
  if (recent.length < policy.maxFailures) return 0;
  const oldest = recent[recent.length - policy.maxFailures]!;
  return oldest + policy.windowMs - now;
}

const accountKey = (account: string) => `account:${account}`;
const sourceKey = (source: string) => `source:${source}`;

export class LoginThrottle {
  constructor(
    private readonly store: LoginFailureStore = new MemoryLoginFailures(),
    private readonly policy: ThrottlePolicy = defaultThrottle,
  ) {}

  /** Milliseconds until a login for this account from this source may be tried, 0 if now. */
  async retryAfterMs(account: string, source: string, now: number): Promise<number> {
    const keys = [accountKey(account), sourceKey(source)];
    const failures = await this.store.recent(keys, now - this.policy.windowMs + 1);
    return Math.max(...keys.map((k) => retryAfter(failures.get(k) ?? [], this.policy, now)));
  }

  recordFailure(account: string, source: string, now: number): Promise<void> {
    return this.store.record([accountKey(account), sourceKey(source)], now);
  }

  /** A successful login clears the account's failures (not the source's). */
  recordSuccess(account: string): Promise<void> {
    return this.store.clear(accountKey(account));
  }
}

/** Failures kept in this process: for tests and single-process tools. */
export class MemoryLoginFailures implements LoginFailureStore {
  private readonly failures = new Map<string, number[]>();

  async recent(keys: readonly string[], since: number): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const key of keys) {
      const kept = (this.failures.get(key) ?? []).filter((t) => t >= since);
      if (kept.length) this.failures.set(key, kept);
      else this.failures.delete(key);
      if (kept.length) out.set(key, [...kept]);
    }
    return out;
  }

  async record(keys: readonly string[], at: number): Promise<void> {
    for (const key of keys) this.failures.set(key, [...(this.failures.get(key) ?? []), at]);
  }

  async clear(key: string): Promise<void> {
    this.failures.delete(key);
  }
}
