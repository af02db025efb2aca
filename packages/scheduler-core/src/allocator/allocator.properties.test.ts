/**
 * Property tests (fast-check) of the allocator's invariants over random clusters.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isAllocatableTo } from '../resources/resource.js';
import { scalars } from '../resources/scalars.js';
import { makeAgent, makeFramework, recordingAllocator } from '../testing/builders.js';

const ROLES = ['a', 'b', 'c/x', 'c/y'];

const arbCluster = fc.record({
  agents: fc.array(
    fc.record({ cpus: fc.integer({ min: 1, max: 16 }), mem: fc.integer({ min: 1, max: 64 }), reservedFor: fc.option(fc.constantFrom(...ROLES, 'c'), { nil: undefined }) }),
    { minLength: 1, maxLength: 12 },
  ),
  weights: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: ROLES.length, maxLength: ROLES.length }),
  seed: fc.integer({ min: 0, max: 1000 }),
});

type Cluster = typeof arbCluster extends fc.Arbitrary<infer T> ? T : never;

function build(cluster: Cluster) {
  const { allocator, offers } = recordingAllocator({ seed: cluster.seed, shuffleAgents: true });
  ROLES.forEach((r, i) => {
    allocator.setWeight(r, cluster.weights[i]!);
    allocator.addFramework(makeFramework(`fw-${r}`, [r]));
  });
  cluster.agents.forEach((a, i) => {
    const reserved = a.reservedFor ? `;cpus(${a.reservedFor}):1;mem(${a.reservedFor}):512` : '';
    allocator.addAgent(makeAgent(`ag${i}`, `cpus:${a.cpus};mem:${a.mem * 256}${reserved}`));
  });
  return { allocator, offers };
}

describe('allocator properties', () => {
  it('never over-commits an agent and never offers a reservation to another role', () => {
    fc.assert(
      fc.property(arbCluster, fc.array(fc.tuple(fc.nat(), fc.boolean(), fc.integer({ min: 0, max: 10 })), { maxLength: 20 }), (cluster, answers) => {
        const { allocator, offers } = build(cluster);
        let now = 0;
        for (const [pick, decline, refuse] of [[0, false, 0] as const, ...answers]) {
          allocator.allocate(now);
          const made = offers.lastAll();
          for (const o of made) {
            for (const r of o.resources.items) expect(isAllocatableTo(r, o.role)).toBe(true);
          }
          // Answer one offer: decline it (with a filter) or keep half of its cpus.
          const o = made[pick % Math.max(1, made.length)];
          if (o) {
            if (decline) allocator.recoverResources(o.frameworkId, o.role, o.agentId, o.resources, refuse, now);
            else allocator.recoverResources(o.frameworkId, o.role, o.agentId, o.resources.filter((r) => r.name !== 'cpus' || !!r.reservation), 0, now);
          }
          for (const id of allocator.agentIds()) {
            const a = allocator.agent(id)!;
            const sum = allocator.allocationsOn(id).reduce((acc, h) => acc.plus(h.resources), a.unallocated);
            expect(sum.equals(a.total)).toBe(true);
          }
          now += 1000;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('serves every role below its guarantee before anyone above their fair share', () => {
    // Guarantees sum to at most half the cluster; one round from empty must satisfy all
    // of them, whatever the weights and however greedy the non-quota roles are.
    fc.assert(
      fc.property(arbCluster, fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 2 }), (cluster, guaranteeCpus) => {
        const { allocator } = build({ ...cluster, agents: cluster.agents.map((a) => ({ ...a, reservedFor: undefined })) });
        const totalCpus = cluster.agents.reduce((s, a) => s + a.cpus, 0);
        const quotaRoles = ['b', 'c/x'];
        const scale = Math.max(1, Math.ceil((guaranteeCpus[0]! + guaranteeCpus[1]!) / (totalCpus / 2)));
        quotaRoles.forEach((r, i) => {
          const g = Math.floor(guaranteeCpus[i]! / scale);
          if (g > 0) expect(allocator.setQuota(r, { guarantee: scalars({ cpus: g }), limit: new Map() }).ok).toBe(true);
        });
        allocator.allocate(0);
        for (const r of quotaRoles) {
          const q = allocator.quota(r);
          if (!q) continue;
          expect(allocator.consumedQuota(r).get('cpus') ?? 0).toBeGreaterThanOrEqual(q.guarantee.get('cpus')!);
        }
        expect(allocator.requiredHeadroom().get('cpus') ?? 0).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('does not re-offer declined resources within refuseSeconds', () => {
    fc.assert(
      fc.property(arbCluster, fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 40_000 }), (cluster, refuse, later) => {
        const { allocator, offers } = build(cluster);
        allocator.allocate(0);
        const declined = offers.lastAll();
        for (const o of declined) allocator.recoverResources(o.frameworkId, o.role, o.agentId, o.resources, refuse, 0);
        allocator.allocate(later);
        for (const o of offers.lastAll()) {
          const before = declined.find((d) => d.frameworkId === o.frameworkId && d.agentId === o.agentId && d.role === o.role);
          if (before && later < refuse * 1000) expect(before.resources.contains(o.resources)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('shares the cluster in proportion to weights under contention (hand-checked tally)', () => {
    // 12 identical agents, roles w1 and w2 with weights 1 and 2, each always wanting more.
    // One round from empty: w2 should end with 8 agents, w1 with 4 (shares 4/12 = 8/12 ÷ 2).
    const { allocator, offers } = recordingAllocator();
    allocator.setWeight('w2', 2);
    allocator.addFramework(makeFramework('f1', ['w1']));
    allocator.addFramework(makeFramework('f2', ['w2']));
    for (let i = 0; i < 12; i++) allocator.addAgent(makeAgent(`a${String(i).padStart(2, '0')}`, 'cpus:1;mem:100'));
    allocator.allocate(0);
    expect(offers.last('f1')).toHaveLength(4);
    expect(offers.last('f2')).toHaveLength(8);
  });
});
