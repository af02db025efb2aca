import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('replays the same sequence from the same seed', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 100 }, () => a.nextUint32());
    expect(Array.from({ length: 100 }, () => b.nextUint32())).toEqual(xs);
  });

  it('gives different streams for adjacent seeds', () => {
    expect(new SeededRandom(1).nextUint32()).not.toBe(new SeededRandom(2).nextUint32());
  });

  it('is roughly uniform: 10k draws of int(10) put 800..1200 in every bucket', () => {
    const r = new SeededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) buckets[r.int(10)]!++;
    for (const n of buckets) {
      expect(n).toBeGreaterThan(800);
      expect(n).toBeLessThan(1200);
    }
  });

  it('property: shuffle is a permutation and between stays in bounds', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer(), { maxLength: 50 }), (seed, xs) => {
        const r = new SeededRandom(seed);
        expect(r.shuffle(xs.slice()).sort((p, q) => p - q)).toEqual(xs.slice().sort((p, q) => p - q));
        const v = r.between(-3, 3);
        return v >= -3 && v <= 3 && Number.isInteger(v);
      }),
    );
  });
});
