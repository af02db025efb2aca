/**
 * Pods with external volumes: nothing reserved or created for them, the payload names
 * each pod instance's own external volume, and a pod with no local volume is placed anew
 * elsewhere once its agent is declared unreachable (or forgotten) — while a pod with any
 * local volume keeps waiting for its agent, as before.
 */
import { describe, expect, it } from 'vitest';
import type { PlacementCandidate } from '../placement/types.js';
import { res } from '../resources/parse.js';
import { LABEL_GENERATION } from './identity.js';
import { recordAcceptedOperations, resolveOfferOperations } from './offer-operations.js';
import { reconcileStatefulService } from './reconcile-stateful.js';
import { validateSpecUpdate, validateStatefulSpec } from './spec.js';
import { C2, aPod, aStatefulService, agent, anInstance, completedDeploy } from './testing/stateful-builders.js';
import type { AgentLiveness, PodInstanceState, StatefulLaunchPayload, StatefulReconcileInput, StatefulServiceSpec } from './types.js';

const NOW = 10_000_000;
const web = aStatefulService().pod(aPod('web').count(2).resources(1, 512).port('http').externalVolume('data', 'webdata')).build();
const mixed = aStatefulService().pod(aPod('web').resources(1, 512).externalVolume('data', 'webdata').volume('cache', 100)).build();

function offer(agentId: string, resources = 'cpus:4;mem:4096;disk:2000;ports:[31000-31005]'): PlacementCandidate {
  return { id: `o-${agentId}`, agentId, hostname: `${agentId}.example`, role: 'db-role', resources: res(resources) };
}

const reachable = [agent('a1'), agent('a2'), agent('a3')];
function input(spec: StatefulServiceSpec, extra: Partial<StatefulReconcileInput> = {}): StatefulReconcileInput {
  return { spec, plans: [], instances: [], agents: reachable, now: NOW, ...extra };
}


/** web-0 placed on `agentId` through the real operations, its task RUNNING. */
function placed(spec: StatefulServiceSpec, agentId: string): PodInstanceState {
  const need = reconcileStatefulService(input(spec)).needs[0]!;
  const resolved = resolveOfferOperations(need, offer(agentId));
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.rejections));
  const inst = recordAcceptedOperations(anInstance('web', 0), need, resolved, NOW - 1000);
  return { ...inst, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_RUNNING' as const })) };
}

const unreachable = (inst: PodInstanceState): PodInstanceState => ({ ...inst, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_UNREACHABLE' as const })) });
const gone = (inst: PodInstanceState): PodInstanceState => ({ ...inst, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_GONE' as const, endedAt: NOW })) });
const declared = (id: string): AgentLiveness => agent(id, { reachable: false, unreachableSince: NOW - 30_000 });

describe('external volumes: placement', () => {
  it('reserves no disk and creates nothing for them; the payload names the pod instance\'s own volume', () => {
    const need = reconcileStatefulService(input(web)).needs[0]!;
    expect(need).toMatchObject({ purpose: 'PLACE', operations: ['RESERVE', 'LAUNCH'] });
    expect(need.request?.disk).toBe(0);
    const resolved = resolveOfferOperations(need, offer('a1'));
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.rejections));
    expect(resolved.operations.map((op) => op.type)).toEqual(['RESERVE', 'LAUNCH']);
    expect(resolved.reservation!.resources.scalar('disk')).toBe(0);
    expect(resolved.reservation!.volumes).toEqual([]);
    const payload = resolved.launched[0]!.payload as StatefulLaunchPayload;
    expect(payload.volumes).toEqual([]);
    expect(payload.externalVolumes).toEqual([{ provider: 'shared-directory', name: 'webdata-0', containerPath: 'data', mode: 'RW' }]);
  });

  it('a pod with a local volume beside an external one creates only the local one', () => {
    const need = reconcileStatefulService(input(mixed)).needs[0]!;
    expect(need.operations).toEqual(['RESERVE', 'CREATE', 'LAUNCH']);
    const resolved = resolveOfferOperations(need, offer('a1'));
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.rejections));
    const create = resolved.operations.find((op) => op.type === 'CREATE');
    expect(create?.type === 'CREATE' && create.volumes.items.map((r) => r.volume?.containerPath)).toEqual(['cache']);
    expect(resolved.reservation!.resources.scalar('disk')).toBe(100_000); // milli-MiB: the local volume only
    const payload = resolved.launched[0]!.payload as StatefulLaunchPayload;
    expect(payload.volumes.map((v) => v.containerPath)).toEqual(['cache']);
    expect(payload.externalVolumes.map((v) => v.name)).toEqual(['webdata-0']);
  });
});

