import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { placeInstances, type RejectionSummary } from '../placement/pipeline.js';
import type { Constraint, PlacedInstance, PlacementCandidate } from '../placement/types.js';
import { candidate } from '../testing/placement-builders.js';
import { aService } from '../testing/service-builders.js';
import { matchOffers, placementRequestFor, type ServicePlacementRequest } from './match-offers.js';
import type { ServiceSpec } from './types.js';

function toPlaced(c: PlacementCandidate): PlacedInstance {
  return {
    agentId: c.agentId,
    hostname: c.hostname,
    ...(c.region !== undefined ? { region: c.region } : {}),
    ...(c.zone !== undefined ? { zone: c.zone } : {}),
    ...(c.attributes !== undefined ? { attributes: c.attributes } : {}),
  };
}

/** The slow, obviously right version: `placeInstances` for each turn, in round-robin order. */
function reference(requests: readonly ServicePlacementRequest[], candidates: readonly PlacementCandidate[], chunkSize: number) {
  let pool = candidates.slice();
  const apps = requests.filter((r) => r.count > 0).map((r) => ({ spec: r.spec, remaining: r.count, placed: r.placed.slice() }));
  const launches: { appId: string; candidateId: string; resources: string; hostPorts: readonly number[] }[] = [];
  const unplaced = new Map<string, number>();
  const rejections = new Map<string, RejectionSummary>();
  let active = apps;
  while (active.length > 0) {
    const next: typeof apps = [];
    for (const a of active) {
      const r = placeInstances(placementRequestFor(a.spec), Math.min(chunkSize, a.remaining), pool, a.placed);
      for (const p of r.placements) {
        launches.push({ appId: a.spec.id, candidateId: p.candidateId, resources: p.resources.toString(), hostPorts: p.hostPorts });
        a.placed.push(toPlaced(pool.find((c) => c.id === p.candidateId)!));
      }
      pool = r.remaining.slice();
      a.remaining -= r.placements.length;
      if (r.unplaced > 0) {
        unplaced.set(a.spec.id, a.remaining);
        rejections.set(a.spec.id, r.summary!);
        a.remaining = 0;
      }
      if (a.remaining > 0) next.push(a);
    }
    active = next;
  }
  return { launches, unplaced, rejections };
}

const show = (r: ReturnType<typeof matchOffers>) => ({
  launches: r.launches.map((l) => ({ appId: l.appId, candidateId: l.candidateId, resources: l.resources.toString(), hostPorts: l.hostPorts })),
  unplaced: r.unplaced,
  rejections: r.rejections,
});

