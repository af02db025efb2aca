import { describe, expect, it } from 'vitest';
import { aService, anInstance, runningInstances, V1, V2 } from '../testing/service-builders.js';
import { reconcileService } from './reconcile-service.js';
import type { Instance, ReconcileInput } from './types.js';

const NOW = 1_000_000;

function reconcile(input: Partial<ReconcileInput> & Pick<ReconcileInput, 'spec'>) {
  return reconcileService({ action: null, instances: [], delay: null, now: NOW, ...input });
}

const killed = (d: { kill: { taskId: string }[] }) => d.kill.map((k) => k.taskId);

describe('reconcileService — steady state', () => {
  it('launches what is missing and completes nothing', () => {
    const spec = aService().instances(3).build();
    const d = reconcile({ spec, instances: runningInstances(1) });
    expect(d).toMatchObject({ launch: 2, kill: [], expunge: [], actionComplete: true, delayedUntil: null, wakeAt: null });
  });

  it('replaces terminal instances and ignores killing ones as capacity', () => {
    const spec = aService().instances(3).build();
    const instances = [
      ...runningInstances(1),
      anInstance().task('dead').state('TASK_FAILED').build(),
      anInstance().task('dying').running(5).killRequested(NOW - 10).build(),
      anInstance().task('killing').state('TASK_KILLING').build(),
    ];
    const d = reconcile({ spec, instances });
    expect(d.launch).toBe(2);
    expect(d.kill).toEqual([]); // never killed twice
  });

  it('keeps instances of any config version: Marathon never restarts without a deployment', () => {
    const spec = aService().config(V2).instances(2).build();
    const d = reconcile({ spec, instances: runningInstances(2, { config: V1 }) });
    expect(d).toMatchObject({ launch: 0, kill: [] });
  });

  it('holds launches during the backoff and wakes when it ends', () => {
    const spec = aService().instances(2).build();
    const delay = { failures: 2, delayUntil: NOW + 1_150, configVersion: V1, referenceAt: NOW };
    const d = reconcile({ spec, instances: runningInstances(1), delay });
    expect(d).toMatchObject({ launch: 0, delayedUntil: NOW + 1_150, wakeAt: NOW + 1_150 });
    // A delay of another config version does not apply (a deployment resets it).
    expect(reconcile({ spec, instances: runningInstances(1), delay: { ...delay, configVersion: V2 } }).launch).toBe(1);
    // Nor one older than maxLaunchDelay since its reference (Marathon's cleanUpOverdueDelays).
    expect(reconcile({ spec, instances: runningInstances(1), delay: { ...delay, referenceAt: NOW - 301_000 } }).launch).toBe(1);
  });

  it('kills surplus unreachable first, then staging, then by killSelection among running', () => {
    const spec = aService().instances(2).unreachable({ inactiveAfterSeconds: 300, expungeAfterSeconds: 600 }).build();
    const instances = [
      anInstance().task('old').running(100).build(),
      anInstance().task('young').running(900).build(),
      anInstance().task('staging').staging(NOW - 5).build(),
      anInstance().task('lost').running(50).unreachableSince(NOW - 10).build(),
    ];
    const d = reconcile({ spec, instances });
    // The unreachable one cannot be reached by a kill: it is forgotten (Marathon's Decommission).
    expect(d.expunge).toEqual(['lost']);
    expect(d.kill).toEqual([{ taskId: 'staging', reason: 'ScalingApp' }]);
    const three = reconcile({ spec: { ...spec, instances: 1 }, instances: instances.slice(0, 2) });
    expect(killed(three)).toEqual(['young']);
    const oldest = reconcile({ spec: { ...spec, instances: 1, killSelection: 'OLDEST_FIRST' }, instances: instances.slice(0, 2) });
    expect(killed(oldest)).toEqual(['old']);
  });

  it('prefers killing instances of unknown health over healthy ones', () => {
    const spec = aService().instances(1).healthChecked().build();
    const instances = [anInstance().task('h').running(900).healthy().build(), anInstance().task('u').running(100).healthy(null).build()];
    expect(killed(reconcile({ spec, instances }))).toEqual(['u']);
  });

  it('kills the surplus when an agent comes back with its instances', () => {
    const spec = aService().instances(2).build();
    // Two replacements run; the returning agent's instances are RUNNING again.
    const instances = [
      anInstance().task('back-1').running(10).build(),
      anInstance().task('back-2').running(20).build(),
      anInstance().task('repl-1').running(5_000).build(),
      anInstance().task('repl-2').staging(NOW - 1).build(),
    ];
    const d = reconcile({ spec, instances });
    expect(d.kill).toEqual([
      { taskId: 'repl-2', reason: 'ScalingApp' },
      { taskId: 'repl-1', reason: 'ScalingApp' },
    ]);
    expect(d.launch).toBe(0);
  });
});

