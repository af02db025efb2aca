/**
 * A 3-pod stateful service driven through its life on a simulated cluster, every pass
 * checked for the safety invariants (see testing/stateful-harness.ts):
 *   deploy (serial, each pod ready before the next) → a task fails (relaunched in place,
 *   same agent and volume) → an agent is lost (its pod waits, says why and offers `pod
 *   replace`) → `pod replace` (placed anew elsewhere; the old generation is destroyed and
 *   unreserved when the agent returns) → a config change (the update plan rolls it out pod
 *   by pod, in place).
 *
 * The same service with its volume external (a shared directory every agent mounts):
 *   deploy → a task fails (relaunched in place) → an agent is lost (the pod is placed anew
 *   on the spare agent on its own, under a new generation, using the same external
 *   volume, its data kept) → the lost agent returns (its expunged task killed, the old
 *   reservation only unreserved).
 */
import { describe, expect, it } from 'vitest';
import { planStatus } from './plans.js';
import { externalKey, StatefulHarness } from './testing/stateful-harness.js';
import { aPod, aStatefulService, C2 } from './testing/stateful-builders.js';
import type { StatefulServiceSpec } from './types.js';

function threePods(): StatefulServiceSpec {
  return aStatefulService()
    .pod(aPod('db').count(3).resources(1, 512).port('pg').volume('data', 256).placement({ field: 'hostname', operator: 'UNIQUE' }).readiness())
    .build();
}

function lifecycle(seed: number): StatefulHarness {
  const h = new StatefulHarness(threePods(), { agents: 4, seed });

  // Deploy: serial, one pod at a time, each waiting for the previous to be ready.
  h.step();
  expect(h.last!.needs.map((n) => n.podInstance)).toEqual(['db-0']);
  expect(h.last!.needs[0]!.operations).toEqual(['RESERVE', 'CREATE', 'LAUNCH']);
  h.runUntil((x) => planStatus(x.plan('deploy')!) === 'COMPLETE');
  const agents = h.instances.map((i) => i.reservation!.agentId);
  expect(new Set(agents).size).toBe(3); // UNIQUE hostname

  // A task fails: relaunched in place, same agent, same volume, its data still there.
  const before = h.instance('db-1')!.reservation!;
  const dataBefore = h.data.get(before.volumes[0]!.id)!;
  h.failTask('db-1');
  h.runUntil((x) => x.plan('recovery')!.phases.some((ph) => ph.name === 'db-1' && ph.steps[0]!.status === 'COMPLETE'));
  const after = h.instance('db-1')!.reservation!;
  expect(after.agentId).toBe(before.agentId);
  expect(after.volumes).toEqual(before.volumes);
  expect(h.data.get(after.volumes[0]!.id)).toBeGreaterThan(dataBefore);

  // An agent is lost: its pod waits for it, never relaunched elsewhere.
  const lostAgent = h.instance('db-2')!.reservation!.agentId;
  h.loseAgent(lostAgent);
  h.failTask('db-2'); // nothing reaches it: stays unreachable
  for (let i = 0; i < 5; i++) h.step();
  const waiting = h.last!.pods.find((p) => p.podInstance === 'db-2')!;
  expect(waiting.action).toBe('WAIT');
  expect(waiting.reason).toContain(`waiting for ${lostAgent}.example`);
  expect(waiting.remedy).toContain('pod replace db-2');
  expect(h.last!.needs.some((n) => n.podInstance === 'db-2')).toBe(false);
  expect(h.instance('db-2')!.reservation!.agentId).toBe(lostAgent);

  // `pod replace`: the unreachable task is expunged, the pod placed anew on the spare agent.
  h.podReplace('db-2');
  h.runUntil((x) => x.instance('db-2')!.generation === 2 && x.instance('db-2')!.tasks.some((t) => t.state === 'TASK_RUNNING' && t.ready === true));
  const moved = h.instance('db-2')!.reservation!;
  expect(moved.agentId).not.toBe(lostAgent);
  expect(moved.volumes[0]!.id).toMatch(/\.g2$/);
  expect(h.instance('db-2')!.retired.map((r) => r.agentId)).toEqual([lostAgent]);

  // The lost agent returns: its expunged task is killed, the old generation cleaned up.
  h.returnAgent(lostAgent);
  h.runUntil((x) => x.instance('db-2')!.retired.length === 0);
  const lost = h.agents.find((a) => a.id === lostAgent)!;
  expect(lost.held.hasReservations()).toBe(false);

  // A config change: the update plan rolls it out pod by pod, in place, each ready first.
  const next: StatefulServiceSpec = { ...h.spec, configId: C2, pods: h.spec.pods.map((p) => ({ ...p, tasks: p.tasks.map((t) => ({ ...t, env: { MODE: 'v2' } })) })) };
  const places = h.instances.map((i) => i.reservation!.agentId);
  h.updateSpec(next);
  let maxUpdating = 0;
  h.runUntil((x) => {
    const update = x.plan('update');
    const steps = update?.phases.flatMap((ph) => ph.steps) ?? [];
    maxUpdating = Math.max(maxUpdating, steps.filter((s) => s.status !== 'COMPLETE' && s.status !== 'PENDING').length);
    return update !== undefined && planStatus(update) === 'COMPLETE';
  });
  expect(maxUpdating).toBe(1);
  expect(h.instances.map((i) => i.reservation!.agentId)).toEqual(places);
  expect(h.instances.every((i) => i.tasks.every((t) => t.configId === C2))).toBe(true);
  return h;
}

