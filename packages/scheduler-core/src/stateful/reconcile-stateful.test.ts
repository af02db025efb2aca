import { describe, expect, it } from 'vitest';
import { applyOperations } from '../offers/operations.js';
import type { PlacementCandidate } from '../placement/types.js';
import { res } from '../resources/parse.js';
import { LABEL_GENERATION, LABEL_POD_INSTANCE } from './identity.js';
import { recordAcceptedOperations, resolveOfferOperations } from './offer-operations.js';
import { planStatus } from './plans.js';
import { reconcileStatefulService } from './reconcile-stateful.js';
import { C1, C2, aPod, aStatefulService, agent, anInstance, completedDeploy } from './testing/stateful-builders.js';
import type { PodInstanceState, PodReservation, StatefulLaunchPayload, StatefulReconcileInput, StatefulServiceSpec } from './types.js';

const NOW = 10_000_000;
const db = aStatefulService().pod(aPod('db').count(2).resources(1, 512).port('pg', 5432).volume('data', 256)).build();

function offer(agentId: string, resources = 'cpus:4;mem:4096;disk:2000;ports:[5432-5432,31000-31005]'): PlacementCandidate {
  return { id: `o-${agentId}`, agentId, hostname: `${agentId}.example`, role: 'db-role', resources: res(resources) };
}

function input(extra: Partial<StatefulReconcileInput> = {}): StatefulReconcileInput {
  return { spec: db, plans: [], instances: [], agents: [agent('a1'), agent('a2'), agent('a3')], now: NOW, ...extra };
}

/** Places `podInstance` on `agentId` through the real operations and records it, task RUNNING. */
function placed(spec: StatefulServiceSpec, podInstance: string, agentId: string, running = true): PodInstanceState {
  const d = reconcileStatefulService({ ...input({ spec }), plans: [] });
  const need = d.needs.find((n) => n.podInstance === podInstance) ?? d.needs[0]!;
  const forInstance = { ...need, podInstance, step: need.step, labels: { ...need.labels, [LABEL_POD_INSTANCE]: podInstance }, tasks: need.tasks.map((t) => ({ ...t, taskId: t.taskId.replace(need.podInstance, podInstance) })) };
  const resolved = resolveOfferOperations(forInstance, offer(agentId));
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.rejections));
  const [pod, index] = podInstance.split('-') as [string, string];
  const inst = recordAcceptedOperations(anInstance(pod, Number(index)), forInstance, resolved, NOW - 1000);
  return running ? { ...inst, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_RUNNING' })) } : inst;
}


