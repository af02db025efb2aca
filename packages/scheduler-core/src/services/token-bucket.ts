/**
 * A token bucket as plain state: `{ tokens, updatedAt }` in, `now` in, new state out.
 * Tokens refill continuously at `perMinute` up to `burst`; a missing bucket is full.
 *
 *   tokens(now) = min(burst, tokens + (now − updatedAt) × perMinute / 60 000)
 */
export interface TokenBucket {
  readonly tokens: number;
  readonly updatedAt: number;
}

export interface BucketLimit {
  /** Most tokens held at once: how many may go in one burst. */
  readonly burst: number;
  /** Refill rate. */
  readonly perMinute: number;
}

export function refillBucket(bucket: TokenBucket | null | undefined, limit: BucketLimit, now: number): TokenBucket {
  if (!bucket) return { tokens: limit.burst, updatedAt: now };
  const elapsed = Math.max(0, now - bucket.updatedAt);
  return { tokens: Math.min(limit.burst, bucket.tokens + (elapsed * limit.perMinute) / 60_000), updatedAt: Math.max(now, bucket.updatedAt) };
}

/** Whole tokens available now. */
export function bucketAvailable(bucket: TokenBucket | null | undefined, limit: BucketLimit, now: number): number {
  return Math.floor(refillBucket(bucket, limit, now).tokens + 1e-9);
}

/** Takes `count` tokens (callers check `available` first); never below zero. */
export function spendBucket(bucket: TokenBucket | null | undefined, limit: BucketLimit, count: number, now: number): TokenBucket {
  const b = refillBucket(bucket, limit, now);
  return { tokens: Math.max(0, b.tokens - count), updatedAt: b.updatedAt };
}

/** When the next whole token is there (`now` if one already is), or null if the bucket never refills. */
export function bucketNextTokenAt(bucket: TokenBucket | null | undefined, limit: BucketLimit, now: number): number | null {
  const b = refillBucket(bucket, limit, now);
  if (b.tokens + 1e-9 >= 1) return now;
  if (limit.perMinute <= 0 || limit.burst < 1) return null;
  return b.updatedAt + Math.ceil(((1 - b.tokens) * 60_000) / limit.perMinute);
}
