/**
 * The contract every sorter honours (Mesos runs its sorter tests against every sorter
 * the same way). Policy-specific ordering is tested in each sorter's own file.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scalars } from '../resources/scalars.js';
import { DrfSorter } from './drf-sorter.js';
import { RandomSorter } from './random-sorter.js';
import type { Sorter } from './sorter.js';

const sorters: Array<[string, () => Sorter]> = [
  ['DrfSorter', () => new DrfSorter({ hierarchical: true })],
  ['RandomSorter', () => new RandomSorter({ hierarchical: true, seed: 11 })],
];

describe.each(sorters)('%s contract', (_name, make) => {
  it('visits every active client exactly once, and no inactive one', () => {
    const s = make();
    for (const c of ['a', 'b', 'c/x', 'c/y', 'c']) s.add(c);
    s.deactivate('b');
    expect(s.sort().sort()).toEqual(['a', 'c', 'c/x', 'c/y']);
    s.activate('b');
    expect(s.sort().sort()).toEqual(['a', 'b', 'c', 'c/x', 'c/y']);
    expect(s.size).toBe(5);
  });

  it('forgets removed clients, collapsing the tree back', () => {
    const s = make();
    s.add('a');
    s.add('a/b');
    s.allocated('a', scalars({ cpus: 1 }));
    s.remove('a/b');
    expect(s.contains('a/b')).toBe(false);
    expect(s.sort()).toEqual(['a']);
    expect(s.allocation('a').get('cpus')).toBe(1000); // a's own allocation survived the collapse
  });

  it('stops the walk when the visitor returns false', () => {
    const s = make();
    for (const c of ['a', 'b', 'c']) s.add(c);
    let seen = 0;
    s.forEachInOrder(() => {
      seen++;
      return false;
    });
    expect(seen).toBe(1);
  });

  it('counts allocations per client and per subtree in shares', () => {
    const s = make();
    s.addTotal(scalars({ cpus: 10, mem: 100 }));
    s.add('team/web');
    s.add('team/db');
    s.allocated('team/web', scalars({ cpus: 2 }));
    s.allocated('team/db', scalars({ mem: 50 }));
    expect(s.share('team/web')).toBeCloseTo(0.2); // 2/10 cpus
    expect(s.share('team/db')).toBeCloseTo(0.5); // 50/100 mem
    expect(s.share('team')).toBeCloseTo(0.5); // subtree: max(2/10, 50/100)
    s.unallocated('team/db', scalars({ mem: 50 }));
    expect(s.share('team')).toBeCloseTo(0.2);
  });

  it('rejects duplicate and unknown clients and bad weights', () => {
    const s = make();
    s.add('a');
    expect(() => s.add('a')).toThrow(RangeError);
    expect(() => s.remove('zzz')).toThrow(RangeError);
    expect(() => s.updateWeight('a', 0)).toThrow(RangeError);
  });

  it('property: after any sequence of allocations, sort() is a permutation of the active clients', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'a/x', 'a/y', 'c/d/e'), fc.integer({ min: 0, max: 3 }), fc.boolean()), { maxLength: 40 }),
        (steps) => {
          const s = make();
          s.addTotal(scalars({ cpus: 100, mem: 100 }));
          const clients = ['a', 'b', 'a/x', 'a/y', 'c/d/e'];
          for (const c of clients) s.add(c);
          for (const [c, n, deactivate] of steps) {
            s.allocated(c, scalars({ cpus: n }));
            if (deactivate) s.deactivate(c);
            else s.activate(c);
          }
          const active = clients.filter((c) => s.isActive(c)).sort();
          expect(s.sort().sort()).toEqual(active);
        },
      ),
    );
  });
});
