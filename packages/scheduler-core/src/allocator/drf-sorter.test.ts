import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { scalars } from '../resources/scalars.js';
import { DrfSorter } from './drf-sorter.js';

describe('DrfSorter', () => {
  it('orders by dominant share, hand-checked (Ghodsi et al. example)', () => {
    // Total <9 cpus, 18 mem>. A runs <1 cpu, 4 mem> tasks, B <3 cpu, 1 mem>.
    const s = new DrfSorter();
    s.addTotal(scalars({ cpus: 9, mem: 18 }));
    s.add('A');
    s.add('B');
    s.allocated('A', scalars({ cpus: 1, mem: 4 })); // A share = max(1/9, 4/18) = 0.222
    expect(s.sort()).toEqual(['B', 'A']); // B share = 0
    s.allocated('B', scalars({ cpus: 3, mem: 1 })); // B share = max(3/9, 1/18) = 0.333
    expect(s.sort()).toEqual(['A', 'B']);
    s.allocated('A', scalars({ cpus: 1, mem: 4 })); // A = 8/18 = 0.444
    expect(s.sort()).toEqual(['B', 'A']);
    s.allocated('B', scalars({ cpus: 3, mem: 1 })); // B = 6/9 = 0.667
    s.allocated('A', scalars({ cpus: 1, mem: 4 })); // A = 12/18 = 0.667: tie, broken by name
    expect(s.share('A')).toBeCloseTo(2 / 3);
    expect(s.share('B')).toBeCloseTo(2 / 3);
    expect(s.sort()).toEqual(['A', 'B']);
  });

  it('divides shares by weight', () => {
    const s = new DrfSorter();
    s.addTotal(scalars({ cpus: 10 }));
    s.add('heavy');
    s.add('light');
    s.updateWeight('heavy', 3);
    s.allocated('heavy', scalars({ cpus: 6 })); // 0.6 / 3 = 0.2
    s.allocated('light', scalars({ cpus: 3 })); // 0.3 / 1 = 0.3
    expect(s.sort()).toEqual(['heavy', 'light']);
    expect(s.share('heavy')).toBeCloseTo(0.2);
  });

  it('orders subtrees before their members (hierarchical)', () => {
    // team-a/web has the lowest leaf share, but team-a as a whole is above team-b.
    const s = new DrfSorter();
    s.addTotal(scalars({ cpus: 100 }));
    for (const r of ['team-a/web', 'team-a/batch', 'team-b']) s.add(r);
    s.allocated('team-a/batch', scalars({ cpus: 40 })); // team-a = 0.40
    s.allocated('team-a/web', scalars({ cpus: 1 })); // team-a = 0.41, web = 0.01
    s.allocated('team-b', scalars({ cpus: 20 })); // team-b = 0.20
    expect(s.sort()).toEqual(['team-b', 'team-a/web', 'team-a/batch']);
  });

  it("keeps an inner role's own allocation in its virtual leaf", () => {
    const s = new DrfSorter();
    s.addTotal(scalars({ cpus: 10 }));
    s.add('a');
    s.allocated('a', scalars({ cpus: 5 }));
    s.add('a/b'); // a becomes inner, with a/. holding its 5 cpus
    s.allocated('a/b', scalars({ cpus: 1 }));
    expect(s.share('a')).toBeCloseTo(0.6); // subtree a = own 5 (in a/.) + a/b 1 = 6/10
    expect(s.sort()).toEqual(['a/b', 'a']); // inside a: a/b 0.1 before a/. 0.5
  });

  it('property: incremental reordering equals a from-scratch sort', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 19 }), fc.integer({ min: -2, max: 5 })), { maxLength: 200 }), (steps) => {
        const s = new DrfSorter({ hierarchical: false });
        s.addTotal(scalars({ cpus: 1000 }));
        const alloc = new Array<number>(20).fill(0);
        for (let i = 0; i < 20; i++) s.add(`r${String(i).padStart(2, '0')}`);
        for (const [i, d] of steps) {
          const delta = Math.max(d, -alloc[i]!);
          const name = `r${String(i).padStart(2, '0')}`;
          if (delta > 0) s.allocated(name, scalars({ cpus: delta }));
          if (delta < 0) s.unallocated(name, scalars({ cpus: -delta }));
          alloc[i]! += delta;
          if (d === 5) s.sort(); // interleave walks so incremental repositioning is exercised
        }
        const expected = alloc
          .map((a, i) => ({ a, name: `r${String(i).padStart(2, '0')}` }))
          .sort((x, y) => x.a - y.a || (x.name < y.name ? -1 : 1))
          .map((x) => x.name);
        expect(s.sort()).toEqual(expected);
      }),
    );
  });
});
