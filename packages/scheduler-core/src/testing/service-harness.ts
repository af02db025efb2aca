/**
 * A deterministic stand-in for the leader's runtime and the agents, for driving
 * `reconcileService` over virtual time (excluded from the build). Each `step` reconciles,
 * records the decision (Nomad's Harness records plans instead of applying them), then
 * carries it out the way the runtime and an agent would:
 *
 *   launch n    n new instances of the spec's config, TASK_STAGING now
 *   kill        kill requested now; the task ends (TASK_KILLED) `killMs` later, or when
 *               its agent comes back if unreachable
 *   expunge     forgotten
 *
 * and lets time act: STAGING → RUNNING after `startMs`, healthy `healthyMs` after running
 * (if health-checked), ready `readyMs` after that (if readiness-checked). Per-instance
 * jitter comes from a seeded `SeededRandom`, so a failing run replays from its seed.
 */
import { SeededRandom } from '../random/seeded-random.js';
import { isTerminalState } from '../services/instance-view.js';
import { reconcileService } from '../services/reconcile-service.js';
import type { DeploymentActionName, Instance, ReconcileInput, ServiceDecision, ServiceSpec } from '../services/types.js';

export interface HarnessTiming {
  startMs: number;
  healthyMs: number;
  readyMs: number;
  killMs: number;
  /** Each duration is stretched by up to this fraction, per instance. */
  jitter: number;
}

export const DEFAULT_TIMING: HarnessTiming = { startMs: 2_000, healthyMs: 3_000, readyMs: 1_000, killMs: 1_000, jitter: 0 };

export interface HarnessStep {
  readonly now: number;
  /** The instances the decision was made on. */
  readonly before: readonly Instance[];
  readonly decision: ServiceDecision;
}

export class ServiceHarness {
  instances: Instance[];
  now: number;
  readonly steps: HarnessStep[] = [];
  private readonly random: SeededRandom;
  private readonly timing: HarnessTiming;
  private launched = 0;
  /** When each instance's next lifecycle change is due. */
  private readonly due = new Map<string, number>();

  constructor(
    public spec: ServiceSpec,
    instances: readonly Instance[],
    options: { now?: number; seed?: number; timing?: Partial<HarnessTiming> } = {},
  ) {
    this.instances = instances.map((i) => ({ ...i }));
    this.now = options.now ?? 0;
    this.random = new SeededRandom(options.seed ?? 1);
    this.timing = { ...DEFAULT_TIMING, ...options.timing };
    // What was already under way carries on: kills end, launches start.
    for (const i of this.instances) {
      if (i.state === 'TASK_UNREACHABLE' || isTerminalState(i.state)) continue;
      if (i.killRequestedAt !== null || i.state === 'TASK_KILLING') this.due.set(i.taskId, this.now + this.timing.killMs);
      else if (i.state === 'TASK_STAGING' || i.state === 'TASK_STARTING') this.due.set(i.taskId, this.now + this.timing.startMs);
    }
  }

  private duration(ms: number): number {
    return Math.round(ms * (1 + this.timing.jitter * this.random.next()));
  }

  /** Reconciles at the current time and carries the decision out. */
  step(action: DeploymentActionName | null, extra: Partial<ReconcileInput> = {}): ServiceDecision {
    const before = this.instances.map((i) => ({ ...i }));
    const decision = reconcileService({ spec: this.spec, action, instances: before, delay: null, now: this.now, ...extra });
    this.steps.push({ now: this.now, before, decision });
    this.apply(decision);
    return decision;
  }

  apply(decision: ServiceDecision): void {
    const expunged = new Set(decision.expunge);
    this.instances = this.instances.filter((i) => !expunged.has(i.taskId));
    for (const k of decision.kill) {
      const i = this.instances.find((x) => x.taskId === k.taskId);
      if (!i) throw new Error(`harness: kill of unknown ${k.taskId}`);
      if (i.killRequestedAt !== null) throw new Error(`harness: ${k.taskId} killed twice`);
      i.killRequestedAt = this.now;
      if (i.state !== 'TASK_UNREACHABLE') this.due.set(i.taskId, this.now + this.duration(this.timing.killMs));
    }
    for (let n = 0; n < decision.launch; n++) {
      const taskId = `${this.spec.id.replace(/\//g, '_')}.${this.spec.configVersion.slice(0, 10)}.${String(++this.launched).padStart(4, '0')}`;
      const agent = `agent-${this.launched % 7}`;
      this.instances.push({
        taskId,
        agentId: agent,
        hostname: agent,
        configVersion: this.spec.configVersion,
        state: 'TASK_STAGING',
        healthy: null,
        ready: null,
        stagedAt: this.now,
        startedAt: null,
        unreachableSince: null,
        killRequestedAt: null,
      });
      this.due.set(taskId, this.now + this.duration(this.timing.startMs));
    }
  }

  /** Moves virtual time forward, letting instances start, turn healthy and ready, and end. */
  advance(ms: number): void {
    // The runtime reports an ended task once, then drops it.
    this.instances = this.instances.filter((i) => !isTerminalState(i.state));
    this.now += ms;
    for (const i of this.instances) {
      const at = this.due.get(i.taskId);
      if (at === undefined || at > this.now) continue;
      this.due.delete(i.taskId);
      if (i.killRequestedAt !== null || i.state === 'TASK_KILLING') {
        i.state = 'TASK_KILLED';
        continue;
      }
      if (i.state === 'TASK_STAGING' || i.state === 'TASK_STARTING') {
        i.state = 'TASK_RUNNING';
        i.startedAt = at;
        if (this.spec.healthChecked) this.due.set(i.taskId, at + this.duration(this.timing.healthyMs));
        else if (this.spec.readinessChecked) this.due.set(i.taskId, at + this.duration(this.timing.readyMs));
      } else if (i.state === 'TASK_RUNNING' && this.spec.healthChecked && i.healthy !== true) {
        i.healthy = true;
        if (this.spec.readinessChecked && i.configVersion === this.spec.configVersion) this.due.set(i.taskId, at + this.duration(this.timing.readyMs));
      } else if (i.state === 'TASK_RUNNING' && this.spec.readinessChecked) {
        i.ready = true;
      }
    }
  }

  /** Runs `action` until it completes (or `maxSteps`), `tickMs` apart; returns the steps taken. */
  runUntilComplete(action: DeploymentActionName, tickMs: number, maxSteps: number): number {
    for (let s = 1; s <= maxSteps; s++) {
      if (this.step(action).actionComplete) return s;
      this.advance(tickMs);
    }
    return -1;
  }
}
