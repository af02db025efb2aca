/**
 * How many unreachable instances may be replaced now. When most agents vanish at once, the
 * likelier story is that the control plane itself is cut off from them — replacing every
 * instance would double the cluster's load the moment the partition heals, and with nowhere
 * reachable to put them, churn the launch path for nothing. Anchors: Mesos'
 * `--recovery_agent_removal_limit` and `--agent_removal_rate_limit` (DC/OS: 1 agent per
 * 20 min), and Kubernetes' node lifecycle controller (a zone with ≥ 55 % of nodes NotReady
 * is evicted at `secondary-node-eviction-rate` 0.01 nodes/s instead of 0.1; with every node
 * NotReady evictions stop: "the master is the one partitioned").
 *
 * Modes, with `DEFAULT_REPLACEMENT_LIMITS`:
 *   halted     every agent unreachable (and at least one known): no replacement at all
 *   throttled  more than 50 % of agents unreachable, or more than 50 % lost within the
 *              caller's recent window (flapping counts): 10 replacements a minute, burst 10
 *   normal     no limit
 *
 * Pure: the bucket is `{ tokens, updatedAt }` state the caller keeps; pass `allowed` to
 * `reconcileService` as `unreachableReplacementBudget` and charge the decisions'
 * `unreachableReplacements` back with `spendReplacements`.
 */
import type { BucketLimit, TokenBucket } from './token-bucket.js';
import { bucketAvailable, bucketNextTokenAt, refillBucket, spendBucket } from './token-bucket.js';

export interface AgentCounts {
  /** Agents known to the master (registered, not removed). */
  readonly total: number;
  /** Of those, unreachable now. */
  readonly unreachable: number;
  /** Agents that became unreachable within the caller's recent window (e.g. 5 minutes), even if back since. */
  readonly recentlyLost: number;
}

export interface ReplacementLimits {
  /** Fraction of agents lost above which replacements are throttled. */
  readonly lostFraction: number;
  /** Replacement rate while throttled. */
  readonly throttled: BucketLimit;
}

export const DEFAULT_REPLACEMENT_LIMITS: ReplacementLimits = { lostFraction: 0.5, throttled: { burst: 10, perMinute: 10 } };

export type ReplacementMode = 'normal' | 'throttled' | 'halted';

export interface ReplacementBudget {
  readonly mode: ReplacementMode;
  /** Replacements of unreachable instances allowed now (Infinity when normal). */
  readonly allowed: number;
  /** When the next one is allowed, if none is now and the mode allows any. */
  readonly retryAt: number | null;
  readonly reason: string;
  /** The bucket refilled to `now`: store it. */
  readonly bucket: TokenBucket;
}

export function replacementBudget(
  agents: AgentCounts,
  bucket: TokenBucket | null,
  now: number,
  limits: ReplacementLimits = DEFAULT_REPLACEMENT_LIMITS,
): ReplacementBudget {
  const refilled = refillBucket(bucket, limits.throttled, now);
  const pct = (n: number) => `${Math.round((n / Math.max(1, agents.total)) * 100)} %`;
  if (agents.total > 0 && agents.unreachable >= agents.total) {
    return { mode: 'halted', allowed: 0, retryAt: null, reason: `all ${agents.total} agents unreachable: assuming the control plane is partitioned`, bucket: refilled };
  }
  const lost = agents.total > 0 ? agents.unreachable / agents.total : 0;
  const recent = agents.total > 0 ? agents.recentlyLost / agents.total : 0;
  if (lost > limits.lostFraction || recent > limits.lostFraction) {
    const allowed = bucketAvailable(refilled, limits.throttled, now);
    const why = lost > limits.lostFraction ? `${pct(agents.unreachable)} of agents unreachable` : `${pct(agents.recentlyLost)} of agents lost recently`;
    return {
      mode: 'throttled',
      allowed,
      retryAt: allowed > 0 ? null : bucketNextTokenAt(refilled, limits.throttled, now),
      reason: `${why}: at most ${limits.throttled.perMinute} replacements a minute`,
      bucket: refilled,
    };
  }
  return { mode: 'normal', allowed: Infinity, retryAt: null, reason: 'agents reachable', bucket: refilled };
}

/** Charges `count` replacements. Charge them in every mode: the bucket refills to its burst within a minute anyway. */
export function spendReplacements(bucket: TokenBucket | null, count: number, now: number, limits: ReplacementLimits = DEFAULT_REPLACEMENT_LIMITS): TokenBucket {
  return spendBucket(bucket, limits.throttled, count, now);
}
