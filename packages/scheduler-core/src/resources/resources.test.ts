import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { res, parseResources } from './parse.js';
import { dynamicReservation, ranges, scalar } from './resource.js';
import { Resources } from './resources.js';

describe('Resources algebra', () => {
  it('merges same-kind entries and keeps reserved ones apart', () => {
    const r = res('cpus:1;cpus:0.5;cpus(web):2;mem:128');
    expect(r.toString()).toBe('cpus:1.5;cpus(web):2;mem:128');
    expect(r.scalar('cpus')).toBe(3500);
    expect(r.unreserved().scalar('cpus')).toBe(1500);
    expect(r.reserved('web').scalar('cpus')).toBe(2000);
  });

  it('adds 0.1 cpus three times to exactly 0.3', () => {
    const tenth = res('cpus:0.1');
    expect(tenth.plus(tenth).plus(tenth).equals(res('cpus:0.3'))).toBe(true);
  });

  it.each([
    ['cpus:2;mem:512', 'cpus:1', true],
    ['cpus:2;mem:512', 'cpus:2.001', false],
    ['cpus:2', 'cpus(web):1', false], // reserved resources are a different kind
    ['ports:[31000-32000]', 'ports:[31000-31000,31999-32000]', true],
    ['ports:[31000-32000]', 'ports:[30999-31000]', false],
    ['zones:{a,b}', 'zones:{b}', true],
  ])('%s contains %s: %s', (outer, inner, expected) => {
    expect(res(outer).contains(res(inner))).toBe(expected);
  });

  it('refuses to subtract what is not there (no silent over-commit)', () => {
    expect(() => res('cpus:1').minus(res('cpus:2'))).toThrow(RangeError);
    expect(res('cpus:1').tryMinus(res('mem:1'))).toBeUndefined();
  });

  it('subtracts ports and scalars exactly', () => {
    const left = res('cpus:24;mem:4096;ports:[31000-32000]').minus(res('cpus:16;ports:[31000-31009]'));
    expect(left.toString()).toBe('cpus:8;mem:4096;ports:[31010-32000]');
  });

  it('flattens reservations away and re-reserves for a role', () => {
    const reserved = res('cpus(web):2;mem:64');
    expect(reserved.flatten().toString()).toBe('cpus:2;mem:64');
    const dyn = res('cpus:1').reservedAs(dynamicReservation('db', 'alice'));
    expect(dyn.items[0]?.reservation).toEqual({ role: 'db', type: 'dynamic', principal: 'alice' });
  });

  it('allocates a parent role reservation to its descendants only', () => {
    const r = res('cpus(team-a):1;cpus(team-b):1;cpus:1');
    expect(r.allocatableTo('team-a/web').scalar('cpus')).toBe(2000);
    expect(r.allocatableTo('team-ab').scalar('cpus')).toBe(1000);
    expect(r.reservedWithin('team-a').scalar('cpus')).toBe(1000);
  });

  it('shrinks scalars to a limit, keeping reserved quantities first', () => {
    const r = res('cpus(web):1;cpus:3;mem:100;ports:[1-2]');
    expect(r.shrinkScalars(new Map([['cpus', 2000]])).toString()).toBe('cpus:1;cpus(web):1;mem:100;ports:[1-2]');
    expect(r.shrinkScalars(new Map([['cpus', 0], ['mem', 0]])).toString()).toBe('ports:[1-2]');
  });

  it('treats persistent volumes as atomic', () => {
    const vol = Resources.of([
      scalar('disk', 100, { reservation: dynamicReservation('db'), volume: { id: 'v1', containerPath: 'data', mode: 'RW' } }),
    ]);
    expect(vol.contains(vol)).toBe(true);
    expect(vol.minus(vol).isEmpty()).toBe(true);
    const half = Resources.of([
      scalar('disk', 50, { reservation: dynamicReservation('db'), volume: { id: 'v1', containerPath: 'data', mode: 'RW' } }),
    ]);
    expect(vol.contains(half)).toBe(false);
    expect(() => vol.plus(vol)).toThrow(RangeError);
  });

  it.each(['cpus:-1', 'cpus:abc', 'ports:[5-1]', 'ports:[1-2', ':3'])('rejects malformed text %s as a value', (text) => {
    expect(parseResources(text).ok).toBe(false);
  });

  // Generators for the algebraic laws: small vocabularies so that collisions happen.
  const arbResource = fc.oneof(
    fc.record({ n: fc.constantFrom('cpus', 'mem'), v: fc.integer({ min: 1, max: 5000 }), role: fc.constantFrom(undefined, 'web') }).map(({ n, v, role }) =>
      scalar(n, v / 1000, role ? { reservation: dynamicReservation(role) } : undefined),
    ),
    fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 5 })).map(([b, l]) => ranges('ports', [[b, b + l]])),
  );
  const arbResources = fc.array(arbResource, { maxLength: 6 }).map((xs) => Resources.of(xs));

  it('property: (a + b) − b = a, a + b ⊇ a, and a + b = b + a', () => {
    fc.assert(
      fc.property(arbResources, arbResources, (a, b) => {
        const sum = a.plus(b);
        expect(sum.contains(a)).toBe(true);
        expect(sum.contains(b)).toBe(true);
        expect(sum.equals(b.plus(a))).toBe(true);
        // Ranges are sets, so (a + b) − b = a only holds when they are disjoint; scalars always.
        const scalarsOnly = (r: Resources) => r.filter((x) => x.type === 'scalar');
        expect(scalarsOnly(sum).minus(scalarsOnly(b)).equals(scalarsOnly(a))).toBe(true);
        expect(sum.minus(a).plus(a).equals(sum)).toBe(true);
      }),
    );
  });
});
