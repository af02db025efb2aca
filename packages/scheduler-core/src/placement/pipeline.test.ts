import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { res } from '../resources/parse.js';
import { dynamicReservation } from '../resources/resource.js';
import { candidate } from '../testing/placement-builders.js';
import { placeInstances, placeOne } from './pipeline.js';
import type { PlacementRequest } from './types.js';

const web: PlacementRequest = { runSpecId: '/web', cpus: 1, mem: 512 };

describe('placement pipeline', () => {
  it('summarises why nothing fits, per candidate and per reason (NoOfferMatchReason)', () => {
    const candidates = [
      candidate('small').res('cpus:0.5;mem:256').obj(), // cpus and mem short
      candidate('nomem').res('cpus:4;mem:100').obj(), // mem short
      candidate('drain').mode('DRAINING').obj(), // agent maintenance
      candidate('zoneb').zone('b').obj(), // constraint
    ];
    const { placement, summary } = placeOne({ ...web, constraints: [{ field: '@zone', operator: 'LIKE', value: 'a' }] }, candidates, []);
    expect(placement).toBeUndefined();
    // Headline per candidate (funnel order): maintenance before constraints before resources.
    expect(summary.byFunnel).toEqual({ UnfulfilledConstraint: 3, AgentMaintenance: 1 });
    expect(summary.byReason).toMatchObject({ UnfulfilledConstraint: 4, InsufficientCpus: 1, InsufficientMemory: 2, AgentMaintenance: 1 });
    const small = summary.candidates.find((c) => c.agentId === 'small')!;
    expect(small.reason).toBe('UnfulfilledConstraint');
    expect(small.rejections.map((r) => r.reason)).toEqual(['UnfulfilledConstraint', 'InsufficientCpus', 'InsufficientMemory']);
  });

  it('assigns dynamic host ports from the lowest free ones and fixed ports when required', () => {
    const c = candidate('h').res('cpus:4;mem:4096;ports:[31000-31002,32000-32000]').obj();
    const dyn = placeOne({ ...web, ports: [0, 0] }, [c], []).placement!;
    expect(dyn.hostPorts).toEqual([31000, 31001]);
    expect(dyn.resources.toString()).toBe('cpus:1;mem:512;ports:[31000-31001]');
    const fixed = placeOne({ ...web, ports: [32000, 0], requirePorts: true }, [c], []).placement!;
    expect(fixed.hostPorts).toEqual([32000, 31000]);
    // Without requirePorts a non-zero port is a service port: the host port is dynamic.
    expect(placeOne({ ...web, ports: [8080] }, [c], []).placement!.hostPorts).toEqual([31000]);
    const missing = placeOne({ ...web, ports: [8080], requirePorts: true }, [c], []);
    expect(missing.summary.byFunnel).toEqual({ InsufficientPorts: 1 });
    expect(placeOne({ ...web, ports: [0, 0, 0, 0, 0] }, [c], []).summary.byFunnel).toEqual({ InsufficientPorts: 1 });
  });

  it("uses only accepted roles' resources and reports UnfulfilledRole", () => {
    const reserved = candidate('h').role('db').res('cpus(db):2;mem(db):1024').obj();
    expect(placeOne(web, [reserved], []).summary.byFunnel).toEqual({ UnfulfilledRole: 1 });
    const p = placeOne({ ...web, role: 'db' }, [reserved], []).placement!;
    expect(p.resources.toString()).toBe('cpus(db):1;mem(db):512');
  });

  it('lands a resident instance only on its own labelled reservation', () => {
    const mine = res('cpus:1;mem:512').reservedAs(dynamicReservation('db', 'ops', { instance: 'db-1' }));
    const theirs = res('cpus:1;mem:512').reservedAs(dynamicReservation('db', 'ops', { instance: 'db-2' }));
    const request = { ...web, role: 'db', acceptedResourceRoles: ['db'], reservationLabels: { instance: 'db-1' } };
    const r = placeOne(request, [candidate('a').res(theirs).obj(), candidate('b').res(mine).obj()], []);
    expect(r.placement?.agentId).toBe('b');
    expect(r.summary.byFunnel).toEqual({ NoCorrespondingReservationFound: 1 });
  });

  it('bin-packs onto the fuller agent, spreads onto the emptier one', () => {
    const full = candidate('full').res('cpus:1.5;mem:600').total('cpus:8;mem:8192').obj();
    const empty = candidate('empty').res('cpus:8;mem:8192').total('cpus:8;mem:8192').obj();
    expect(placeOne({ ...web, ranking: 'binpack' }, [empty, full], []).placement?.agentId).toBe('full');
    expect(placeOne({ ...web, ranking: 'spread' }, [full, empty], []).placement?.agentId).toBe('empty');
  });

  it('sees earlier instances of the same batch: UNIQUE hostname places one per host', () => {
    const hosts = ['a', 'b', 'c'].map((h) => candidate(h).obj());
    const batch = placeInstances({ ...web, constraints: [{ field: 'hostname', operator: 'UNIQUE' }] }, 5, hosts, []);
    expect(batch.placements.map((p) => p.agentId).sort()).toEqual(['a', 'b', 'c']);
    expect(batch.unplaced).toBe(2);
    expect(batch.summary?.byFunnel).toEqual({ UnfulfilledConstraint: 3 });
  });

  it('GROUP_BY zone spreads a batch evenly over zones', () => {
    const hosts = ['a', 'b', 'c'].flatMap((z) => [1, 2, 3].map((i) => candidate(`${z}${i}`).zone(z).res('cpus:8;mem:8192').obj()));
    const batch = placeInstances({ ...web, constraints: [{ field: '@zone', operator: 'GROUP_BY', value: '3' }] }, 6, hosts, []);
    const perZone = new Map<string, number>();
    for (const p of batch.placements) perZone.set(p.agentId[0]!, (perZone.get(p.agentId[0]!) ?? 0) + 1);
    expect([...perZone.values()]).toEqual([2, 2, 2]);
  });

  it('property: a batch never over-commits a candidate and honours MAX_PER', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ cpus: fc.integer({ min: 0, max: 8 }), mem: fc.integer({ min: 0, max: 4096 }), rack: fc.constantFrom('r1', 'r2', 'r3') }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 3 }),
        (agents, count, maxPer) => {
          const cands = agents.map((a, i) => candidate(`h${i}`).attr('rack', a.rack).res(`cpus:${a.cpus};mem:${a.mem};ports:[1-3]`).obj());
          const batch = placeInstances({ ...web, ports: [0], constraints: [{ field: 'rack', operator: 'MAX_PER', value: String(maxPer) }] }, count, cands, []);
          const perRack = new Map<string, number>();
          const used = new Map<string, ReturnType<typeof res>>();
          for (const p of batch.placements) {
            const rack = String(cands.find((c) => c.agentId === p.agentId)!.attributes!.rack);
            perRack.set(rack, (perRack.get(rack) ?? 0) + 1);
            used.set(p.agentId, (used.get(p.agentId) ?? res('')).plus(p.resources));
          }
          for (const n of perRack.values()) expect(n).toBeLessThanOrEqual(maxPer);
          for (const [agentId, u] of used) expect(cands.find((c) => c.agentId === agentId)!.resources.contains(u)).toBe(true);
          expect(batch.placements.length + batch.unplaced).toBe(count);
        },
      ),
    );
  });
});