describe('deploy', () => {
  it('first pass: builds the deploy plan and asks to RESERVE, CREATE and LAUNCH the first pod only (serial)', () => {
    const d = reconcileStatefulService(input());
    expect(d.plans.map((p) => p.name)).toEqual(['deploy', 'recovery']);
    expect(d.needs).toHaveLength(1);
    const need = d.needs[0]!;
    expect(need).toMatchObject({ podInstance: 'db-0', purpose: 'PLACE', agentId: null, operations: ['RESERVE', 'CREATE', 'LAUNCH'], plan: 'deploy', step: 'db-0:[server]' });
    expect(need.labels).toEqual({ 'gantry/service': '/db', 'gantry/pod-instance': 'db-0', 'gantry/generation': '1' });
    expect(need.tasks).toEqual([{ name: 'server', taskId: 'db.db-0-server.1' }]);
    expect(d.plans[0]!.phases[0]!.steps.map((s) => s.status)).toEqual(['PREPARED', 'PENDING']);
    expect(d.pods.map((p) => p.action)).toEqual(['PLACE', 'NONE']);
  });

  it('resolves to concrete operations that the offer protocol accepts: labelled reservation, volume on it, launch on both', () => {
    const need = reconcileStatefulService(input()).needs[0]!;
    const o = offer('a1');
    const resolved = resolveOfferOperations(need, o);
    expect(resolved.ok).toBe(true);
    if (!resolved.ok) return;
    expect(resolved.operations.map((op) => op.type)).toEqual(['RESERVE', 'CREATE', 'LAUNCH']);
    const reserve = resolved.operations[0]!;
    expect(reserve.type === 'RESERVE' && reserve.resources.toString()).toBe('cpus(db-role,dynamic):1;disk(db-role,dynamic):256;mem(db-role,dynamic):512;ports(db-role,dynamic):[5432-5432]');
    expect(reserve.type === 'RESERVE' && reserve.resources.items.every((r) => r.reservation?.labels?.[LABEL_GENERATION] === '1')).toBe(true);
    const launch = resolved.operations[2]!;
    const payload = launch.type === 'LAUNCH' ? (launch.tasks[0]!.payload as StatefulLaunchPayload) : undefined;
    expect(payload).toMatchObject({ podInstance: 'db-0', ports: [5432], volumes: [{ volumeId: 'db.db-0.data.g1', containerPath: 'data', mode: 'RW' }] });
    expect(payload?.env).toMatchObject({ POD_INSTANCE_INDEX: '0', TASK_NAME: 'db-0-server', PORT_PG: '5432', FRAMEWORK_NAME: '/db' });
    expect(applyOperations(o.resources, resolved.operations, { role: 'db-role' }).ok).toBe(true);
    expect(resolved.reservation).toMatchObject({ agentId: 'a1', generation: 1, ports: [5432], configId: C1 });
  });

  it('explains an offer it cannot use (the placement pipeline\'s reasons)', () => {
    const need = reconcileStatefulService(input()).needs[0]!;
    const r = resolveOfferOperations(need, offer('a1', 'cpus:4;mem:4096;disk:100;ports:[31000-31005]'));
    expect(r.ok === false && r.rejections.map((x) => x.reason)).toEqual(['InsufficientDisk', 'InsufficientPorts']);
  });

  it('the step is STARTING while staging, COMPLETE once running (no readiness check), then the next pod goes', () => {
    const staging = placed(db, 'db-0', 'a1', false);
    const first = reconcileStatefulService(input({ instances: [staging] }));
    expect(first.plans[0]!.phases[0]!.steps[0]!.status).toBe('STARTING');
    expect(first.needs).toEqual([]);
    const running = placed(db, 'db-0', 'a1');
    const next = reconcileStatefulService(input({ plans: first.plans, instances: [running] }));
    expect(next.plans[0]!.phases[0]!.steps.map((s) => s.status)).toEqual(['COMPLETE', 'PREPARED']);
    expect(next.needs.map((n) => [n.podInstance, n.placed])).toEqual([['db-1', [{ agentId: 'a1', hostname: 'a1.example' }]]]);
  });

  it('with a readiness check the step is STARTED until the check passes', () => {
    const spec = aStatefulService().pod(aPod('db').readiness()).build();
    const inst = placed(spec, 'db-0', 'a1');
    const d = reconcileStatefulService(input({ spec, instances: [inst] }));
    expect(d.plans[0]!.phases[0]!.steps[0]!.status).toBe('STARTED');
    const ready = { ...inst, tasks: inst.tasks.map((t) => ({ ...t, ready: true })) };
    expect(planStatus(reconcileStatefulService(input({ spec, plans: d.plans, instances: [ready] })).plans[0]!)).toBe('COMPLETE');
  });

  it('MOUNT volumes: the step is in ERROR, saying why', () => {
    const spec = aStatefulService().pod(aPod('db').volume('data', 100, 'MOUNT')).build();
    const d = reconcileStatefulService(input({ spec }));
    expect(d.needs).toEqual([]);
    expect(d.plans[0]!.phases[0]!.steps[0]!).toMatchObject({ status: 'ERROR', message: expect.stringContaining('MOUNT volume') });
  });
});

