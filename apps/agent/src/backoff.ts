/**
 * Reconnect delay: exponential from `initialMs`, capped at `maxMs`, with "full jitter"
 * (a uniform draw below the cap) so that agents cut off together do not return
 * together. `random` is injected: tests pass a fixed source.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const defaultBackoff: BackoffPolicy = { initialMs: 250, maxMs: 10_000, factor: 2 };

export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  // Never below half the ceiling: a retry storm of near-zero delays helps nobody.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
