import type { App } from '@gantry/specs';
import { describe, expect, it } from 'vitest';
import { healthVerdict, killThreshold } from './live-state.js';

const withChecks = (...limits: number[]) => ({ app: { healthChecks: limits.map((maxConsecutiveFailures) => ({ maxConsecutiveFailures })) } as unknown as App });

describe('health as the core sees it', () => {
  it('kills only at maxConsecutiveFailures in a row: below it, an unhealthy task has no verdict', () => {
    expect(healthVerdict({ healthy: false, healthFailures: 1 }, 3)).toBeNull();
    expect(healthVerdict({ healthy: false, healthFailures: 2 }, 3)).toBeNull();
    expect(healthVerdict({ healthy: false, healthFailures: 3 }, 3)).toBe(false);
    expect(healthVerdict({ healthy: true, healthFailures: 0 }, 3)).toBe(true);
    expect(healthVerdict({ healthy: null, healthFailures: 0 }, 3)).toBeNull();
  });

  it('takes the strictest check, and 0 as never kill (Marathon)', () => {
    expect(killThreshold(withChecks(3, 5))).toBe(3);
    expect(killThreshold(withChecks(0, 4))).toBe(4);
    expect(killThreshold(withChecks(0))).toBe(Infinity);
    expect(healthVerdict({ healthy: false, healthFailures: 1_000 }, killThreshold(withChecks(0)))).toBeNull();
  });
});