describe('external volumes: recovery', () => {
  const plans = completedDeploy(web);

  it('a failed task still relaunches in place, on its reachable agent', () => {
    const inst = placed(web, 'a2');
    const failed = { ...inst, tasks: inst.tasks.map((t) => ({ ...t, state: 'TASK_KILLED' as const, endedAt: NOW - 10 })) };
    const d = reconcileStatefulService(input(web, { plans, instances: [failed] }));
    expect(d.needs.filter((n) => n.podInstance === 'web-0').map((n) => [n.purpose, n.agentId])).toEqual([['RELAUNCH', 'a2']]);
  });

  it('an agent only disconnected (not declared unreachable): the pod waits for it, saying when it would move', () => {
    const inst = unreachable(placed(web, 'a2'));
    const d = reconcileStatefulService(input(web, { plans, instances: [inst], agents: [agent('a1'), agent('a2', { reachable: false }), agent('a3')] }));
    expect(d.needs.filter((n) => n.podInstance === 'web-0')).toEqual([]);
    expect(d.expunge).toEqual([]);
    expect(d.pods.find((p) => p.podInstance === 'web-0')).toMatchObject({
      action: 'WAIT',
      reason: 'waiting for a2.example (agent a2.example is unreachable); web-0 keeps no data there, so it is placed anew elsewhere once a2.example is declared unreachable',
      remedy: 'pod replace web-0 places it anew on another agent now; its external volumes keep their data',
    });
  });

  it.each([
    ['declared unreachable', [agent('a1'), declared('a2'), agent('a3')]],
    ['forgotten by the master', [agent('a1'), agent('a3')]],
  ])('its agent %s: the task is expunged, the pod placed anew elsewhere under a new generation, the same external volume', (_what, agents) => {
    const inst = unreachable(placed(web, 'a2'));
    const first = reconcileStatefulService(input(web, { plans, instances: [inst], agents }));
    const step = first.plans.find((p) => p.name === 'recovery')!.phases.find((ph) => ph.name === 'web-0')!.steps[0]!;
    expect(step).toMatchObject({ kind: 'REPLACE', generation: 2 });
    expect(first.expunge).toEqual(['db.web-0-server.1']);
    expect(first.kills).toEqual([]);
    expect(first.needs.filter((n) => n.podInstance === 'web-0')).toEqual([]);

    // Once the runtime has expunged it (TASK_GONE): a new placement, anywhere but the lost agent.
    const next = reconcileStatefulService(input(web, { plans: first.plans, instances: first.instances.map((i) => (i.index === 0 ? gone(i) : i)), agents }));
    const moved = next.instances.find((i) => i.index === 0)!;
    expect(moved).toMatchObject({ generation: 2, reservation: null });
    expect(moved.retired.map((r) => [r.agentId, r.generation, r.volumes.length])).toEqual([['a2', 1, 0]]);
    const need = next.needs.find((n) => n.podInstance === 'web-0')!;
    expect(need).toMatchObject({ purpose: 'PLACE', agentId: null, operations: ['RESERVE', 'LAUNCH'] });
    expect(need.labels[LABEL_GENERATION]).toBe('2');
    const resolved = resolveOfferOperations(need, offer('a3'));
    if (!resolved.ok) throw new Error(JSON.stringify(resolved.rejections));
    expect(resolved.reservation!.agentId).toBe('a3');
    expect((resolved.launched[0]!.payload as StatefulLaunchPayload).externalVolumes.map((v) => v.name)).toEqual(['webdata-0']);
    expect(resolved.launched[0]!.taskId).toBe('db.web-0-server.2');

    // Placed and running on a3: the move is done; it is not moved again.
    const running = recordAcceptedOperations(moved, need, resolved, NOW);
    const settled = { ...running, tasks: running.tasks.map((t) => (t.agentId === 'a3' ? { ...t, state: 'TASK_RUNNING' as const } : t)) };
    const after = reconcileStatefulService(input(web, { plans: next.plans, instances: next.instances.map((i) => (i.index === 0 ? settled : i)), agents, now: NOW + 1000 }));
    expect(after.plans.find((p) => p.name === 'recovery')!.phases.find((ph) => ph.name === 'web-0')!.steps[0]!.status).toBe('COMPLETE');
    expect(after.needs.filter((n) => n.podInstance === 'web-0' && n.purpose !== 'CLEANUP')).toEqual([]);
  });

  it('the lost agent returns: its old generation is only unreserved (there is no volume to destroy)', () => {
    const agents = [agent('a1'), declared('a2'), agent('a3')];
    const inst = unreachable(placed(web, 'a2'));
    const first = reconcileStatefulService(input(web, { plans, instances: [inst], agents }));
    const next = reconcileStatefulService(input(web, { plans: first.plans, instances: first.instances.map((i) => (i.index === 0 ? gone(i) : i)), agents }));
    const back = reconcileStatefulService(input(web, { plans: next.plans, instances: next.instances }));
    const cleanup = back.needs.find((n) => n.purpose === 'CLEANUP')!;
    expect(cleanup).toMatchObject({ agentId: 'a2', operations: ['UNRESERVE'], generation: 1 });
    const a2 = offer('a2', 'cpus:1');
    const resolved = resolveOfferOperations(cleanup, { ...a2, resources: a2.resources.plus(inst.reservation!.resources) });
    expect(resolved.ok && resolved.operations.map((o) => o.type)).toEqual(['UNRESERVE']);
  });

  it('a pod with a local volume beside its external one still waits for its declared-unreachable agent', () => {
    const inst = unreachable(placed(mixed, 'a2'));
    const d = reconcileStatefulService(input(mixed, { plans: completedDeploy(mixed), instances: [inst], agents: [agent('a1'), declared('a2'), agent('a3')] }));
    expect(d.needs).toEqual([]);
    expect(d.expunge).toEqual([]);
    expect(d.plans.find((p) => p.name === 'recovery')!.phases).toEqual([]);
    expect(d.pods[0]).toMatchObject({ action: 'WAIT', reason: expect.stringContaining('never relaunched elsewhere on its own') });
  });

  it('pod replace of an external-only pod on a reachable agent: killed, placed anew, nothing destroyed', () => {
    const inst = { ...placed(web, 'a2'), replaceRequestedAt: NOW };
    const d = reconcileStatefulService(input(web, { plans, instances: [inst] }));
    expect(d.kills).toEqual([{ taskId: 'db.web-0-server.1', podInstance: 'web-0', reason: 'PodReplace' }]);
    const killed = { ...d.instances[0]!, tasks: d.instances[0]!.tasks.map((t) => ({ ...t, state: 'TASK_KILLED' as const, endedAt: NOW })) };
    const next = reconcileStatefulService(input(web, { plans: d.plans, instances: [killed, ...d.instances.slice(1)] }));
    expect(next.needs.map((n) => [n.podInstance, n.purpose, n.operations])).toEqual(
      expect.arrayContaining([['web-0', 'PLACE', ['RESERVE', 'LAUNCH']], ['web-0', 'CLEANUP', ['UNRESERVE']]]),
    );
  });
});

describe('external volumes: spec checks', () => {
  it('an EXTERNAL volume needs its source, with a valid name', () => {
    const bad = aStatefulService().pod(aPod('web').volume('data', 0, 'EXTERNAL').externalVolume('other', '../etc')).build();
    expect(validateStatefulSpec(bad).map((p) => [p.path.join('/'), p.message])).toEqual([
      ['pods/0/volumes/0/external', expect.stringContaining('"provider": "shared-directory"')],
      ['pods/0/volumes/1/external/name', expect.stringContaining('no "..")')],
    ]);
    expect(validateStatefulSpec(web)).toEqual([]);
  });

  it('an update may not rename an external volume: the data would not follow', () => {
    const renamed = { ...web, configId: C2, pods: web.pods.map((p) => ({ ...p, volumes: p.volumes.map((v) => ({ ...v, external: { provider: 'shared-directory' as const, name: 'other' } })) })) };
    expect(validateSpecUpdate(web, renamed)).toEqual([{ path: ['pods', 0, 'volumes'], message: expect.stringContaining('volumes cannot change') }]);
  });
});
