/**
 * Safety invariants of reconcileService over random apps and instance sets (fast-check).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ServiceHarness } from '../testing/service-harness.js';
import { aService, V1, V2 } from '../testing/service-builders.js';
import { viewInstance } from './instance-view.js';
import { reconcileService } from './reconcile-service.js';
import { restartBounds } from './restart-strategy.js';
import type { DeploymentActionName, Instance, InstanceState, ReconcileInput, ServiceSpec } from './types.js';

const NOW = 10_000_000;
const STATES: InstanceState[] = [
  'TASK_STAGING',
  'TASK_STARTING',
  'TASK_RUNNING',
  'TASK_RUNNING',
  'TASK_RUNNING',
  'TASK_KILLING',
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_UNREACHABLE',
  'TASK_GONE',
  'TASK_UNKNOWN',
];

const arbSpec: fc.Arbitrary<ServiceSpec> = fc
  .record({
    instances: fc.integer({ min: 0, max: 8 }),
    mhc: fc.constantFrom(0, 0.25, 0.5, 0.6, 0.75, 1),
    moc: fc.constantFrom(0, 0.1, 0.25, 0.5, 1),
    healthChecked: fc.boolean(),
    readinessChecked: fc.boolean(),
    youngest: fc.boolean(),
    unreachable: fc.constantFrom<ServiceSpec['unreachableStrategy']>('disabled', { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 }, { inactiveAfterSeconds: 60, expungeAfterSeconds: 600 }),
  })
  .map((r) =>
    aService()
      .config(V2)
      .instances(r.instances)
      .upgrade(r.mhc, r.moc)
      .healthChecked(r.healthChecked)
      .readinessChecked(r.readinessChecked)
      .killSelection(r.youngest ? 'YOUNGEST_FIRST' : 'OLDEST_FIRST')
      .unreachable(r.unreachable)
      .build(),
  );

const arbInstances: fc.Arbitrary<Instance[]> = fc
  .array(
    fc.record({
      state: fc.constantFrom(...STATES),
      isNew: fc.boolean(),
      healthy: fc.constantFrom(true, true, false, null),
      ready: fc.constantFrom(true, false, null),
      stagedAgo: fc.integer({ min: 0, max: 600_000 }),
      unreachableAgo: fc.integer({ min: 0, max: 1_000_000 }),
      killRequested: fc.boolean(),
      launchedWithChecks: fc.option(fc.boolean(), { nil: undefined }),
    }),
    { maxLength: 12 },
  )
  .map((rows) =>
    rows.map((r, k) => ({
      taskId: `t${String(k).padStart(2, '0')}`,
      agentId: `ag${k % 4}`,
      hostname: `ag${k % 4}`,
      configVersion: r.isNew ? V2 : V1,
      state: r.state,
      healthy: r.healthy,
      ready: r.ready,
      stagedAt: NOW - r.stagedAgo,
      startedAt: r.state === 'TASK_STAGING' || r.state === 'TASK_STARTING' ? null : NOW - Math.floor(r.stagedAgo / 2),
      unreachableSince: r.state === 'TASK_UNREACHABLE' ? NOW - r.unreachableAgo : null,
      killRequestedAt: r.killRequested && r.state !== 'TASK_KILLING' ? NOW - 1 : null,
      ...(r.launchedWithChecks !== undefined ? { healthChecked: r.launchedWithChecks } : {}),
    })),
  );

const arbAction = fc.constantFrom<DeploymentActionName | null>(null, 'StartApplication', 'ScaleApplication', 'RestartApplication', 'StopApplication');
const arbBudget = fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined });

function input(spec: ServiceSpec, action: DeploymentActionName | null, instances: Instance[], budget?: number): ReconcileInput {
  return { spec, action, instances, delay: null, now: NOW, ...(budget !== undefined ? { unhealthyKillBudget: budget, unreachableReplacementBudget: budget } : {}) };
}

describe('reconcileService properties', () => {
  it('never kills an instance twice, nor a terminal one, and never both kills and expunges it', () => {
    fc.assert(
      fc.property(arbSpec, arbAction, arbInstances, arbBudget, (spec, action, instances, budget) => {
        const d = reconcileService(input(spec, action, instances, budget));
        const killed = d.kill.map((k) => k.taskId);
        expect(new Set(killed).size).toBe(killed.length);
        expect(new Set(d.expunge).size).toBe(d.expunge.length);
        expect(killed.filter((id) => d.expunge.includes(id))).toEqual([]);
        for (const id of killed) {
          const i = instances.find((x) => x.taskId === id)!;
          expect(i.state === 'TASK_KILLING' || i.killRequestedAt !== null, `${id} was already being killed`).toBe(false);
          expect(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_GONE', 'TASK_UNKNOWN'].includes(i.state)).toBe(false);
        }
        expect(d.launch).toBeGreaterThanOrEqual(0);
        if (action === 'StopApplication' || action === 'StartApplication') expect(d.launch).toBe(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is deterministic and does not depend on the order of the instances', () => {
    fc.assert(
      fc.property(arbSpec, arbAction, arbInstances, arbBudget, fc.func(fc.integer()), (spec, action, instances, budget, key) => {
        const d = reconcileService(input(spec, action, instances, budget));
        expect(reconcileService(input(spec, action, instances.map((i) => ({ ...i })), budget))).toEqual(d);
        const shuffled = [...instances].sort((a, b) => key(a.taskId) - key(b.taskId));
        expect(reconcileService(input(spec, action, shuffled, budget))).toEqual(d);
      }),
      { numRuns: 1_000 },
    );
  });

  it('during a RestartApplication, healthy live instances never drop below minHealthy unless they already were, and live never exceeds maxCapacity', () => {
    fc.assert(
      fc.property(arbSpec, arbInstances, arbBudget, (spec, instances, budget) => {
        fc.pre(spec.instances > 0);
        const d = reconcileService(input(spec, 'RestartApplication', instances, budget));
        const { minHealthy, maxCapacity } = restartBounds(spec);
        const gone = new Set([...d.kill.map((k) => k.taskId), ...d.expunge]);
        const views = instances.map((i) => viewInstance(i, spec, NOW, 300_000));
        const healthyBefore = views.filter((v) => v.healthyReady).length;
        const healthyAfter = views.filter((v) => v.healthyReady && !gone.has(v.instance.taskId)).length;
        const liveAfter = views.filter((v) => v.live && !gone.has(v.instance.taskId)).length;
        expect(healthyAfter).toBeGreaterThanOrEqual(Math.min(healthyBefore, minHealthy));
        expect(liveAfter + d.launch).toBeLessThanOrEqual(maxCapacity);
        // Only old instances are killed for the upgrade, except new ones beyond `instances`.
        const newUpgradingKills = d.kill.filter((k) => k.reason === 'Upgrading' && instances.find((i) => i.taskId === k.taskId)!.configVersion === V2);
        const newLive = views.filter((v) => v.live && v.isNew).length;
        expect(newUpgradingKills.length).toBeLessThanOrEqual(Math.max(0, newLive - spec.instances) + Math.max(0, views.filter((v) => v.live).length - maxCapacity));
      }),
      { numRuns: 3_000 },
    );
  });

  it('steady state converges to spec.instances live instances and then stays put', () => {
    fc.assert(
      fc.property(arbSpec, arbInstances, (spec, instances) => {
        // Instances of V1 and V2 alike; the harness ends kills after 1 s and starts launches after 2 s.
        const h = new ServiceHarness(spec, instances, { now: NOW });
        for (let s = 0; s < 6; s++) {
          h.step(null);
          h.advance(700_000); // past every launch timeout and unreachable timer
        }
        const live = h.instances.filter((i) => viewInstance(i, spec, h.now, 300_000).live);
        expect(live).toHaveLength(spec.instances);
        const settled = h.step(null);
        expect(settled).toMatchObject({ launch: 0, kill: [] });
      }),
      { numRuns: 1_000 },
    );
  });

  it('StopApplication ends with nothing left and completes', () => {
    fc.assert(
      fc.property(arbSpec, arbInstances, (spec, instances) => {
        const h = new ServiceHarness(spec, instances, { now: NOW });
        const steps = h.runUntilComplete('StopApplication', 2_000, 5);
        expect(steps).toBeGreaterThan(0);
        expect(h.instances.filter((i) => viewInstance(i, spec, h.now, 300_000).live)).toEqual([]);
      }),
      { numRuns: 500 },
    );
  });
});
