/**
 * Safety of the stateful reconciler over random histories (fast-check): tasks failing and
 * killed, agents lost and returning, pod restarts and replaces, config changes — with
 * every offer round resolved and accepted as the runtime would. After every pass:
 *   - never two live tasks for one pod instance (per task name);
 *   - a pod never launches on an agent without its volumes;
 *   - `pod replace` is the only move: a pod instance's agent changes only with its generation;
 *   - a pod instance whose agent is lost is told to WAIT, and gets no need elsewhere.
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

function check(h: StatefulHarness): void {
  // Never two live tasks for one pod instance.
  for (const inst of h.instances) {
    const live = inst.tasks.filter((t) => !isTerminalTask(t));
    const names = live.map((t) => t.name);
    expect(new Set(names).size, `${instanceName(inst)}: ${names.join(',')}`).toBe(names.length);
  }
  // A pod whose agent is lost waits, and nothing is asked for it elsewhere.
  const decision = h.last!;
  for (const inst of decision.instances) {
    const r = inst.reservation;
    if (!r || h.agents.find((a) => a.id === r.agentId)?.reachable) continue;
    const name = instanceName(inst);
    const p = decision.pods.find((x) => x.podInstance === name)!;
    if (p.action !== 'KILL') expect(p.action, `${name}: ${p.reason}`).toBe('WAIT');
    expect(decision.needs.filter((n) => n.podInstance === name && n.purpose !== 'CLEANUP')).toEqual([]);
  }
}

describe('stateful reconciler properties', () => {
  it('keeps its safety invariants over random histories', () => {
    fc.assert(
      fc.property(fc.array(arbEvent, { minLength: 1, maxLength: 25 }), fc.integer({ min: 1, max: 1000 }), (events, seed) => {
        const spec = aStatefulService().pod(aPod('db').count(3).resources(1, 256).port('p').volume('data', 100).placement({ field: 'hostname', operator: 'UNIQUE' }).readiness()).build();
        const h = new StatefulHarness(spec, { agents: 4, seed });
        let version = 1;
        const pod = (i: number) => `db-${i}`;
        for (const e of events) {
          switch (e.kind) {
            case 'tick':
              for (let i = 0; i < e.n; i++) {
                h.step();
                check(h);
              }
              continue;
            case 'fail':
              h.failTask(pod(e.pod));
              break;
            case 'kill':
              h.failTask(pod(e.pod), 'TASK_KILLED');
              break;
            case 'restart':
              if (h.instance(pod(e.pod))) h.podRestart(pod(e.pod));
              break;
            case 'replace':
              if (h.instance(pod(e.pod))) h.podReplace(pod(e.pod));
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
          check(h);
        }
        expect(h.violations).toEqual([]);
      }),
      { numRuns: 150 },
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
