import { describe, expect, it } from 'vitest';
import { candidate } from '../testing/placement-builders.js';
import { formatScalarAttribute } from './attributes.js';
import { meetsConstraint, validateConstraint } from './constraints.js';
import type { Constraint } from './types.js';

const host = (name: string, rack?: string, zone?: string) => {
  const b = candidate(name);
  if (rack) b.attr('rack', rack);
  if (zone) b.zone(zone);
  return b;
};

describe('meetsConstraint (Marathon operators)', () => {
  // [name, constraint, candidate, already placed (as builders), expected]
  const table: Array<[string, Constraint, ReturnType<typeof host>, Array<ReturnType<typeof host>>, boolean]> = [
    ['UNIQUE hostname: free host', { field: 'hostname', operator: 'UNIQUE' }, host('h1'), [host('h2')], true],
    ['UNIQUE hostname: taken host', { field: 'hostname', operator: 'UNIQUE' }, host('h1'), [host('h1')], false],
    ['UNIQUE @hostname alias', { field: '@hostname', operator: 'UNIQUE' }, host('h1'), [host('h1')], false],
    ['UNIQUE rack', { field: 'rack', operator: 'UNIQUE' }, host('h1', 'r1'), [host('h2', 'r1')], false],
    ['CLUSTER with value: match', { field: 'rack', operator: 'CLUSTER', value: 'r1' }, host('h1', 'r1'), [], true],
    ['CLUSTER with value: other', { field: 'rack', operator: 'CLUSTER', value: 'r1' }, host('h1', 'r2'), [], false],
    ['CLUSTER without value: first picks', { field: 'rack', operator: 'CLUSTER' }, host('h1', 'r2'), [], true],
    ['CLUSTER without value: follows first', { field: 'rack', operator: 'CLUSTER' }, host('h1', 'r2'), [host('h0', 'r1')], false],
    ['CLUSTER hostname: same host', { field: 'hostname', operator: 'CLUSTER' }, host('h1'), [host('h1')], true],
    ['GROUP_BY: unused value always fine', { field: 'rack', operator: 'GROUP_BY' }, host('h', 'r3'), [host('a', 'r1'), host('b', 'r2')], true],
    ['GROUP_BY: least used value fine', { field: 'rack', operator: 'GROUP_BY' }, host('h', 'r2'), [host('a', 'r1'), host('b', 'r1'), host('c', 'r2')], true],
    ['GROUP_BY: most used value refused', { field: 'rack', operator: 'GROUP_BY' }, host('h', 'r1'), [host('a', 'r1'), host('c', 'r2')].concat([host('d', 'r1')]), false],
    ['GROUP_BY 3: used value refused until 3 values used', { field: 'rack', operator: 'GROUP_BY', value: '3' }, host('h', 'r1'), [host('a', 'r1'), host('b', 'r2')], false],
    ['GROUP_BY 3: balanced once 3 used', { field: 'rack', operator: 'GROUP_BY', value: '3' }, host('h', 'r1'), [host('a', 'r1'), host('b', 'r2'), host('c', 'r3')], true],
    ['MAX_PER 2: one there', { field: 'rack', operator: 'MAX_PER', value: '2' }, host('h', 'r1'), [host('a', 'r1')], true],
    ['MAX_PER 2: two there', { field: 'rack', operator: 'MAX_PER', value: '2' }, host('h', 'r1'), [host('a', 'r1'), host('b', 'r1')], false],
    ['LIKE full match', { field: 'rack', operator: 'LIKE', value: 'r[1-3]' }, host('h', 'r2'), [], true],
    ['LIKE is anchored', { field: 'rack', operator: 'LIKE', value: 'r' }, host('h', 'r2'), [], false],
    ['UNLIKE', { field: 'rack', operator: 'UNLIKE', value: 'r[7-9]' }, host('h', 'r2'), [], true],
    ['UNLIKE matching', { field: 'rack', operator: 'UNLIKE', value: 'r2' }, host('h', 'r2'), [], false],
    ['UNLIKE passes a missing attribute', { field: 'rack', operator: 'UNLIKE', value: 'r2' }, host('h'), [], true],
    ['LIKE fails a missing attribute', { field: 'rack', operator: 'LIKE', value: '.*' }, host('h'), [], false],
    ['IS text', { field: 'rack', operator: 'IS', value: 'r1' }, host('h', 'r1'), [], true],
    ['@zone UNIQUE', { field: '@zone', operator: 'UNIQUE' }, host('h', undefined, 'a'), [host('x', undefined, 'a')], false],
    ['@zone GROUP_BY', { field: '@zone', operator: 'GROUP_BY' }, host('h', undefined, 'b'), [host('x', undefined, 'a')], true],
    ['@region missing', { field: '@region', operator: 'IS', value: 'eu' }, host('h'), [], false],
  ];

  it.each(table)('%s', (_name, constraint, cand, placed, expected) => {
    expect(meetsConstraint(constraint, cand.obj(), placed.map((p) => p.placed())).ok).toBe(expected);
  });

  it('compares scalar attributes to the thousandth (half-even), as Marathon does', () => {
    const c = candidate('h').attr('level', 0.8).obj();
    for (const v of ['0.8', '0.80', '0.8001']) expect(meetsConstraint({ field: 'level', operator: 'IS', value: v }, c, []).ok).toBe(true);
    expect(formatScalarAttribute(0.0125)).toBe('0.012');
    expect(formatScalarAttribute(0.0135)).toBe('0.014');
  });

  it('explains a refusal', () => {
    const v = meetsConstraint({ field: 'rack', operator: 'MAX_PER', value: '1' }, host('h', 'r1').obj(), [host('a', 'r1').placed()]);
    expect(v).toEqual({ ok: false, detail: 'rack MAX_PER 1: rack=r1 already has 1' });
  });

  it.each<[Constraint, boolean]>([
    [{ field: 'hostname', operator: 'UNIQUE' }, true],
    [{ field: 'rack', operator: 'MAX_PER', value: '0' }, false],
    [{ field: 'rack', operator: 'MAX_PER', value: 'x' }, false],
    [{ field: 'rack', operator: 'LIKE', value: '(' }, false],
    [{ field: 'rack', operator: 'LIKE' }, false],
    [{ field: 'rack', operator: 'GROUP_BY', value: 'three' }, false],
    [{ field: 'rack', operator: 'IS' }, false],
    [{ field: '', operator: 'CLUSTER' }, false],
  ])('validates %j → valid: %s', (c, valid) => {
    expect(validateConstraint(c) === undefined).toBe(valid);
  });
});
