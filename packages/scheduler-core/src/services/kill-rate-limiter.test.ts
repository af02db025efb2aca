import { describe, expect, it } from 'vitest';
import { availableKills, DEFAULT_KILL_RATE_LIMITS, EMPTY_KILL_RATE_LIMITER, pruneKillRateLimiter, requestKills, spendKills } from './kill-rate-limiter.js';

describe('KillRateLimiter', () => {
  it('lets a burst of 5 per app go, then 5 a minute', () => {
    const first = requestKills(EMPTY_KILL_RATE_LIMITER, '/web', 8, 0);
    expect(first).toMatchObject({ allowed: 5, retryAt: 12_000 }); // one token per 12 s
    expect(requestKills(first.limiter, '/web', 1, 11_999).allowed).toBe(0);
    const later = requestKills(first.limiter, '/web', 8, 60_000);
    expect(later.allowed).toBe(5);
  });

  it('limits the cluster as a whole: 50 at once across apps, then 50 a minute', () => {
    let limiter = EMPTY_KILL_RATE_LIMITER;
    let total = 0;
    for (let a = 0; a < 20; a++) {
      const r = requestKills(limiter, `/app${a}`, 5, 0);
      total += r.allowed;
      limiter = r.limiter;
    }
    expect(total).toBe(50); // ten apps got 5 each, the other ten none
    expect(availableKills(limiter, '/app19', 0)).toEqual({ allowed: 0, retryAt: 1_200 });
    expect(availableKills(limiter, '/app19', 30_000).allowed).toBe(5); // 25 cluster tokens back, 5 for the app
  });

  it('spends exactly what reconcile used, and prunes full app buckets', () => {
    const spent = spendKills(EMPTY_KILL_RATE_LIMITER, '/a', 2, 0);
    expect(availableKills(spent, '/a', 0).allowed).toBe(3);
    expect(spendKills(spent, '/a', 0, 0)).toBe(spent);
    expect(Object.keys(pruneKillRateLimiter(spent, 1_000).apps)).toEqual(['/a']);
    expect(Object.keys(pruneKillRateLimiter(spent, 24_000).apps)).toEqual([]);
    expect(DEFAULT_KILL_RATE_LIMITS.perApp).toEqual({ burst: 5, perMinute: 5 });
  });
});
