/**
 * A small deterministic cluster for the stateful reconciler (tests only): agents with
 * resources, one framework, offers made of what each reachable UP agent holds minus what
 * its live tasks use, and the runtime's side of each pass — kills, expunges, offers
 * resolved and accepted (checked by `applyOperations`), tasks moving on one state per tick.
 *
 * Every pass checks the safety invariants and records a violation instead of throwing,
 * so property tests can report the first one:
 *   - at most one live task per (pod instance, task name)
 *   - a task is launched only on an agent holding every volume of its pod instance
 *   - a pod instance's reservation moves to another agent only with a new generation
 */
import { applyOperations, type TaskLaunch } from '../../offers/operations.js';
import type { PlacementCandidate } from '../../placement/types.js';
import { SeededRandom } from '../../random/seeded-random.js';
import { Resources } from '../../resources/resources.js';
import { res } from '../../resources/parse.js';
import { instanceName } from '../identity.js';
import { recordAcceptedOperations, resolveOfferOperations } from '../offer-operations.js';
import { isTerminalTask, reconcileStatefulService, requestPodReplace, requestPodRestart } from '../reconcile-stateful.js';
import type { AgentLiveness, PlanState, PodInstanceState, StatefulDecision, StatefulLaunchPayload, StatefulServiceSpec, StatefulTask } from '../types.js';

/** The harness's `data` key of an external volume: one store every agent reaches. */
export function externalKey(name: string): string {
  return `external:${name}`;
}

interface SimAgent {
  id: string;
  hostname: string;
  zone: string;
  /** What the agent holds, reservations and volumes applied. */
  held: Resources;
  reachable: boolean;
  unreachableSince?: number;
}

export interface HarnessOptions {
  agents?: number;
  agentResources?: string;
  seed?: number;
  /** Ticks a task stays STAGING (then RUNNING; then ready one tick later if it has a readiness check). */
  stagingTicks?: number;
}

export class StatefulHarness {
  readonly agents: SimAgent[] = [];
  spec: StatefulServiceSpec;
  pastSpecs: StatefulServiceSpec[] = [];
  plans: PlanState[] = [];
  instances: PodInstanceState[] = [];
  now = 1_000_000;
  readonly violations: string[] = [];
  readonly log: string[] = [];
  last: StatefulDecision | undefined;
  /** Task id → resources it uses and its payload. */
  private readonly launched = new Map<string, { agentId: string; resources: Resources; payload: StatefulLaunchPayload; ticks: number }>();
  /** Tasks expunged while unreachable: killed if their agent returns. */
  private readonly expunged = new Set<string>();
  private readonly random: SeededRandom;
  private readonly stagingTicks: number;
  /** Volume id (or `externalKey(name)`) → bytes "written": data stays with its volume, wherever an external one is used from. */
  readonly data = new Map<string, number>();

  constructor(spec: StatefulServiceSpec, options: HarnessOptions = {}) {
    this.spec = spec;
    this.random = new SeededRandom(options.seed ?? 1);
    this.stagingTicks = options.stagingTicks ?? 1;
    const n = options.agents ?? 3;
    for (let i = 0; i < n; i++) {
      const id = `a${i + 1}`;
      this.agents.push({ id, hostname: `${id}.example`, zone: 'abc'[i % 3]!, held: res(options.agentResources ?? 'cpus:4;mem:4096;disk:10000;ports:[31000-31010]'), reachable: true });
    }
  }

  liveness(): AgentLiveness[] {
    return this.agents.map((a) => ({ id: a.id, hostname: a.hostname, reachable: a.reachable, mode: 'UP' as const, ...(a.unreachableSince !== undefined ? { unreachableSince: a.unreachableSince } : {}) }));
  }

  instance(name: string): PodInstanceState | undefined {
    return this.instances.find((i) => instanceName(i) === name);
  }

  private setInstance(next: PodInstanceState): void {
    const name = instanceName(next);
    this.instances = this.instances.some((i) => instanceName(i) === name) ? this.instances.map((i) => (instanceName(i) === name ? next : i)) : [...this.instances, next];
  }