describe('reconcileService — unreachable strategy', () => {
  const strategy = { inactiveAfterSeconds: 60, expungeAfterSeconds: 600 };
  const spec = aService().instances(2).unreachable(strategy).build();
  const lost = (since: number) => anInstance().task('lost').running(1).unreachableSince(since).build();

  it('counts an unreachable instance as live until inactiveAfter, waking then', () => {
    const d = reconcile({ spec, instances: [...runningInstances(1), lost(NOW - 30_000)] });
    expect(d).toMatchObject({ launch: 0, expunge: [], wakeAt: NOW + 30_000 });
  });

  it('replaces it once inactive and forgets it after expungeAfter', () => {
    const inactive = reconcile({ spec, instances: [...runningInstances(1), lost(NOW - 60_000)] });
    expect(inactive).toMatchObject({ launch: 1, unreachableReplacements: 1, expunge: [], wakeAt: NOW + 540_000 });
    const gone = reconcile({ spec, instances: [...runningInstances(1), lost(NOW - 600_000)] });
    expect(gone).toMatchObject({ launch: 1, expunge: ['lost'], unreachableReplacements: 0 });
  });

  it('never replaces it with the strategy disabled (resident apps)', () => {
    const d = reconcile({ spec: { ...spec, unreachableStrategy: 'disabled' }, instances: [...runningInstances(1), lost(NOW - 3_600_000)] });
    expect(d).toMatchObject({ launch: 0, expunge: [], wakeAt: null });
  });

  it('limits replacements of unreachable instances to the budget, not other launches', () => {
    const instances = [lost(NOW - 60_000), { ...lost(NOW - 60_000), taskId: 'lost-2' }];
    const d = reconcile({ spec: { ...spec, instances: 4 }, instances, unreachableReplacementBudget: 1 });
    // 4 wanted, 0 live: 2 replace the unreachable ones (1 allowed), 2 are plain scale-up.
    expect(d).toMatchObject({ launch: 3, unreachableReplacements: 1 });
  });
});

describe('reconcileService — health and launch timeout', () => {
  it('kills health-failed instances as Unhealthy and replaces them, within the kill budget', () => {
    const spec = aService().instances(3).healthChecked().build();
    const instances = [
      anInstance().task('a').running(1).unhealthy().build(),
      anInstance().task('b').running(2).unhealthy().build(),
      anInstance().task('c').running(3).healthy().build(),
    ];
    const all = reconcile({ spec, instances });
    expect(all.kill).toEqual([
      { taskId: 'b', reason: 'Unhealthy' },
      { taskId: 'a', reason: 'Unhealthy' },
    ]);
    expect(all.launch).toBe(2);
    const limited = reconcile({ spec, instances, unhealthyKillBudget: 1 });
    expect(limited).toMatchObject({ kill: [{ taskId: 'b', reason: 'Unhealthy' }], launch: 1, unhealthyKillsHeld: 1 });
  });

  it('does not kill an unhealthy instance that is unreachable (Marathon performs no kill)', () => {
    const spec = aService().instances(1).healthChecked().unreachable({ inactiveAfterSeconds: 60, expungeAfterSeconds: 120 }).build();
    const d = reconcile({ spec, instances: [anInstance().running(1).unhealthy().unreachableSince(NOW - 1).build()] });
    expect(d).toMatchObject({ kill: [], expunge: [], launch: 0 });
  });

  it('treats an old instance launched without health checks as healthy', () => {
    const spec = aService().config(V2).instances(1).healthChecked().upgrade(1, 0).build();
    const old = anInstance().task('old').config(V1).running(1).launchedWithHealthChecks(false).build();
    const d = reconcile({ spec, action: 'RestartApplication', instances: [old] });
    // Healthy old instance: kept while the new one starts (over-capacity of one).
    expect(d).toMatchObject({ kill: [], launch: 1 });
  });

  it('kills instances stuck in STAGING/STARTING past task_launch_timeout as Overdue', () => {
    const spec = aService().instances(2).build();
    const instances = [anInstance().task('stuck').staging(NOW - 300_000).build(), anInstance().task('slow').starting(NOW - 100_000).build()];
    const d = reconcile({ spec, instances });
    expect(d).toMatchObject({ kill: [{ taskId: 'stuck', reason: 'Overdue' }], launch: 1, wakeAt: NOW + 200_000 });
    expect(reconcile({ spec, instances, launchTimeoutSeconds: 60 }).kill.map((k) => k.reason)).toEqual(['Overdue', 'Overdue']);
  });
});

