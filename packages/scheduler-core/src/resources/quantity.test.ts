import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatMilli, fromMilli, toMilli } from './quantity.js';

describe('fixed-point milli-units', () => {
  it.each([
    [0.1, 100],
    [0.2, 200],
    [0.3, 300],
    [1, 1000],
    [0.0005, 1], // rounds half away from zero, like Mesos' llround
    [0.0004, 0],
    [-0.0005, -1],
    [4096, 4_096_000],
  ])('toMilli(%d) = %d', (value, milli) => {
    expect(toMilli(value)).toBe(milli);
  });

  it('adds 0.1 + 0.2 to exactly 0.3 (no floating drift)', () => {
    expect(toMilli(0.1) + toMilli(0.2)).toBe(toMilli(0.3));
    expect(fromMilli(toMilli(0.1) + toMilli(0.2))).toBe(0.3);
  });

  it.each([
    [300, '0.3'],
    [1000, '1'],
    [1050, '1.05'],
    [1, '0.001'],
    [-1500, '-1.5'],
  ])('formats %d as %s', (milli, text) => {
    expect(formatMilli(milli)).toBe(text);
  });

  it('rejects non-finite quantities', () => {
    expect(() => toMilli(Infinity)).toThrow(RangeError);
    expect(() => toMilli(NaN)).toThrow(RangeError);
  });

  it('property: summing any thousand 0.001-granular values then subtracting them returns to zero', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 1000 }), (ms) => {
        const values = ms.map((m) => m / 1000);
        let total = 0;
        for (const v of values) total += toMilli(v);
        for (const v of values) total -= toMilli(v);
        return total === 0;
      }),
    );
  });
});
