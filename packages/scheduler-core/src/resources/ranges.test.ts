import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Range } from './ranges.js';
import {
  containsRanges,
  lowestValues,
  normalizeRanges,
  rangesOfValues,
  rangesSize,
  subtractRanges,
  unionRanges,
} from './ranges.js';

const arbRanges = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 8 })), { maxLength: 6 })
  .map((xs) => normalizeRanges(xs.map(([b, len]) => [b, b + len] as Range)));

function values(rs: readonly Range[]): Set<number> {
  const out = new Set<number>();
  for (const [b, e] of rs) for (let v = b; v <= e; v++) out.add(v);
  return out;
}

describe('ranges', () => {
  it.each<[Range[], Range[]]>([
    [[[3, 4], [1, 2]], [[1, 4]]], // adjacent intervals coalesce
    [[[1, 5], [2, 3]], [[1, 5]]],
    [[[5, 4]], []], // empty interval dropped
    [[[10, 20], [30, 40]], [[10, 20], [30, 40]]],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeRanges(input)).toEqual(expected);
  });

  it('subtracts holes out of a port range', () => {
    expect(subtractRanges([[31000, 32000]], [[31000, 31000], [31500, 31501]])).toEqual([
      [31001, 31499],
      [31502, 32000],
    ]);
  });

  it('takes the lowest free values for dynamic ports', () => {
    expect(lowestValues([[10, 11], [20, 30]], 3)).toEqual([10, 11, 20]);
    expect(lowestValues([[10, 11]], 3)).toBeUndefined();
  });

  it('property: union, subtract and contains agree with set semantics', () => {
    fc.assert(
      fc.property(arbRanges, arbRanges, (a, b) => {
        const va = values(a);
        const vb = values(b);
        const union = values(unionRanges(a, b));
        const diff = values(subtractRanges(a, b));
        expect(union).toEqual(new Set([...va, ...vb]));
        expect(diff).toEqual(new Set([...va].filter((v) => !vb.has(v))));
        expect(containsRanges(a, b)).toBe([...vb].every((v) => va.has(v)));
        expect(rangesSize(a)).toBe(va.size);
        expect(rangesOfValues([...va])).toEqual(a);
      }),
    );
  });
});