describe('reconcileService — deployment actions', () => {
  it('StartApplication completes at once and launches nothing (Marathon starts with 0, then scales)', () => {
    const spec = aService().instances(5).build();
    expect(reconcile({ spec, action: 'StartApplication' })).toMatchObject({ launch: 0, actionComplete: true });
  });

  it('ScaleApplication completes when the instances are running, healthy and ready', () => {
    const spec = aService().instances(2).healthChecked().readinessChecked().build();
    const starting = reconcile({ spec, action: 'ScaleApplication', instances: runningInstances(1, { config: V1, healthy: true, ready: true }) });
    expect(starting).toMatchObject({ launch: 1, actionComplete: false });
    const notReady = runningInstances(2, { healthy: true, ready: false });
    expect(reconcile({ spec, action: 'ScaleApplication', instances: notReady }).actionComplete).toBe(false);
    const done = runningInstances(2, { healthy: true, ready: true });
    expect(reconcile({ spec, action: 'ScaleApplication', instances: done }).actionComplete).toBe(true);
  });

  it('ScaleApplication down waits until the kills are confirmed', () => {
    const spec = aService().instances(1).build();
    const d = reconcile({ spec, action: 'ScaleApplication', instances: runningInstances(3) });
    expect(d).toMatchObject({ launch: 0, actionComplete: false });
    expect(d.kill.map((k) => k.reason)).toEqual(['ScalingApp', 'ScalingApp']);
    const after = [...runningInstances(1), { ...runningInstances(2)[1]!, state: 'TASK_KILLED' as const }];
    expect(reconcile({ spec, action: 'ScaleApplication', instances: after }).actionComplete).toBe(true);
  });

  it('StopApplication kills everything and completes when nothing is left', () => {
    const spec = aService().instances(3).unreachable('disabled').build();
    const instances = [...runningInstances(2), anInstance().task('lost').running(1).unreachableSince(NOW - 5).build(), anInstance().task('k').state('TASK_KILLING').build()];
    const d = reconcile({ spec, action: 'StopApplication', instances });
    expect(d.kill).toEqual([
      { taskId: 'old.000', reason: 'StoppingApp' },
      { taskId: 'old.001', reason: 'StoppingApp' },
    ]);
    expect(d).toMatchObject({ expunge: ['lost'], launch: 0, actionComplete: false });
    const ended: Instance[] = instances.filter((i) => i.taskId !== 'lost').map((i) => ({ ...i, state: 'TASK_KILLED' }));
    expect(reconcile({ spec, action: 'StopApplication', instances: ended }).actionComplete).toBe(true);
  });
});

