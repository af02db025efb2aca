import { describe, expect, it } from 'vitest';
import { RandomSorter } from './random-sorter.js';

describe('RandomSorter', () => {
  it('puts a client first in proportion to its weight', () => {
    const s = new RandomSorter({ hierarchical: false, seed: 3 });
    s.add('heavy');
    s.add('light');
    s.updateWeight('heavy', 3);
    let heavyFirst = 0;
    for (let i = 0; i < 4000; i++) if (s.sort()[0] === 'heavy') heavyFirst++;
    // P(heavy first) = 3 / (3 + 1) = 0.75
    expect(heavyFirst / 4000).toBeGreaterThan(0.72);
    expect(heavyFirst / 4000).toBeLessThan(0.78);
  });

  it('replays the same orders from the same seed', () => {
    const make = () => {
      const s = new RandomSorter({ hierarchical: true, seed: 9 });
      for (const c of ['a', 'b', 'c', 'd/e', 'd/f']) s.add(c);
      return Array.from({ length: 10 }, () => s.sort().join(','));
    };
    expect(make()).toEqual(make());
  });
});
