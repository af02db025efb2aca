import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aService, V2 } from '../testing/service-builders.js';
import { advanceLaunchDelay, countsAsLaunchFailure, launchDelayMs, nextLaunchDelay, resetLaunchDelay } from './launch-delay.js';

const spec = aService().backoff(1, 2, 60).build(); // 1 s, doubling, capped at 60 s

describe('launch backoff (Marathon RateLimiter)', () => {
  it('grows by the factor per failure and stops at maxLaunchDelaySeconds', () => {
    // 1, 2, 4, 8, 16, 32, 60, 60 s
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => launchDelayMs(n, spec.backoff))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(launchDelayMs(10_000, spec.backoff)).toBe(60_000); // factor^n overflowing is still capped
  });

  it('counts failures from the previous delay of the same config version', () => {
    const first = nextLaunchDelay(null, spec, 0);
    expect(first).toEqual({ failures: 1, delayUntil: 1_000, configVersion: spec.configVersion, referenceAt: 0 });
    const second = nextLaunchDelay(first, spec, 1_500);
    expect(second).toMatchObject({ failures: 2, delayUntil: 3_500, referenceAt: 1_500 });
  });

  it('starts over for a new config version (a deployment resets the delay)', () => {
    const old = { failures: 6, delayUntil: 50_000, configVersion: 'old', referenceAt: 18_000 };
    expect(resetLaunchDelay(old, spec, 20_000)).toBeNull();
    expect(nextLaunchDelay(old, { ...spec, configVersion: V2 }, 20_000)).toMatchObject({ failures: 1, delayUntil: 21_000, configVersion: V2 });
  });

  it('is forgotten maxLaunchDelay after its reference with no new failure (cleanUpOverdueDelays)', () => {
    const d = nextLaunchDelay(null, spec, 0);
    expect(resetLaunchDelay(d, spec, 60_000)).toBe(d);
    expect(resetLaunchDelay(d, spec, 60_001)).toBeNull();
    expect(nextLaunchDelay(d, spec, 60_001).failures).toBe(1);
    // Without referenceAt it is derived from delayUntil − delay(failures).
    expect(resetLaunchDelay({ failures: 2, delayUntil: 2_000, configVersion: spec.configVersion }, spec, 60_000)).not.toBeNull();
    expect(resetLaunchDelay({ failures: 2, delayUntil: 2_000, configVersion: spec.configVersion }, spec, 60_001)).toBeNull();
  });

  it('is advanced when an instance of the config starts: same delay, counted from then', () => {
    const d = nextLaunchDelay(nextLaunchDelay(null, spec, 0), spec, 100); // 2 s from 100
    expect(advanceLaunchDelay(d, spec, 5_000)).toMatchObject({ failures: 2, delayUntil: 7_000, referenceAt: 5_000 });
    expect(advanceLaunchDelay(null, spec, 5_000)).toBeNull();
  });

  it('treats FAILED, FINISHED, ERROR, DROPPED, GONE as failures, never KILLED (limitWorthy)', () => {
    expect(['TASK_FAILED', 'TASK_FINISHED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'].every((s) => countsAsLaunchFailure(s as never))).toBe(true);
    expect(['TASK_KILLED', 'TASK_UNKNOWN', 'TASK_RUNNING', 'TASK_UNREACHABLE'].some((s) => countsAsLaunchFailure(s as never))).toBe(false);
  });

  it('property: delay = min(backoff × factor^(n−1), max), monotone in n', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.1, max: 100, noNaN: true }), fc.double({ min: 1, max: 3, noNaN: true }), fc.integer({ min: 1, max: 3600 }), fc.integer({ min: 1, max: 60 }), (b, f, max, n) => {
        const backoff = { backoffSeconds: b, backoffFactor: f, maxLaunchDelaySeconds: max };
        const d = launchDelayMs(n, backoff);
        return d <= max * 1000 && d <= launchDelayMs(n + 1, backoff) && Math.abs(d - Math.min(b * f ** (n - 1), max) * 1000) <= 0.5;
      }),
    );
  });
});
