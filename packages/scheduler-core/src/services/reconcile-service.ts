/**
 * The services framework's reconciler: one app's spec, its deployment action (if any) and
 * its instances at `now` in; what to launch, kill and forget out — as plain data, the
 * clock passed in (Nomad's `scheduler/reconciler` shape). The semantics are Marathon's:
 *
 *   every mode  expunge unreachable instances past expungeAfter; kill Overdue
 *               (STAGING/STARTING ≥ task_launch_timeout) and Unhealthy (health-failed,
 *               within the kill budget) instances — both are then replaced
 *   null        steady state: keep `instances` live (any config version: Marathon never
 *               restarts outside a deployment), replace what ended, subject to the backoff;
 *               kill surplus by kill order (also what happens when an agent comes back)
 *   Start       nothing: Marathon starts an app with 0 instances and scales it next step
 *   Scale       as steady state; complete when `instances` are live, healthy and ready and
 *               no kill is still in flight (Marathon waits for decommissioned instances)
 *   Restart     TaskReplaceActor, see `restart` below; with 0 instances, as Scale (Marathon's
 *               plan makes a change to 0 instances a ScaleApplication)
 *   Stop        kill everything; complete when nothing is left
 *
 * A kill chosen for an unreachable instance is an expunge instead (Marathon's
 * `KillAction.Decommission`): the kill cannot reach it; it is killed if it comes back.
 * With `unreachableStrategy: 'disabled'` such a kill is issued as a kill, for the agent's
 * return (Marathon does nothing: resident instances keep their reservation).
 *
 * Instances are sorted by task id first, so the decision does not depend on input order.
 */
import type { InstanceView } from './instance-view.js';
import { viewInstance } from './instance-view.js';
import { killOrder } from './kill-order.js';
import { resetLaunchDelay } from './launch-delay.js';
import { restartBounds } from './restart-strategy.js';
import type { KillReason, ReconcileInput, ServiceDecision, ServiceKill, ServiceSpec } from './types.js';

/** Marathon's `task_launch_timeout` default: 300 s to reach TASK_RUNNING. */
export const DEFAULT_LAUNCH_TIMEOUT_SECONDS = 300;

/** Collects kills and expunges; a view decided once is never decided again. */
class Decisions {
  readonly kill: ServiceKill[] = [];
  readonly expunge: string[] = [];
  private readonly decided = new Set<string>();
  private readonly expunged = new Set<string>();

  constructor(private readonly spec: ServiceSpec) {}

  has(v: InstanceView): boolean {
    return this.decided.has(v.instance.taskId);
  }

  /** Expunged now, or killed now while unreachable: gone for good. */
  forgotten(v: InstanceView): boolean {
    return this.expunged.has(v.instance.taskId);
  }

  forget(v: InstanceView): void {
    if (this.has(v)) return;
    this.decided.add(v.instance.taskId);
    this.expunged.add(v.instance.taskId);
    this.expunge.push(v.instance.taskId);
  }

  /** Kills `v` — or forgets it, if unreachable (a kill cannot reach it) and not resident ('disabled'). */
  stop(v: InstanceView, reason: KillReason): void {
    if (this.has(v)) return;
    if (v.unreachable !== null && this.spec.unreachableStrategy !== 'disabled') return this.forget(v);
    this.decided.add(v.instance.taskId);
    this.kill.push({ taskId: v.instance.taskId, reason });
  }
}

interface ModeResult {
  /** Launches wanted before the backoff and the unreachable budget. */
  launch: number;
  /** Complete, given that the wanted launches are all made (checked after gating). */
  complete: boolean;
}

export function reconcileService(input: ReconcileInput): ServiceDecision {
  const { spec, action, now } = input;
  const launchTimeoutMs = (input.launchTimeoutSeconds ?? DEFAULT_LAUNCH_TIMEOUT_SECONDS) * 1000;
  const views = [...input.instances]
    .sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0))
    .map((i) => viewInstance(i, spec, now, launchTimeoutMs));
  const order = killOrder(spec.killSelection);
  const d = new Decisions(spec);

  // Marathon's ExpungeOverdueLostTasksActor: unreachable past expungeAfter is forgotten.
  for (const v of views) if (v.unreachable === 'expunge') d.forget(v);

  if (action === 'StopApplication') return stopApplication(views, d);

  // Marathon's OverdueInstancesActor and HealthCheckActor, in every mode but Stop.
  let healthBudget = input.unhealthyKillBudget ?? Infinity;
  const held = new Set<string>();
  for (const v of views.filter((x) => x.live).sort(order)) {
    if (v.overdue) d.stop(v, 'Overdue');
    else if (v.healthFailed) {
      if (healthBudget > 0) {
        d.stop(v, 'Unhealthy');
        healthBudget--;
      } else held.add(v.instance.taskId);
    }
  }
  const live = () => views.filter((v) => v.live && !d.has(v));

  let mode: ModeResult;
  if (action === 'StartApplication') mode = { launch: 0, complete: true };
  else if (action === 'RestartApplication' && spec.instances > 0) mode = restart(spec, views, live, held, d, order);
  else mode = scale(spec, views, live, d, order);

  // Gate the launches: the backoff first (it holds every launch of this config), then the
  // budget for replacing unreachable instances (only launches that replace them count).
  let launch = mode.launch;
  let delayedUntil: number | null = null;
  const delay = resetLaunchDelay(input.delay, spec, now);
  if (launch > 0 && delay && now < delay.delayUntil) {
    delayedUntil = delay.delayUntil;
    launch = 0;
  }
  const inactive = views.filter((v) => v.unreachable === 'inactive' && !d.has(v)).length;
  const attributable = Math.min(launch, inactive);
  const unreachableReplacements = Math.min(attributable, Math.max(0, input.unreachableReplacementBudget ?? Infinity));
  launch -= attributable - unreachableReplacements;

  let wakeAt: number | null = delayedUntil;
  for (const v of views) {
    if (v.changesAt === null || v.changesAt <= now || d.has(v)) continue;
    if (wakeAt === null || v.changesAt < wakeAt) wakeAt = v.changesAt;
  }

  return {
    launch,
    kill: d.kill,
    expunge: d.expunge,
    actionComplete: action === null || (mode.complete && launch === mode.launch),
    delayedUntil,
    wakeAt,
    unreachableReplacements,
    unhealthyKillsHeld: held.size,
  };
}

