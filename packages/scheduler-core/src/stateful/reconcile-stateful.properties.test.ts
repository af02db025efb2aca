/**
 * Safety of the stateful reconciler over random histories (fast-check): tasks failing and
 * killed, agents lost and returning, pod restarts and replaces, config changes — with
 * every offer round resolved and accepted as the runtime would. After every pass:
 *   - never two live tasks for one pod instance (per task name);
 *   - a pod never launches on an agent without its volumes;
 *   - a pod instance's agent changes only with its generation (`pod replace`, or the move
 *     of a pod whose volumes are all external);
 *   - a pod instance with a local volume whose agent is lost is told to WAIT, and gets no
 *     need elsewhere; one with external volumes only is never left waiting for a lost
 *     agent: its tasks there are expunged and it is placed anew, never on that agent.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { instanceName } from './identity.js';
import { isTerminalTask } from './reconcile-stateful.js';
import { StatefulHarness } from './testing/stateful-harness.js';
import { aPod, aStatefulService } from './testing/stateful-builders.js';

type Event =
  | { kind: 'tick'; n: number }
  | { kind: 'fail' | 'kill' | 'restart' | 'replace'; pod: number }
  | { kind: 'lose' | 'return'; agent: number }
  | { kind: 'update' };

const arbEvent: fc.Arbitrary<Event> = fc.oneof(
  fc.record({ kind: fc.constant('tick' as const), n: fc.integer({ min: 1, max: 6 }) }),
  fc.record({ kind: fc.constantFrom('fail' as const, 'kill' as const, 'restart' as const, 'replace' as const), pod: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constantFrom('lose' as const, 'return' as const), agent: fc.integer({ min: 0, max: 3 }) }),
  fc.constant({ kind: 'update' as const }),
);

function check(h: StatefulHarness, external: boolean): void {
  // Never two live tasks for one pod instance.
  for (const inst of h.instances) {
    const live = inst.tasks.filter((t) => !isTerminalTask(t));
    const names = live.map((t) => t.name);
    expect(new Set(names).size, `${instanceName(inst)}: ${names.join(',')}`).toBe(names.length);
  }
  const decision = h.last!;
  for (const inst of decision.instances) {
    const r = inst.reservation;
    if (!r || h.agents.find((a) => a.id === r.agentId)?.reachable) continue;
    const name = instanceName(inst);
    const p = decision.pods.find((x) => x.podInstance === name)!;
    if (external) {
      // Its data is elsewhere: it is being moved (its lost tasks expunged), never waiting.
      expect(p.action, `${name}: ${p.reason}`).toBe('KILL');
      expect(decision.plans.find((pl) => pl.name === 'recovery')!.phases.find((ph) => ph.name === name)?.steps[0]?.kind).toBe('REPLACE');
    } else {
      // A pod whose agent is lost waits, and nothing is asked for it elsewhere.
      if (p.action !== 'KILL') expect(p.action, `${name}: ${p.reason}`).toBe('WAIT');
      expect(decision.needs.filter((n) => n.podInstance === name && n.purpose !== 'CLEANUP')).toEqual([]);
    }
  }
  // Nothing is ever asked of an unreachable agent.
  for (const n of decision.needs) if (n.agentId !== null) expect(h.agents.find((a) => a.id === n.agentId)?.reachable, `${n.purpose} ${n.podInstance} on ${n.agentId}`).toBe(true);
}

describe('stateful reconciler properties', () => {
  it('keeps its safety invariants over random histories', () => {
    fc.assert(
      fc.property(fc.array(arbEvent, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(), (events, seed, external) => {
        const pod = aPod('db').count(3).resources(1, 256).port('p').placement({ field: 'hostname', operator: 'UNIQUE' }).readiness();
        const spec = aStatefulService().pod(external ? pod.externalVolume('data', 'dbdata') : pod.volume('data', 100)).build();
        const h = new StatefulHarness(spec, { agents: 4, seed });
        let version = 1;
        const podName = (i: number) => `db-${i}`;
        for (const e of events) {
          switch (e.kind) {
            case 'tick':
              for (let i = 0; i < e.n; i++) {
                h.step();
                check(h, external);
              }
              continue;
            case 'fail':
              h.failTask(podName(e.pod));
              break;
            case 'kill':
              h.failTask(podName(e.pod), 'TASK_KILLED');
              break;
            case 'restart':
              if (h.instance(podName(e.pod))) h.podRestart(podName(e.pod));
              break;
            case 'replace':
              if (h.instance(podName(e.pod))) h.podReplace(podName(e.pod));
              break;
            case 'lose':
              h.loseAgent(h.agents[e.agent]!.id);
              break;
            case 'return':
              if (!h.agents[e.agent]!.reachable) h.returnAgent(h.agents[e.agent]!.id);
              break;
            case 'update':
              version++;
              h.updateSpec({ ...h.spec, configId: `c${version}`, pods: h.spec.pods.map((p) => ({ ...p, tasks: p.tasks.map((t) => ({ ...t, env: { V: String(version) } })) })) });
              break;
          }
          h.step();
          check(h, external);
        }
        expect(h.violations).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic: the same input gives the same decision', () => {
    const spec = aStatefulService().pod(aPod('db').count(3).volume('data', 100)).build();
    const a = new StatefulHarness(spec, { seed: 3 });
    const b = new StatefulHarness(spec, { seed: 3 });
    for (let i = 0; i < 12; i++) {
      if (i === 6) {
        a.failTask('db-1');
        b.failTask('db-1');
      }
      expect(JSON.stringify(a.step())).toEqual(JSON.stringify(b.step()));
    }
  });
});