function externalLifecycle(seed: number): StatefulHarness {
  const spec = aStatefulService()
    .pod(aPod('db').count(3).resources(1, 512).port('pg').externalVolume('data', 'pgdata').placement({ field: 'hostname', operator: 'UNIQUE' }).readiness())
    .build();
  const h = new StatefulHarness(spec, { agents: 4, seed });
  h.step();
  expect(h.last!.needs[0]!.operations).toEqual(['RESERVE', 'LAUNCH']); // nothing to CREATE
  h.runUntil((x) => planStatus(x.plan('deploy')!) === 'COMPLETE');

  // A task fails: still relaunched in place.
  const before = h.instance('db-1')!.reservation!;
  h.failTask('db-1');
  h.runUntil((x) => x.plan('recovery')!.phases.some((ph) => ph.name === 'db-1' && ph.steps[0]!.status === 'COMPLETE'));
  expect(h.instance('db-1')!.reservation!.agentId).toBe(before.agentId);
  expect(h.instance('db-1')!.generation).toBe(1);

  // An agent is lost: its pod moves to the spare agent by itself, with the same external volume.
  const lostAgent = h.instance('db-2')!.reservation!.agentId;
  const written = h.data.get(externalKey('pgdata-2'))!;
  h.loseAgent(lostAgent);
  h.runUntil((x) => x.instance('db-2')!.generation === 2 && x.instance('db-2')!.tasks.some((t) => t.state === 'TASK_RUNNING' && t.ready === true));
  const moved = h.instance('db-2')!;
  expect(moved.reservation!.agentId).not.toBe(lostAgent);
  expect(moved.reservation!.volumes).toEqual([]);
  expect(moved.retired.map((r) => r.agentId)).toEqual([lostAgent]);
  expect(h.data.get(externalKey('pgdata-2'))).toBeGreaterThan(written);
  expect(planStatus(h.plan('recovery')!)).toBe('COMPLETE');

  // It returns: the expunged task is killed there, the old generation only unreserved.
  h.returnAgent(lostAgent);
  h.runUntil((x) => x.instance('db-2')!.retired.length === 0);
  expect(h.agents.find((a) => a.id === lostAgent)!.held.hasReservations()).toBe(false);
  expect(h.instances.map((i) => i.generation)).toEqual([1, 1, 2]);
  return h;
}

describe('stateful service simulation', () => {
  it('external volumes: a pod leaves its lost agent on its own, with its data, over 50 seeds', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const h = externalLifecycle(seed);
      expect(h.violations, `seed ${seed}`).toEqual([]);
    }
  });

  it('deploys, recovers in place, waits for a lost node, replaces, and rolls out an update', () => {
    const h = lifecycle(7);
    expect(h.violations).toEqual([]);
  });

  it('holds its invariants over 100 seeds (offer order shuffled)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const h = lifecycle(seed);
      expect(h.violations, `seed ${seed}`).toEqual([]);
    }
  });
});