/** A kill a deployment step waits for: sent (now or before) and not yet ended. A kill cannot reach an unreachable instance. */
function inFlightKill(v: InstanceView, d: Decisions): boolean {
  return !v.terminal && !d.forgotten(v) && v.unreachable === null && (v.killing || d.has(v));
}

function killsInFlight(views: readonly InstanceView[], d: Decisions): number {
  return views.filter((v) => inFlightKill(v, d)).length;
}

/** Steady state and ScaleApplication — Marathon's `ScalingProposition` and `TaskStartActor`. */
function scale(
  spec: ServiceSpec,
  views: readonly InstanceView[],
  live: () => InstanceView[],
  d: Decisions,
  order: (a: InstanceView, b: InstanceView) => number,
): ModeResult {
  const n = spec.instances;
  const current = live().sort(order);
  for (const v of current.slice(0, Math.max(0, current.length - n))) d.stop(v, 'ScalingApp');
  const kept = live();
  const launch = Math.max(0, n - kept.length);
  const complete = launch === 0 && kept.filter((v) => v.healthyReady).length >= n && killsInFlight(views, d) === 0;
  return { launch, complete };
}

/**
 * RestartApplication — Marathon's `TaskReplaceActor`, stated over the current instances
 * instead of an actor's counters (H = healthy old + healthy-and-ready new):
 *
 *   1. kill every old instance that is not healthy (Marathon queues unhealthy old ones
 *      first; they carry no capacity, so killing them never lowers H)
 *   2. kill healthy old ones while H > minHealthy (at ignition: H − minHealthy; then one
 *      per new instance that becomes healthy and ready)
 *   3. never more than maxCapacity live: surplus (left by an earlier deployment) goes,
 *      unhealthy first; never more than `instances` new ones
 *   4. launch min(instances − new, maxCapacity − live − kills in flight): a killed
 *      instance holds its resources until it ends (Marathon counts an old instance until
 *      its kill is confirmed)
 *   5. complete when no old instance is left and `instances` new ones are healthy and ready
 *
 * Health-failed instances the kill budget held back stay (they are killed as Unhealthy
 * when the budget allows), so a broken network cannot take them all down through step 1.
 */
function restart(
  spec: ServiceSpec,
  views: readonly InstanceView[],
  live: () => InstanceView[],
  held: ReadonlySet<string>,
  d: Decisions,
  order: (a: InstanceView, b: InstanceView) => number,
): ModeResult {
  const n = spec.instances;
  const { minHealthy, maxCapacity } = restartBounds(spec);

  // 1. Old instances without capacity.
  for (const v of live().sort(order)) if (!v.isNew && !v.healthy && !held.has(v.instance.taskId)) d.stop(v, 'Upgrading');

  // 2. Healthy old instances above minHealthy.
  const healthyCount = () => live().filter((v) => v.healthyReady).length;
  const healthyOld = live().filter((v) => !v.isNew && v.healthy).sort(order);
  const spare = Math.min(healthyOld.length, Math.max(0, healthyCount() - minHealthy));
  for (const v of healthyOld.slice(0, spare)) d.stop(v, 'Upgrading');

  // 3. Over maxCapacity, or more new than wanted.
  const over = live().length - maxCapacity;
  if (over > 0) for (const v of live().sort(order).slice(0, over)) d.stop(v, 'Upgrading');
  const fresh = live().filter((v) => v.isNew).sort(order);
  if (fresh.length > n) for (const v of fresh.slice(0, fresh.length - n)) d.stop(v, 'Upgrading');

  // 4. Launch within capacity.
  const remaining = live();
  const newLive = remaining.filter((v) => v.isNew);
  const inFlight = killsInFlight(views, d);
  const launch = Math.max(0, Math.min(n - newLive.length, maxCapacity - remaining.length - inFlight));

  // 5. Done when only new, healthy and ready instances remain.
  const oldLeft = views.some((v) => !v.isNew && ((v.live && !d.has(v)) || inFlightKill(v, d)));
  const complete = !oldLeft && launch === 0 && newLive.length === n && newLive.filter((v) => v.healthyReady).length >= n;
  return { launch, complete };
}

/** StopApplication: kill everything, forget the unreachable; done when nothing is left. */
function stopApplication(views: readonly InstanceView[], d: Decisions): ServiceDecision {
  for (const v of views) {
    if (v.terminal || d.has(v)) continue;
    // The app is going away: an unreachable instance is forgotten whatever the strategy.
    if (v.unreachable !== null) d.forget(v);
    else if (!v.killing) d.stop(v, 'StoppingApp');
  }
  return {
    launch: 0,
    kill: d.kill,
    expunge: d.expunge,
    actionComplete: killsInFlight(views, d) === 0,
    delayedUntil: null,
    wakeAt: null,
    unreachableReplacements: 0,
    unhealthyKillsHeld: 0,
  };
}
