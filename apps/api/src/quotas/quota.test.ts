import { describe, expect, it } from 'vitest';
import { demandOf, describeViolation, groupNameProblem, inUnits, topLevelGroup, violations, type Wanting } from './quota.js';

const app = (instances: number, cpus = 0.1, mem = 32, disk = 0): Wanting => ({ instances, cpus, mem, disk });

describe('topLevelGroup', () => {
  it.each([
    ['/team-a/web', 'team-a'],
    ['/team-a/backend/db', 'team-a'],
    ['/web', null], // at the root: no tenant (role "default")
  ])('%s → %s', (id, group) => {
    expect(topLevelGroup(id)).toBe(group);
  });
});

describe('groupNameProblem', () => {
  it('accepts a path segment and refuses anything else, saying why', () => {
    expect(groupNameProblem('team-a')).toBeNull();
    expect(groupNameProblem('team-a/web')).toMatch(/not one top-level group/);
    expect(groupNameProblem('..')).toMatch(/climbs above the root/);
    expect(groupNameProblem('Team A')).toMatch(/is not valid/);
  });
});

describe('demandOf', () => {
  it('sums instances × resources exactly, in milli-units', () => {
    // 3 × 0.1 is 0.30000000000000004 in floating point; the quota must see 0.3.
    expect(inUnits(demandOf([app(3, 0.1, 32), app(1, 0.5, 128, 10)]))).toEqual({ cpus: 0.8, mem: 224, disk: 10, instances: 4 });
    expect(inUnits(demandOf([]))).toEqual({ cpus: 0, mem: 0, disk: 0, instances: 0 });
  });
});

describe('violations', () => {
  const d = (...apps: Wanting[]) => demandOf(apps);
  it.each([
    // limits, before, after, violated kinds
    [{ cpus: 0.3 }, d(), d(app(3)), []], // exactly at the limit: 3 × 0.1 = 0.3
    [{ cpus: 0.3 }, d(), d(app(4)), ['cpus']],
    [{ instances: 2, mem: 1000 }, d(app(1)), d(app(3)), ['instances']],
    [{ cpus: 0.1 }, d(app(5)), d(app(4)), []], // already over, shrinking: allowed
    [{ cpus: 0.1 }, d(app(5)), d(app(5)), []], // a restart wants nothing more
    [{ cpus: 0.1 }, d(app(5)), d(app(6)), ['cpus']], // over and growing: refused
    [{}, d(), d(app(1000, 8, 1 << 20)), []], // no limits
  ] as const)('%j: %j → %j refuses %j', (limits, before, after, kinds) => {
    expect(violations(limits, before, after).map((v) => v.kind)).toEqual(kinds);
  });

  it('names the group, the numbers and the limit', () => {
    const [v] = violations({ cpus: 0.3 }, demandOf([app(1)]), demandOf([app(4)]));
    expect(describeViolation('team-a', v!)).toBe('/team-a would want 0.4 cpus in all (0.1 now); its quota allows 0.3');
  });
});