describe('reconcileService — RestartApplication (TaskReplaceActor)', () => {
  const base = () => aService().config(V2).instances(4).healthChecked();

  it('kills old instances down to minHealthy at once and launches up to maxCapacity', () => {
    // minHealthy = ⌈4 × 0.5⌉ = 2, maxCapacity = ⌊4 × 1.25⌋ = 5.
    const spec = base().upgrade(0.5, 0.25).build();
    const d = reconcile({ spec, action: 'RestartApplication', instances: runningInstances(4, { healthy: true }) });
    expect(d.kill.map((k) => k.reason)).toEqual(['Upgrading', 'Upgrading']);
    // 2 old live + 2 kills in flight = 4 of 5: one new now, more once the kills end.
    expect(d).toMatchObject({ launch: 1, actionComplete: false });
  });

  it('kills one old instance per new one that becomes healthy and ready', () => {
    const spec = base().upgrade(1, 0.25).build(); // minHealthy 4, maxCapacity 5
    const old = runningInstances(4, { healthy: true });
    const oneNew = anInstance().task('new.0').config(V2).running(NOW - 10).healthy(null).build();
    const waiting = reconcile({ spec, action: 'RestartApplication', instances: [...old, oneNew] });
    expect(waiting).toMatchObject({ kill: [], launch: 0 });
    const healthy = reconcile({ spec, action: 'RestartApplication', instances: [...old, { ...oneNew, healthy: true }] });
    expect(healthy.kill).toEqual([{ taskId: 'old.003', reason: 'Upgrading' }]); // youngest first
    expect(healthy.launch).toBe(0); // the killed one holds its resources until it ends
  });

  it('makes progress when minHealthy == maxCapacity == instances: one instance of over-capacity', () => {
    const spec = base().upgrade(1, 0).build(); // 4 and 4 → maxCapacity 5 (Marathon's special case)
    const d = reconcile({ spec, action: 'RestartApplication', instances: runningInstances(4, { healthy: true }) });
    expect(d).toMatchObject({ kill: [], launch: 1 });
  });

  it('kills unhealthy old instances first; they carry no capacity', () => {
    const spec = base().upgrade(1, 0).build();
    const old = runningInstances(4, { healthy: true });
    old[1] = { ...old[1]!, healthy: null }; // health not yet known
    const d = reconcile({ spec, action: 'RestartApplication', instances: old });
    expect(d.kill).toEqual([{ taskId: 'old.001', reason: 'Upgrading' }]);
  });

  it('completes when only new, healthy and ready instances remain', () => {
    const spec = base().readinessChecked().upgrade(1, 0).build();
    const fresh = runningInstances(4, { prefix: 'new', config: V2, healthy: true, ready: true });
    expect(reconcile({ spec, action: 'RestartApplication', instances: fresh }).actionComplete).toBe(true);
    const notReady = fresh.map((i, k) => (k === 0 ? { ...i, ready: false } : i));
    expect(reconcile({ spec, action: 'RestartApplication', instances: notReady }).actionComplete).toBe(false);
    const oldDying = [...fresh, anInstance().task('old').config(V1).running(1).killRequested(NOW - 1).build()];
    expect(reconcile({ spec, action: 'RestartApplication', instances: oldDying }).actionComplete).toBe(false);
  });

  it('with 0 instances kills everything, as the ScaleApplication Marathon plans for it', () => {
    const spec = base().instances(0).build();
    const d = reconcile({ spec, action: 'RestartApplication', instances: runningInstances(2, { healthy: true }) });
    expect(d).toMatchObject({ launch: 0, actionComplete: false });
    expect(d.kill.map((k) => k.reason)).toEqual(['ScalingApp', 'ScalingApp']);
    expect(reconcile({ spec, action: 'RestartApplication', instances: [] }).actionComplete).toBe(true);
  });

  it('holds new launches while the new config is backing off, ignoring the old config delay', () => {
    const spec = base().upgrade(0, 0).build();
    const stale = { failures: 5, delayUntil: NOW + 60_000, configVersion: V1, referenceAt: NOW };
    expect(reconcile({ spec, action: 'RestartApplication', delay: stale }).launch).toBe(4);
    const fresh = { ...stale, configVersion: V2 };
    expect(reconcile({ spec, action: 'RestartApplication', delay: fresh })).toMatchObject({ launch: 0, delayedUntil: NOW + 60_000, actionComplete: false });
  });
});
