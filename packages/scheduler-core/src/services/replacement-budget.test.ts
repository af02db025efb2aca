import { describe, expect, it } from 'vitest';
import { replacementBudget, spendReplacements } from './replacement-budget.js';

describe('replacementBudget', () => {
  it('does not limit replacements while most agents are reachable', () => {
    expect(replacementBudget({ total: 10, unreachable: 5, recentlyLost: 5 }, null, 0)).toMatchObject({ mode: 'normal', allowed: Infinity });
  });

  it('throttles to 10 a minute when more than half the agents are lost, now or recently', () => {
    const b = replacementBudget({ total: 10, unreachable: 6, recentlyLost: 6 }, null, 0);
    expect(b).toMatchObject({ mode: 'throttled', allowed: 10 });
    const spent = spendReplacements(b.bucket, 10, 0);
    expect(replacementBudget({ total: 10, unreachable: 6, recentlyLost: 6 }, spent, 0)).toMatchObject({ allowed: 0, retryAt: 6_000 });
    expect(replacementBudget({ total: 10, unreachable: 6, recentlyLost: 6 }, spent, 30_000).allowed).toBe(5);
    // Flapping: most agents were lost in the window though some came back.
    expect(replacementBudget({ total: 10, unreachable: 2, recentlyLost: 7 }, null, 0).mode).toBe('throttled');
  });

  it('halts when every agent is unreachable: the control plane is the one cut off', () => {
    expect(replacementBudget({ total: 3, unreachable: 3, recentlyLost: 3 }, null, 0)).toMatchObject({ mode: 'halted', allowed: 0, retryAt: null });
    expect(replacementBudget({ total: 0, unreachable: 0, recentlyLost: 0 }, null, 0).mode).toBe('normal');
  });

  it('takes its thresholds as parameters', () => {
    const limits = { lostFraction: 0.2, throttled: { burst: 1, perMinute: 1 } };
    expect(replacementBudget({ total: 10, unreachable: 3, recentlyLost: 0 }, null, 0, limits)).toMatchObject({ mode: 'throttled', allowed: 1 });
  });
});
