import { describe, expect, it } from 'vitest';
import { restartDelay, restartPolicy } from './restart-policy.js';

describe('agent restart policy', () => {
  it('waits well past the unreachable timeout, so a dead agent is seen UNREACHABLE first', () => {
    expect(restartPolicy(2000, 3).firstMs).toBe(18_000); // 3 × (2 s × 3 heartbeats)
    expect(restartPolicy(500, 3).firstMs).toBe(10_000); // never under 10 s
  });

  it('doubles for an agent that keeps dying, up to a minute, and starts over once it ran stably', () => {
    const policy = { firstMs: 10_000, maxMs: 60_000, stableMs: 60_000 };
    let attempt = 0;
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const next = restartDelay(policy, attempt, 1000);
      delays.push(next.delayMs);
      attempt = next.attempt;
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 60_000]);
    expect(restartDelay(policy, attempt, 120_000)).toEqual({ delayMs: 10_000, attempt: 1 });
  });
});
