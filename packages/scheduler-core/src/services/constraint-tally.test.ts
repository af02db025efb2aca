import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { meetsConstraint } from '../placement/constraints.js';
import type { Constraint, PlacedInstance } from '../placement/types.js';
import { candidate } from '../testing/placement-builders.js';
import { ConstraintTally } from './constraint-tally.js';

const arbPlace = fc.record({
  host: fc.constantFrom('h1', 'h2', 'h3', 'h4'),
  zone: fc.option(fc.constantFrom('a', 'b', 'c'), { nil: undefined }),
  rack: fc.option(fc.constantFrom('r1', 'r2', 1.5), { nil: undefined }),
});
const arbConstraint: fc.Arbitrary<Constraint> = fc.record({
  field: fc.constantFrom('hostname', '@zone', 'rack', '@region'),
  operator: fc.constantFrom('UNIQUE', 'CLUSTER', 'GROUP_BY', 'MAX_PER', 'LIKE', 'UNLIKE', 'IS'),
  value: fc.option(fc.constantFrom('', '0', '1', '2', '3', 'inf', 'a', 'a|b', 'r1', '1.5', 'h[12]', 'x'), { nil: undefined }),
});

function build(p: { host: string; zone: string | undefined; rack: string | number | undefined }) {
  let b = candidate(p.host);
  if (p.zone) b = b.zone(p.zone);
  if (p.rack !== undefined) b = b.attr('rack', p.rack);
  return b;
}

describe('ConstraintTally', () => {
  it('property: agrees with meetsConstraint for every operator, as instances are added one by one', () => {
    fc.assert(
      fc.property(fc.array(arbConstraint, { minLength: 1, maxLength: 3 }), fc.array(arbPlace, { maxLength: 8 }), fc.array(arbPlace, { minLength: 1, maxLength: 4 }), (constraints, placements, probes) => {
        const placed: PlacedInstance[] = [];
        const tally = new ConstraintTally(constraints, []);
        for (const next of [...placements, placements[0] ?? probes[0]!]) {
          for (const probe of probes) {
            const c = build(probe).obj();
            const want = constraints.every((k) => meetsConstraint(k, c, placed).ok);
            expect(tally.ok(c)).toBe(want);
          }
          const p = build(next).placed();
          placed.push(p);
          tally.add(p);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('splits constraints into static, monotone and balancing ones', () => {
    const t = new ConstraintTally(
      [
        { field: 'hostname', operator: 'UNIQUE' },
        { field: '@zone', operator: 'GROUP_BY', value: '2' },
        { field: 'rack', operator: 'LIKE', value: 'r1' },
      ],
      [candidate('h1').zone('a').placed()],
    );
    expect(t.monotone.map((c) => c.operator)).toEqual(['UNIQUE']);
    expect(t.groupBy.map((c) => c.field)).toEqual(['@zone']);
    expect(t.staticOk(candidate('h2').zone('b').attr('rack', 'r2').obj())).toBe(false);
    // Only one zone used of the two GROUP_BY asks for: a used zone waits, a new one is fine.
    expect(t.groupByOk(['a'])).toBe(false);
    expect(t.groupByOk(['b'])).toBe(true);
  });
});
