import { describe, expect, it } from 'vitest';
import { backoffDelay, defaultBackoff } from './backoff.js';

describe('backoffDelay', () => {
  it('doubles the ceiling per attempt, between half the ceiling and the ceiling', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, defaultBackoff, () => 0))).toEqual([125, 250, 500, 1000]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, defaultBackoff, () => 1))).toEqual([250, 500, 1000, 2000]);
  });

  it('never waits longer than the cap', () => {
    expect(backoffDelay(50, defaultBackoff, () => 1)).toBe(10_000);
    expect(backoffDelay(50, defaultBackoff, () => 0)).toBe(5_000);
  });
});