  private mapTasks(fn: (t: StatefulTask) => StatefulTask): void {
    this.instances = this.instances.map((i) => ({ ...i, tasks: i.tasks.map(fn) }));
  }

  private end(t: StatefulTask, state: StatefulTask['state']): StatefulTask {
    this.launched.delete(t.taskId);
    return { ...t, state, endedAt: this.now };
  }

  // ─── Events ─────────────────────────────────────────────────────────────────────

  failTask(podInstance: string, state: 'TASK_FAILED' | 'TASK_KILLED' = 'TASK_FAILED'): void {
    this.instances = this.instances.map((i) => (instanceName(i) !== podInstance ? i : { ...i, tasks: i.tasks.map((t) => (isTerminalTask(t) || !this.agentOf(t)?.reachable ? t : this.end(t, state))) }));
    this.log.push(`${this.now}: ${podInstance} ${state}`);
  }

  loseAgent(agentId: string): void {
    const a = this.agents.find((x) => x.id === agentId)!;
    a.reachable = false;
    a.unreachableSince = this.now;
    this.mapTasks((t) => (t.agentId === agentId && !isTerminalTask(t) ? { ...t, state: 'TASK_UNREACHABLE' } : t));
    this.log.push(`${this.now}: lost ${agentId}`);
  }

  returnAgent(agentId: string): void {
    const a = this.agents.find((x) => x.id === agentId)!;
    a.reachable = true;
    delete a.unreachableSince;
    // An expunged task still running there is killed when its agent comes back (Marathon, and our runtime).
    for (const id of this.expunged) if (this.launched.get(id)?.agentId === agentId) this.launched.delete(id);
    this.mapTasks((t) => {
      if (t.agentId !== agentId || t.state !== 'TASK_UNREACHABLE') return t;
      // An expunged task is killed when its agent comes back (Marathon, and our runtime).
      return this.expunged.has(t.taskId) ? this.end(t, 'TASK_KILLED') : { ...t, state: 'TASK_RUNNING' };
    });
    this.log.push(`${this.now}: ${agentId} back`);
  }

  podRestart(podInstance: string): void {
    this.setInstance(requestPodRestart(this.instance(podInstance)!, this.now));
  }

  podReplace(podInstance: string): void {
    this.setInstance(requestPodReplace(this.instance(podInstance)!, this.now));
  }

  updateSpec(next: StatefulServiceSpec): void {
    this.pastSpecs.push(this.spec);
    this.spec = next;
  }

  private agentOf(t: StatefulTask): SimAgent | undefined {
    return this.agents.find((a) => a.id === t.agentId);
  }

  // ─── One pass ───────────────────────────────────────────────────────────────────

  private progressTasks(): void {
    this.mapTasks((t) => {
      const l = this.launched.get(t.taskId);
      if (!l || isTerminalTask(t) || t.state === 'TASK_UNREACHABLE') return t;
      l.ticks++;
      if (t.state === 'TASK_STAGING' && l.ticks >= this.stagingTicks) {
        if (l.payload.goal === 'FINISHED') return this.end(t, 'TASK_FINISHED');
        for (const v of l.payload.volumes) this.data.set(v.volumeId, (this.data.get(v.volumeId) ?? 0) + 1);
        for (const v of l.payload.externalVolumes) this.data.set(externalKey(v.name), (this.data.get(externalKey(v.name)) ?? 0) + 1);
        return { ...t, state: 'TASK_RUNNING', ready: l.payload.readinessCheck ? false : null };
      }
      if (t.state === 'TASK_RUNNING' && l.payload.readinessCheck && t.ready !== true) return { ...t, ready: true };
      return t;
    });
  }

  private offers(): PlacementCandidate[] {
    const used = new Map<string, Resources>();
    for (const l of this.launched.values()) used.set(l.agentId, (used.get(l.agentId) ?? Resources.EMPTY).plus(l.resources));
    const offers = this.agents
      .filter((a) => a.reachable)
      .map((a) => ({ id: `o-${a.id}-${this.now}`, agentId: a.id, hostname: a.hostname, zone: a.zone, role: this.spec.role, resources: a.held.minus(used.get(a.id) ?? Resources.EMPTY) }));
    return this.random.shuffle(offers);
  }

