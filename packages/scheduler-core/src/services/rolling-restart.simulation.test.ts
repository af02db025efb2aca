/**
 * Rolling restarts driven to completion over virtual time: the harness plays runtime and
 * agents (instances start, turn healthy, turn ready, end when killed), reconcileService
 * decides every tick. Every step is checked against the upgrade strategy's bounds.
 */
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../random/seeded-random.js';
import { ServiceHarness, type HarnessStep } from '../testing/service-harness.js';
import { aService, runningInstances, V1, V2 } from '../testing/service-builders.js';
import { viewInstance } from './instance-view.js';
import { restartBounds } from './restart-strategy.js';
import type { ServiceSpec } from './types.js';

const TIMEOUT = 300_000;

/** Healthy-and-ready live instances before a step's decision, and after its kills. */
function healthyAround(spec: ServiceSpec, step: HarnessStep) {
  const gone = new Set([...step.decision.kill.map((k) => k.taskId), ...step.decision.expunge]);
  const views = step.before.map((i) => viewInstance(i, spec, step.now, TIMEOUT));
  const before = views.filter((v) => v.healthyReady).length;
  const after = views.filter((v) => v.healthyReady && !gone.has(v.instance.taskId)).length;
  const liveAfter = views.filter((v) => v.live && !gone.has(v.instance.taskId)).length;
  return { before, after, liveAfter };
}

function checkBounds(spec: ServiceSpec, steps: readonly HarnessStep[]): void {
  const { minHealthy, maxCapacity } = restartBounds(spec);
  for (const step of steps) {
    const h = healthyAround(spec, step);
    expect(h.after, `t=${step.now}: healthy fell below minHealthy`).toBeGreaterThanOrEqual(Math.min(h.before, minHealthy));
    expect(h.liveAfter + step.decision.launch, `t=${step.now}: over maxCapacity`).toBeLessThanOrEqual(maxCapacity);
  }
}

/** One line per step that did something: `t kill… launch n [done]`. */
function trace(steps: readonly HarnessStep[]): string[] {
  return steps
    .filter((s) => s.decision.kill.length + s.decision.launch > 0 || s.decision.actionComplete)
    .map((s) => `${s.now / 1000}s${s.decision.kill.map((k) => ` kill ${k.taskId}`).join('')}${s.decision.launch ? ` launch ${s.decision.launch}` : ''}${s.decision.actionComplete ? ' done' : ''}`);
}

describe('rolling restart simulation', () => {
  it('replaces 5 instances keeping ⌈5 × 0.6⌉ = 3 healthy and at most ⌊5 × 1.2⌋ = 6 live', () => {
    const spec = aService().id('/web').config(V2).instances(5).healthChecked().readinessChecked().upgrade(0.6, 0.2).build();
    const old = runningInstances(5, { config: V1, healthy: true, ready: true });
    const h = new ServiceHarness(spec, old);
    const steps = h.runUntilComplete('RestartApplication', 1_000, 200);
    expect(steps).toBeGreaterThan(0);
    checkBounds(spec, h.steps);
    // New instances run 2 s after launch, are healthy 3 s later, ready 1 s after that.
    //  0s  H = 5 old > 3: two old go; 3 live + 2 kills in flight → room for 1 new
    //  1s  kills done: 3 old + 1 new live → 2 more new (6 live)
    //  6s  new #1 ready: H = 4 → one old goes (in flight: no launch)
    //  7s  new #2, #3 ready: H = 5 → the last two old go; 3 new + 2 in flight → 1 new
    //  8s  kills done: 4 new → the 5th
    // 14s  all 5 new healthy and ready
    expect(trace(h.steps)).toEqual([
      '0s kill old.004 kill old.003 launch 1',
      '1s launch 2',
      '6s kill old.002',
      '7s kill old.001 kill old.000 launch 1',
      '8s launch 1',
      '14s done',
    ]);
    expect(h.instances.every((i) => i.configVersion === V2 && i.state === 'TASK_RUNNING' && i.healthy && i.ready)).toBe(true);
    expect(h.instances).toHaveLength(5);
  });

  it('makes progress with minHealthy == maxCapacity == instances (one instance of over-capacity)', () => {
    const spec = aService().id('/db').config(V2).instances(3).healthChecked().upgrade(1, 0).build();
    const h = new ServiceHarness(spec, runningInstances(3, { config: V1, healthy: true }));
    expect(h.runUntilComplete('RestartApplication', 1_000, 200)).toBeGreaterThan(0);
    checkBounds(spec, h.steps);
    // Never more than 4 live, never fewer than 3 healthy: one new, one old out, and again.
    expect(trace(h.steps)).toEqual([
      '0s launch 1',
      '5s kill old.002',
      '6s launch 1',
      '11s kill old.001',
      '12s launch 1',
      '17s kill old.000',
      '18s done',
    ]);
  });

  it('kills everything at once with minimumHealthCapacity 0 and no over-capacity', () => {
    const spec = aService().id('/batchy').config(V2).instances(4).upgrade(0, 0).build();
    const h = new ServiceHarness(spec, runningInstances(4, { config: V1 }));
    expect(h.runUntilComplete('RestartApplication', 1_000, 50)).toBeGreaterThan(0);
    expect(trace(h.steps)[0]).toBe('0s kill old.003 kill old.002 kill old.001 kill old.000');
    checkBounds(spec, h.steps);
  });

  it('completes for any strategy and timing (200 seeded runs), within the bounds at every step', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = new SeededRandom(seed);
      const n = r.between(1, 12);
      const spec = aService()
        .id(`/seed-${seed}`)
        .config(V2)
        .instances(n)
        .healthChecked(r.chance(0.7))
        .readinessChecked(r.chance(0.4))
        .upgrade(r.pick([0, 0.25, 0.5, 0.6, 0.75, 1]), r.pick([0, 0.1, 0.2, 0.5, 1]))
        .killSelection(r.pick(['YOUNGEST_FIRST', 'OLDEST_FIRST'] as const))
        .build();
      const old = runningInstances(r.between(0, n + 3), { config: V1, healthy: spec.healthChecked ? true : null });
      const h = new ServiceHarness(spec, old, { seed, timing: { jitter: 1 } });
      const steps = h.runUntilComplete('RestartApplication', r.pick([250, 1_000, 3_000]), 2_000);
      expect(steps, `seed ${seed} did not complete`).toBeGreaterThan(0);
      checkBounds(spec, h.steps);
      expect(h.instances.filter((i) => i.state !== 'TASK_KILLED').every((i) => i.configVersion === V2)).toBe(true);
    }
  });
});