describe('recovery', () => {
  const plans = completedDeploy(db);
  const failed = (inst: PodInstanceState, state: 'TASK_FAILED' | 'TASK_KILLED', at = NOW - 500): PodInstanceState => ({
    ...inst,
    tasks: inst.tasks.map((t) => ({ ...t, state, endedAt: at })),
  });

  it('a killed task is relaunched in place at once: LAUNCH on its own reservation, same agent, same volume', () => {
    const inst = failed(placed(db, 'db-0', 'a2'), 'TASK_KILLED');
    const d = reconcileStatefulService(input({ plans, instances: [inst, placed(db, 'db-1', 'a1')] }));
    const recovery = d.plans.find((p) => p.name === 'recovery')!;
    expect(recovery.phases.map((ph) => [ph.name, ph.steps[0]!.kind, ph.steps[0]!.status])).toEqual([['db-0', 'RESTART', 'PREPARED']]);
    const need = d.needs[0]!;
    expect(need).toMatchObject({ purpose: 'RELAUNCH', agentId: 'a2', operations: ['LAUNCH'], tasks: [{ name: 'server', taskId: 'db.db-0-server.2' }] });
    expect(need.request?.reservationLabels).toEqual(need.labels);
    // Only the agent holding the reservation can serve it, and only if it offers all of it back.
    expect(resolveOfferOperations(need, offer('a1')).ok).toBe(false);
    const own = offer('a2');
    const withReservation = { ...own, resources: own.resources.plus(inst.reservation!.resources) };
    const resolved = resolveOfferOperations(need, withReservation);
    expect(resolved.ok && resolved.operations.map((o) => o.type)).toEqual(['LAUNCH']);
    expect(resolved.ok && (resolved.launched[0]!.payload as StatefulLaunchPayload).volumes[0]!.volumeId).toBe('db.db-0.data.g1');
  });

  it('a failed task backs off first (1 s × 1.15^(n−1)), and says until when', () => {
    const inst = failed(placed(db, 'db-0', 'a2'), 'TASK_FAILED', NOW - 200);
    const d = reconcileStatefulService(input({ plans, instances: [inst] }));
    expect(d.needs).toEqual([]);
    expect(d.pods[0]).toMatchObject({ action: 'DELAYED', delayedUntil: NOW + 800 });
    expect(d.wakeAt).toBe(NOW + 800);
    const later = reconcileStatefulService(input({ plans: d.plans, instances: d.instances, now: NOW + 800 }));
    expect(later.needs.map((n) => n.purpose)).toEqual(['RELAUNCH']);
    expect(later.instances[0]!.delay?.failures).toBe(1);
  });

  it('a lost node: the pod WAITS, with the reason and pod replace as the way out, and nothing is launched elsewhere', () => {
    const inst = placed(db, 'db-0', 'a2');
    const lost = { ...inst, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_UNREACHABLE' as const })) };
    const d = reconcileStatefulService(input({ plans, instances: [lost], agents: [agent('a1'), agent('a2', { reachable: false, unreachableSince: NOW - 60_000 }), agent('a3')] }));
    expect(d.needs).toEqual([]);
    expect(d.pods[0]).toEqual({
      podInstance: 'db-0',
      action: 'WAIT',
      plan: null,
      step: null,
      agentId: 'a2',
      reason: 'waiting for a2.example: it holds its volume db.db-0.data.g1 (agent a2.example is unreachable for 60 s); db-0 is never relaunched elsewhere on its own',
      remedy: 'pod replace db-0 places it anew on another agent; the data on a2.example is lost',
    });
  });

  it('pod restart: kills the task, then relaunches it in place', () => {
    const inst = { ...placed(db, 'db-0', 'a2'), restartRequestedAt: NOW - 10 };
    const d = reconcileStatefulService(input({ plans, instances: [inst] }));
    expect(d.kills).toEqual([{ taskId: 'db.db-0-server.1', podInstance: 'db-0', reason: 'PodRestart' }]);
    expect(d.instances[0]!.restartRequestedAt).toBeNull();
    const killed = failed(d.instances[0]!, 'TASK_KILLED');
    const next = reconcileStatefulService(input({ plans: d.plans, instances: [killed] }));
    expect(next.needs.map((n) => [n.purpose, n.agentId])).toEqual([['RELAUNCH', 'a2']]);
  });

  it('pod replace on a lost node: expunges the task, starts a new generation elsewhere, retires the old reservation', () => {
    const inst = placed(db, 'db-0', 'a2');
    const agents = [agent('a1'), agent('a2', { reachable: false }), agent('a3')];
    const lost: PodInstanceState = { ...inst, replaceRequestedAt: NOW, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_UNREACHABLE' as const })) };
    const d = reconcileStatefulService(input({ plans, instances: [lost], agents }));
    expect(d.expunge).toEqual(['db.db-0-server.1']);
    expect(d.needs).toEqual([]);
    const gone = { ...d.instances[0]!, tasks: d.instances[0]!.tasks.map((t) => ({ ...t, state: 'TASK_GONE' as const, endedAt: NOW })) };
    const next = reconcileStatefulService(input({ plans: d.plans, instances: [gone], agents }));
    expect(next.instances[0]).toMatchObject({ generation: 2, reservation: null });
    expect(next.instances[0]!.retired.map((r: PodReservation) => [r.agentId, r.generation])).toEqual([['a2', 1]]);
    expect(next.needs.map((n) => [n.purpose, n.agentId, n.labels[LABEL_GENERATION]])).toEqual([['PLACE', null, '2']]);
    // When a2 returns, the retired generation is destroyed and unreserved.
    const back = reconcileStatefulService(input({ plans: next.plans, instances: next.instances }));
    const cleanup = back.needs.find((n) => n.purpose === 'CLEANUP')!;
    expect(cleanup).toMatchObject({ agentId: 'a2', operations: ['DESTROY', 'UNRESERVE'], generation: 1 });
    const a2 = offer('a2', 'cpus:1');
    const resolved = resolveOfferOperations(cleanup, { ...a2, resources: a2.resources.plus(inst.reservation!.resources) });
    expect(resolved.ok && resolved.operations.map((o) => o.type)).toEqual(['DESTROY', 'UNRESERVE']);
    const applied = resolved.ok ? applyOperations(a2.resources.plus(inst.reservation!.resources), resolved.operations, { role: 'db-role' }) : undefined;
    expect(applied?.ok && applied.applied.remaining.hasReservations()).toBe(false);
  });
});

describe('update', () => {
  const plans = completedDeploy(db);

  it('a new config gets an update plan: kill the old task first, then relaunch in place (resized when cpus grow)', () => {
    const bigger = { ...db, configId: C2, pods: db.pods.map((p) => ({ ...p, resources: { ...p.resources, cpus: 2 } })) };
    const instances = [placed(db, 'db-0', 'a1'), placed(db, 'db-1', 'a2')];
    const d = reconcileStatefulService(input({ spec: bigger, pastSpecs: [db], plans, instances }));
    const update = d.plans.find((p) => p.name === 'update')!;
    expect(update.configId).toBe(C2);
    expect(update.phases[0]!.steps.map((s) => s.status)).toEqual(['PREPARED', 'PENDING']);
    expect(d.kills).toEqual([{ taskId: 'db.db-0-server.1', podInstance: 'db-0', reason: 'ConfigUpdate' }]);
    const killed = d.instances.map((i) => (i.index === 0 ? { ...i, tasks: i.tasks.map((t) => ({ ...t, state: 'TASK_KILLED' as const, endedAt: NOW })) } : i));
    const next = reconcileStatefulService(input({ spec: bigger, pastSpecs: [db], plans: d.plans, instances: killed }));
    expect(next.needs.map((n) => [n.podInstance, n.purpose, n.agentId, n.operations])).toEqual([['db-0', 'RELAUNCH', 'a1', ['RESERVE', 'LAUNCH']]]);
    expect(next.plans.find((p) => p.name === 'recovery')!.phases).toEqual([]); // the update owns db-0, recovery leaves it alone
    const o = offer('a1');
    const resolved = resolveOfferOperations(next.needs[0]!, { ...o, resources: o.resources.plus(killed[0]!.reservation!.resources) });
    expect(resolved.ok && resolved.reservation!.resources.scalar('cpus')).toBe(2000);
  });

  it('a volume change is an ERROR step, never a silent move', () => {
    const changed = { ...db, configId: C2, pods: db.pods.map((p) => ({ ...p, volumes: [{ path: 'data', type: 'ROOT' as const, size: 512 }] })) };
    const d = reconcileStatefulService(input({ spec: changed, pastSpecs: [db], plans, instances: [placed(db, 'db-0', 'a1'), placed(db, 'db-1', 'a2')] }));
    expect(d.needs).toEqual([]);
    expect(d.kills).toEqual([]);
    expect(d.plans.find((p) => p.name === 'update')!.phases[0]!.steps[0]!).toMatchObject({ status: 'ERROR', message: expect.stringContaining('volumes cannot change in place') });
  });

  it('scaling a pod up restarts none of its instances: only the new one is placed (SDK: only what changed is deployed)', () => {
    const three = { ...db, configId: C2, pods: db.pods.map((p) => ({ ...p, count: 3 })) };
    const d = reconcileStatefulService(input({ spec: three, pastSpecs: [db], plans, instances: [placed(db, 'db-0', 'a1'), placed(db, 'db-1', 'a2')] }));
    expect(d.kills).toEqual([]);
    expect(d.plans.find((p) => p.name === 'update')!.phases[0]!.steps.map((s) => s.status)).toEqual(['COMPLETE', 'COMPLETE', 'PREPARED']);
    expect(d.needs.map((n) => [n.podInstance, n.purpose, n.placed?.map((x) => x.agentId)])).toEqual([['db-2', 'PLACE', ['a1', 'a2']]]);
  });

  it('pods already at the new config start COMPLETE', () => {
    const instances = [placed(db, 'db-0', 'a1'), placed(db, 'db-1', 'a2')].map((i) => ({ ...i, reservation: { ...i.reservation!, configId: C2 }, tasks: i.tasks.map((t) => ({ ...t, configId: C2 })) }));
    const d = reconcileStatefulService(input({ spec: { ...db, configId: C2 }, plans, instances }));
    expect(planStatus(d.plans.find((p) => p.name === 'update')!)).toBe('COMPLETE');
  });
});

describe('uninstall', () => {
  it('kills everything; with destroyData also destroys volumes and unreserves, then reports done', () => {
    const inst = placed(db, 'db-0', 'a1');
    const d = reconcileStatefulService(input({ instances: [inst], uninstall: { destroyData: true } }));
    expect(d.kills.map((k) => [k.taskId, k.reason])).toEqual([['db.db-0-server.1', 'Uninstall']]);
    expect(d.uninstalled).toBe(false);
    const dead = { ...inst, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_KILLED' as const, endedAt: NOW })) };
    const next = reconcileStatefulService(input({ instances: [dead], uninstall: { destroyData: true } }));
    expect(next.needs.map((n) => [n.purpose, n.agentId])).toEqual([['CLEANUP', 'a1']]);
    // Its agent offers the reservation back: DESTROY, UNRESERVE, and the pod holds nothing more.
    const resolved = resolveOfferOperations(next.needs[0]!, { ...offer('a1'), resources: inst.reservation!.resources });
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.rejections));
    expect(resolved.operations.map((op) => op.type)).toEqual(['DESTROY', 'UNRESERVE']);
    const cleaned = recordAcceptedOperations(next.instances[0]!, next.needs[0]!, resolved, NOW);
    expect(cleaned.reservation).toBeNull();
    const after = reconcileStatefulService(input({ instances: [cleaned], uninstall: { destroyData: true } }));
    expect(after.needs).toEqual([]);
    expect(after.uninstalled).toBe(true);
    const keep = reconcileStatefulService(input({ instances: [dead], uninstall: { destroyData: false } }));
    expect(keep.needs).toEqual([]);
    expect(keep.uninstalled).toBe(true); // nothing runs; the data is kept, as asked
  });
});

