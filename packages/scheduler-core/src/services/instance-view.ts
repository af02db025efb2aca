/**
 * How the reconciler sees one instance at `now` — Marathon's `Condition` and
 * `Instance.consideredHealthy`, on Mesos task states:
 *
 *   terminal     FINISHED FAILED KILLED ERROR DROPPED GONE UNKNOWN   (Marathon `Condition.Terminal`)
 *   killing      TASK_KILLING, or a kill already sent                 not live capacity, never re-killed
 *   unreachable  TASK_UNREACHABLE: live until `inactiveAfterSeconds` since `unreachableSince`,
 *                then inactive (replaced, not killed), expunged after `expungeAfterSeconds`
 *                (Marathon `UnreachableInactive`; both timers use ≥, `Timestamp.expired`);
 *                with `'disabled'` it stays live forever (resident apps)
 *   live         STAGING STARTING RUNNING, and unreachable-but-active
 *
 * Healthy: RUNNING and, if the instance's config has health checks, `healthy === true`.
 * Ready (new instances only, Marathon's `ReadinessBehavior`): `ready === true` when the
 * spec has readiness checks.
 */
import type { Instance, InstanceState, ServiceSpec } from './types.js';

const TERMINAL: ReadonlySet<InstanceState> = new Set<InstanceState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_UNKNOWN',
]);

export function isTerminalState(state: InstanceState): boolean {
  return TERMINAL.has(state);
}

export type UnreachablePhase = 'active' | 'inactive' | 'expunge';

export interface InstanceView {
  readonly instance: Instance;
  readonly terminal: boolean;
  /** TASK_KILLING or a kill already requested (and not terminal). */
  readonly killing: boolean;
  /** `null` when reachable. */
  readonly unreachable: UnreachablePhase | null;
  /** Counts toward the app's instances: not terminal, not killing, not inactive-unreachable. */
  readonly live: boolean;
  /** Launched with `spec.configVersion`. */
  readonly isNew: boolean;
  readonly running: boolean;
  /** RUNNING and (without health checks, or `healthy === true`); never while unreachable. */
  readonly healthy: boolean;
  /** Healthy, and ready if new and the spec has readiness checks: counts toward deployment progress. */
  readonly healthyReady: boolean;
  /** RUNNING, reachable, health-checked, `healthy === false`: Marathon kills it (`FailedHealthChecks`). */
  readonly healthFailed: boolean;
  /** STAGING/STARTING for at least the launch timeout (Marathon's `OverdueInstancesActor`). */
  readonly overdue: boolean;
  /** The next time this view changes by itself (unreachable timers, launch timeout), or null. */
  readonly changesAt: number | null;
}

export function viewInstance(instance: Instance, spec: ServiceSpec, now: number, launchTimeoutMs: number): InstanceView {
  const terminal = isTerminalState(instance.state);
  const killing = !terminal && (instance.state === 'TASK_KILLING' || instance.killRequestedAt !== null);
  let unreachable: UnreachablePhase | null = null;
  let changesAt: number | null = null;
  if (!terminal && instance.state === 'TASK_UNREACHABLE') {
    const strategy = spec.unreachableStrategy;
    if (strategy === 'disabled' || instance.unreachableSince === null) {
      // No timer to run (a missing `unreachableSince` is the runtime's bug; stay conservative: live).
      unreachable = 'active';
    } else {
      const since = instance.unreachableSince;
      const inactiveAt = since + strategy.inactiveAfterSeconds * 1000;
      const expungeAt = since + strategy.expungeAfterSeconds * 1000;
      if (now >= expungeAt) unreachable = 'expunge';
      else if (now >= inactiveAt) {
        unreachable = 'inactive';
        changesAt = expungeAt;
      } else {
        unreachable = 'active';
        changesAt = inactiveAt;
      }
    }
  }
  const staging = instance.state === 'TASK_STAGING' || instance.state === 'TASK_STARTING';
  const overdueAt = instance.stagedAt + launchTimeoutMs;
  const overdue = staging && !killing && now >= overdueAt;
  if (staging && !killing && !overdue) changesAt = overdueAt;
  const live = !terminal && !killing && (unreachable === null || unreachable === 'active');
  const running = instance.state === 'TASK_RUNNING';
  const checked = instance.healthChecked ?? spec.healthChecked;
  const isNew = instance.configVersion === spec.configVersion;
  const healthy = live && running && (!checked || instance.healthy === true);
  const healthyReady = healthy && (!isNew || !spec.readinessChecked || instance.ready === true);
  const healthFailed = live && running && checked && instance.healthy === false;
  return { instance, terminal, killing, unreachable, live, isNew, running, healthy, healthyReady, healthFailed, overdue, changesAt };
}