  private checkLaunch(instance: PodInstanceState, tasks: readonly TaskLaunch[], agentId: string, agentHeld: Resources): void {
    const name = instanceName(instance);
    for (const task of tasks) {
      const p = task.payload as StatefulLaunchPayload;
      if (instance.tasks.some((t) => t.name === p.task && !isTerminalTask(t))) this.violations.push(`${this.now}: second live ${p.task} of ${name}`);
      for (const v of p.volumes) {
        if (!agentHeld.items.some((r) => r.volume?.id === v.volumeId)) this.violations.push(`${this.now}: ${task.taskId} launched on ${agentId} without volume ${v.volumeId}`);
      }
    }
    const r = instance.reservation;
    if (r && r.agentId !== agentId) this.violations.push(`${this.now}: ${name} moved from ${r.agentId} to ${agentId} within generation ${instance.generation}`);
  }

  /** One reconcile pass and its execution; then time moves on by `stepMs`. */
  step(stepMs = 1_000): StatefulDecision {
    this.progressTasks();
    const decision = reconcileStatefulService({ spec: this.spec, pastSpecs: this.pastSpecs, plans: this.plans, instances: this.instances, agents: this.liveness(), now: this.now });
    this.last = decision;
    this.plans = [...decision.plans];
    this.instances = [...decision.instances];

    for (const k of decision.kills) {
      this.mapTasks((t) => (t.taskId === k.taskId ? this.end(t, 'TASK_KILLED') : t));
      this.log.push(`${this.now}: kill ${k.taskId} (${k.reason})`);
    }
    for (const id of decision.expunge) {
      this.expunged.add(id);
      this.mapTasks((t) => (t.taskId === id ? { ...t, state: 'TASK_GONE', endedAt: this.now } : t));
      this.log.push(`${this.now}: expunge ${id}`);
    }

    const offers = this.offers();
    for (const need of decision.needs) {
      const instance = this.instance(need.podInstance)!;
      for (const offer of offers) {
        if (need.agentId !== null && offer.agentId !== need.agentId) continue;
        const resolved = resolveOfferOperations(need, offer);
        if (!resolved.ok) continue;
        const agent = this.agents.find((a) => a.id === offer.agentId)!;
        const applied = applyOperations(offer.resources, resolved.operations, { role: need.role });
        if (!applied.ok) {
          this.violations.push(`${this.now}: resolved operations rejected: ${applied.error.message}`);
          break;
        }
        // The agent's holdings after the conversions; what the offer still has is used by the launches.
        let held = agent.held;
        for (const c of applied.applied.conversions) held = held.minus(c.consumed).plus(c.converted);
        if (need.purpose !== 'CLEANUP') this.checkLaunch(instance, resolved.launched, offer.agentId, held);
        agent.held = held;
        (offer as { resources: Resources }).resources = applied.applied.remaining;
        for (const t of resolved.launched) this.launched.set(t.taskId, { agentId: offer.agentId, resources: t.resources, payload: t.payload as StatefulLaunchPayload, ticks: 0 });
        this.setInstance(recordAcceptedOperations(instance, need, resolved, this.now));
        this.log.push(`${this.now}: ${need.purpose} ${need.podInstance} on ${offer.agentId}: ${resolved.operations.map((o) => o.type).join(',')}`);
        break;
      }
    }
    this.now += stepMs;
    return decision;
  }

  /** Steps until `done` holds (checked after each step) or `max` steps pass. */
  runUntil(done: (h: this) => boolean, max = 200): number {
    for (let i = 1; i <= max; i++) {
      this.step();
      if (done(this)) return i;
    }
    throw new Error(`not done after ${max} steps\n${this.log.slice(-20).join('\n')}`);
  }

  plan(name: string): PlanState | undefined {
    return this.plans.find((p) => p.name === name);
  }
}
