/**
 * Health-check kills, rate-limited per app and cluster-wide, so that a broken network (a
 * DNS outage, a bad switch, a dependency every check touches) cannot kill everything at
 * once. Marathon kills on `maxConsecutiveFailures` with no limit but `kill_chunk_size`
 * (100 kills in flight); Gantry adds this limiter in front of the `Unhealthy` kills.
 *
 * The numbers (`DEFAULT_KILL_RATE_LIMITS`), and why:
 *   per app   burst 5, then 5 a minute   — an app whose few instances all hang is still
 *             recovered in one go (a 3-instance app loses all 3 at once, as in Marathon),
 *             while a 100-instance app loses at most 5 + 5/min to a false alarm: ≤ 30 %
 *             in the first five minutes, time for an operator to look.
 *   cluster   burst 50, then 50 a minute — half of Marathon's 100 kills in flight; when
 *             every check in a 100k-instance cluster fails at once, ≤ 0.3 % of it dies in
 *             the first five minutes. A genuinely failed instance has already failed for
 *             `maxConsecutiveFailures × interval` (3 × 60 s by default): waiting up to a
 *             minute more costs little.
 *
 * Use: `allowed = availableKills(…)` → `reconcileService({ …, unhealthyKillBudget: allowed })`
 * → `spendKills(…, decision.kill.filter(reason === 'Unhealthy').length)`; or `requestKills`
 * for a verdict and the new state in one call.
 */
import type { BucketLimit, TokenBucket } from './token-bucket.js';
import { bucketAvailable, bucketNextTokenAt, refillBucket, spendBucket } from './token-bucket.js';

export interface KillRateLimits {
  readonly perApp: BucketLimit;
  readonly cluster: BucketLimit;
}

export const DEFAULT_KILL_RATE_LIMITS: KillRateLimits = {
  perApp: { burst: 5, perMinute: 5 },
  cluster: { burst: 50, perMinute: 50 },
};

export interface KillRateLimiter {
  readonly cluster: TokenBucket | null;
  /** Buckets by app id; a missing one is full. */
  readonly apps: Readonly<Record<string, TokenBucket>>;
}

export const EMPTY_KILL_RATE_LIMITER: KillRateLimiter = { cluster: null, apps: {} };

export interface KillVerdict {
  /** How many health kills of this app may go now. */
  readonly allowed: number;
  /** When at least one more may go, if none may now. */
  readonly retryAt: number | null;
}

export function availableKills(limiter: KillRateLimiter, appId: string, now: number, limits: KillRateLimits = DEFAULT_KILL_RATE_LIMITS): KillVerdict {
  const app = limiter.apps[appId];
  const allowed = Math.min(bucketAvailable(app, limits.perApp, now), bucketAvailable(limiter.cluster, limits.cluster, now));
  if (allowed > 0) return { allowed, retryAt: null };
  const a = bucketNextTokenAt(app, limits.perApp, now);
  const c = bucketNextTokenAt(limiter.cluster, limits.cluster, now);
  return { allowed: 0, retryAt: a === null || c === null ? null : Math.max(a, c) };
}

export function spendKills(limiter: KillRateLimiter, appId: string, count: number, now: number, limits: KillRateLimits = DEFAULT_KILL_RATE_LIMITS): KillRateLimiter {
  if (count <= 0) return limiter;
  return {
    cluster: spendBucket(limiter.cluster, limits.cluster, count, now),
    apps: { ...limiter.apps, [appId]: spendBucket(limiter.apps[appId], limits.perApp, count, now) },
  };
}

/** Verdict and new state in one: up to `wanted` kills of `appId` at `now`. */
export function requestKills(
  limiter: KillRateLimiter,
  appId: string,
  wanted: number,
  now: number,
  limits: KillRateLimits = DEFAULT_KILL_RATE_LIMITS,
): KillVerdict & { limiter: KillRateLimiter } {
  const allowed = Math.min(wanted, availableKills(limiter, appId, now, limits).allowed);
  const next = spendKills(limiter, appId, allowed, now, limits);
  return { allowed, retryAt: allowed < wanted ? availableKills(next, appId, now, limits).retryAt : null, limiter: next };
}

/** Drops app buckets that have refilled to full (a missing bucket is full): keeps the state small. */
export function pruneKillRateLimiter(limiter: KillRateLimiter, now: number, limits: KillRateLimits = DEFAULT_KILL_RATE_LIMITS): KillRateLimiter {
  const apps: Record<string, TokenBucket> = {};
  for (const [id, b] of Object.entries(limiter.apps)) if (refillBucket(b, limits.perApp, now).tokens < limits.perApp.burst) apps[id] = b;
  return { cluster: limiter.cluster, apps };
}
