import { describe, expect, it } from 'vitest';
import { restartBounds } from './restart-strategy.js';

const bounds = (instances: number, minimumHealthCapacity: number, maximumOverCapacity: number) =>
  restartBounds({ instances, upgradeStrategy: { minimumHealthCapacity, maximumOverCapacity } });

describe('restartBounds (TaskReplaceActor.computeRestartStrategy)', () => {
  it('is ⌈n × minimumHealthCapacity⌉ and ⌊n × (1 + maximumOverCapacity)⌋', () => {
    expect(bounds(3, 0.7, 0)).toEqual({ minHealthy: 3, maxCapacity: 4 }); // ⌈2.1⌉ = 3 = ⌊3⌋: the special case
    expect(bounds(10, 0.5, 0.25)).toEqual({ minHealthy: 5, maxCapacity: 12 });
    expect(bounds(4, 0, 0)).toEqual({ minHealthy: 0, maxCapacity: 4 });
  });

  it('allows one instance of over-capacity when the bounds meet, as Marathon does for non-resident apps', () => {
    expect(bounds(5, 1, 0)).toEqual({ minHealthy: 5, maxCapacity: 6 });
  });

  it('rounds after 1e-9, so 100 × 0.55 is 55 (doubles say 55.000000000000007)', () => {
    expect(100 * 0.55).toBeGreaterThan(55);
    expect(bounds(100, 0.55, 0.1)).toEqual({ minHealthy: 55, maxCapacity: 110 });
  });
});