describe('matchOffers', () => {
  it('bin-packs an app onto the fullest agent that fits, with host ports from the pipeline', () => {
    const offers = [candidate('big').res('cpus:8;mem:8192;ports:[31000-31010]').obj(), candidate('small').res('cpus:1;mem:1024;ports:[31000-31010]').obj()];
    const spec = aService().id('/web').resources(0.5, 256).ports([0]).build();
    const r = matchOffers([{ spec, count: 3, placed: [] }], offers);
    expect(r.launches.map((l) => [l.candidateId, l.hostPorts])).toEqual([
      ['offer-small', [31000]],
      ['offer-small', [31001]],
      ['offer-big', [31000]],
    ]);
    expect(r.launches[0]!.resources.toString()).toBe('cpus:0.5;mem:256;ports:[31000-31000]');
    expect(r.unplaced.size).toBe(0);
  });

  it('shares offers between apps: each placement shrinks what later apps see', () => {
    const offers = [candidate('a').res('cpus:2;mem:2048').obj()];
    const one = aService().id('/one').resources(1, 512).build();
    const two = aService().id('/two').resources(1, 512).build();
    const r = matchOffers([{ spec: one, count: 2, placed: [] }, { spec: two, count: 2, placed: [] }], offers, { chunkSize: 1 });
    // Round-robin one instance each: /one, /two, then nothing is left.
    expect(r.launches.map((l) => l.appId)).toEqual(['/one', '/two']);
    expect([...r.unplaced]).toEqual([
      ['/one', 1],
      ['/two', 1],
    ]);
    expect(r.rejections.get('/one')!.byFunnel).toEqual({ InsufficientCpus: 1 });
  });

  it('is fair: an app with many pending instances does not starve the others in one round', () => {
    const offers = Array.from({ length: 10 }, (_, i) => candidate(`ag${i}`).res('cpus:1;mem:1024').obj());
    const big = aService().id('/big').resources(0.1, 64).build();
    const small = aService().id('/small').resources(0.1, 64).build();
    const r = matchOffers([{ spec: big, count: 10_000, placed: [] }, { spec: small, count: 5, placed: [] }], offers, { chunkSize: 8 });
    expect(r.launches.filter((l) => l.appId === '/small')).toHaveLength(5);
    expect(r.launches).toHaveLength(100); // 10 × 10 cpus slots
    expect(r.unplaced.get('/big')).toBe(10_000 - 95);
  });

  it('honours constraints against placed instances and the batch itself', () => {
    const offers = ['a', 'b', 'c'].flatMap((z) => [1, 2].map((k) => candidate(`${z}${k}`).zone(z).res('cpus:4;mem:4096').obj()));
    const spec = aService().id('/db').constraint('hostname', 'UNIQUE').constraint('@zone', 'GROUP_BY', '3').build();
    const placed = [candidate('a1').zone('a').placed()];
    const r = matchOffers([{ spec, count: 5, placed }], offers);
    expect(r.launches.map((l) => l.agentId).sort()).toEqual(['a2', 'b1', 'b2', 'c1', 'c2']);
    expect(r.unplaced.size).toBe(0);
  });

  it('explains only the first explainLimit unplaced apps', () => {
    const offers = [candidate('a').res('cpus:1;mem:128').obj()];
    const specs = [1, 2, 3].map((k) => aService().id(`/app${k}`).resources(2, 64).build());
    const r = matchOffers(
      specs.map((spec) => ({ spec, count: 1, placed: [] })),
      offers,
      { explainLimit: 2 },
    );
    expect([...r.unplaced.keys()]).toEqual(['/app1', '/app2', '/app3']);
    expect([...r.rejections.keys()]).toEqual(['/app1', '/app2']);
  });

  it('shares one heap between apps of the same shape and still equals placeInstances', () => {
    const offers = Array.from({ length: 12 }, (_, i) =>
      candidate(`ag${String(i).padStart(2, '0')}`)
        .zone('abc'[i % 3]!)
        .res(`cpus:${1 + (i % 4)};mem:${512 * (1 + (i % 3))};ports:[31000-31003]`)
        .obj(),
    );
    const same = [1, 2, 3].map((k) => aService().id(`/same${k}`).resources(0.5, 256).ports([0]).build());
    const constrained = aService().id('/spread').resources(0.5, 256).ports([0]).constraint('@zone', 'GROUP_BY').build();
    const requests = [...same, constrained].map((spec) => ({ spec, count: 9, placed: [] }));
    for (const chunkSize of [1, 2, 5]) {
      const fast = show(matchOffers(requests, offers, { chunkSize, explainLimit: Infinity }));
      const slow = reference(requests, offers, chunkSize);
      expect(fast.launches).toEqual(slow.launches);
      expect(fast.unplaced).toEqual(slow.unplaced);
      expect(fast.rejections).toEqual(slow.rejections);
    }
  });

  it('property: equals placeInstances turn by turn (same offers, scores, ports, tie-breaks, summaries)', () => {
    const zones = ['a', 'b', 'c'];
    const racks = ['r1', 'r2'];
    const arbOffer = fc.record({
      cpus: fc.integer({ min: 0, max: 8 }),
      mem: fc.integer({ min: 0, max: 8 }),
      ports: fc.integer({ min: 0, max: 3 }),
      zone: fc.option(fc.constantFrom(...zones), { nil: undefined }),
      rack: fc.option(fc.constantFrom(...racks), { nil: undefined }),
      reserved: fc.option(fc.constantFrom('db', 'web'), { nil: undefined }),
      draining: fc.boolean(),
      total: fc.boolean(),
    });
    const arbConstraint: fc.Arbitrary<Constraint> = fc.oneof(
      fc.constant<Constraint>({ field: 'hostname', operator: 'UNIQUE' }),
      fc.constant<Constraint>({ field: '@zone', operator: 'UNIQUE' }),
      fc.constantFrom<Constraint>({ field: '@zone', operator: 'GROUP_BY' }, { field: '@zone', operator: 'GROUP_BY', value: '3' }, { field: 'rack', operator: 'GROUP_BY', value: '2' }),
      fc.constantFrom<Constraint>({ field: 'rack', operator: 'MAX_PER', value: '2' }, { field: 'hostname', operator: 'MAX_PER', value: '1' }),
      fc.constantFrom<Constraint>({ field: '@zone', operator: 'CLUSTER' }, { field: 'rack', operator: 'CLUSTER', value: 'r2' }),
      fc.constantFrom<Constraint>({ field: '@zone', operator: 'LIKE', value: 'a|b' }, { field: 'rack', operator: 'UNLIKE', value: 'r1' }, { field: 'rack', operator: 'IS', value: 'r2' }),
    );
    const arbApp = fc.record({
      cpus: fc.integer({ min: 0, max: 4 }),
      mem: fc.integer({ min: 1, max: 4 }),
      count: fc.integer({ min: 0, max: 6 }),
      ports: fc.constantFrom<number[]>([], [0], [0, 0], [31001], [31001, 0]),
      requirePorts: fc.boolean(),
      role: fc.constantFrom('*', 'db', 'web'),
      accepted: fc.option(fc.constantFrom(['*'], ['db'], ['*', 'web']), { nil: undefined }),
      constraints: fc.array(arbConstraint, { maxLength: 2 }),
      placed: fc.array(fc.nat(9), { maxLength: 3 }),
    });
    const seen = { launches: 0, unplaced: 0, constrained: 0 };
    fc.assert(
      fc.property(fc.array(arbOffer, { minLength: 1, maxLength: 10 }), fc.array(arbApp, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 4 }), (offerRows, appRows, chunkSize) => {
        const offers = offerRows.map((o, i) => {
          const reserved = o.reserved ? `;cpus(${o.reserved}):1;mem(${o.reserved}):256` : '';
          const ports = o.ports > 0 ? `;ports:[31000-${31000 + o.ports - 1}]` : '';
          let b = candidate(`ag${i}`).res(`cpus:${o.cpus / 2};mem:${o.mem * 128}${ports}${reserved}`);
          if (o.zone) b = b.zone(o.zone);
          if (o.rack) b = b.attr('rack', o.rack);
          if (o.draining) b = b.mode('DRAINING');
          if (o.total) b = b.total('cpus:8;mem:2048');
          return b.obj();
        });
        const requests = appRows.map((a, k) => {
          let s = aService()
            .id(`/app${k}`)
            .resources(a.cpus / 4, a.mem * 64)
            .ports(a.ports, a.requirePorts)
            .role(a.role, a.accepted);
          for (const c of a.constraints) s = s.constraint(c.field, c.operator, c.value);
          const spec: ServiceSpec = s.build();
          const placed = a.placed.filter((p) => p < offers.length).map((p) => toPlaced(offers[p]!));
          return { spec, count: a.count, placed };
        });
        const fast = show(matchOffers(requests, offers, { chunkSize, explainLimit: Infinity }));
        const slow = reference(requests, offers, chunkSize);
        expect(fast.launches).toEqual(slow.launches);
        expect(fast.unplaced).toEqual(slow.unplaced);
        expect(fast.rejections).toEqual(slow.rejections);
        seen.launches += slow.launches.length;
        seen.unplaced += slow.unplaced.size;
        seen.constrained += slow.launches.filter((l) => requests.find((r) => r.spec.id === l.appId)!.spec.constraints.length > 0).length;
      }),
      { numRuns: 300 },
    );
    // Not vacuous: the generator places instances, constrained ones too, and fails some.
    expect(seen.launches).toBeGreaterThan(300);
    expect(seen.constrained).toBeGreaterThan(100);
    expect(seen.unplaced).toBeGreaterThan(50);
  });
});
