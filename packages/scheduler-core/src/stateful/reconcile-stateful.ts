/**
 * The stateful service framework's reconciler (the SDK's plan coordinator, deploy /
 * update plan managers and `DefaultRecoveryPlanManager`, as one pure pass):
 *
 *   (spec, plans, pod instances, agents' liveness, now) → plans', instances', needs, kills
 *
 * One pass, in this order:
 *   1. plans: `deploy` is built on the first pass; a spec whose `configId` differs from the
 *      rollout plan's gets a new `update` plan (pods already at the config start COMPLETE)
 *   2. delays: a newly ended failed task grows its pod's backoff; a ready pod resets it
 *   3. recovery: a deployed pod instance whose tasks ended (not at their goal), or whose
 *      operator asked `pod restart` / `pod replace`, gets a phase of one step in the
 *      `recovery` plan (parallel); a newer failure replaces a COMPLETE phase; a replace
 *      overrides a restart still at work (SDK: failure "escalated"); a pod with no local
 *      volume whose agent is declared unreachable or forgotten gets a REPLACE (a move)
 *   4. candidates: the rollout plan's strategies pick steps first, then recovery's, never
 *      two steps on one pod instance (SDK dirty assets)
 *   5. each step at work is observed from its pod's tasks, and candidates work:
 *        stale tasks (other config, staged before a restart, or any on `pod replace`) are
 *        killed first — expunged if their agent is unreachable and the pod is replaced;
 *        then, once none is live: no reservation → PLACE (RESERVE, CREATE, LAUNCH on one
 *        agent); a reservation → RELAUNCH in place (LAUNCH on it, resized if the config
 *        changed cpus/mem/disk); its agent unreachable or not UP → WAITING, never elsewhere
 *        — except a pod with no local volume (all external, see volumes.ts) whose agent is
 *        declared unreachable: step 3 gives it a REPLACE that destroys nothing
 *   6. retired reservations (earlier generations) on reachable agents → CLEANUP
 *      (DESTROY, UNRESERVE)
 *
 * Safety, by construction and property-tested: a LAUNCH is only decided for a pod
 * instance with no live task (UNREACHABLE and UNKNOWN count as live: they may still run);
 * an in-place LAUNCH only on the agent holding the reservation and its volumes; a new
 * placement only for a pod instance without a reservation — at first deployment or after
 * `pod replace` (or the move of a pod without local volumes) moved its old reservation
 * to `retired`, its tasks on the lost agent expunged first.
 *
 * A move gives no fencing: a partitioned agent may still run the old task beside the new
 * one, both writing the external volume, until it comes back and the expunged task is
 * killed (Marathon's external volumes carry the same risk; providers that attach a
 * volume to one node at a time fence it, a shared directory does not).
 *
 * Semantics we copy and where we differ:
 * - SDK: TASK_FAILED/ERROR delay the retry (Backoff); so do we, with Marathon's
 *   numbers (1 s × 1.15 up to 300 s by default) — KILLED and lost tasks retry at once.
 * - SDK: with the default `NeverFailureMonitor` a lost node's pods wait until the
 *   operator replaces them; so do pods with a local volume here (there is no timed
 *   failure monitor). Pods whose volumes are all external move once the master declares
 *   their agent unreachable (Marathon's unreachable strategy for external volumes; the
 *   SDK's `TimedFailureMonitor`, with the master's heartbeat allowance as its timer).
 * - SDK: goal FINISH/ONCE tasks; ours is FINISHED (run to exit 0 once per deployment:
 *   recovery reruns one only if it failed).
 */
import { findPod, instanceName, podInstanceName, reservationLabelsFor, stepName, taskIdFor } from './identity.js';
import { resizeDelta } from './offer-operations.js';
import { activeSteps, buildPlan, candidateSteps, emptyRecoveryPlan } from './plans.js';
import { planSpecFor } from './spec.js';
import { isMovable, localVolumeDisk, localVolumes } from './volumes.js';
import type {
  AgentLiveness,
  OfferNeed,
  PhaseState,
  PlanState,
  PodInstanceAction,
  PodInstanceDecision,
  PodInstanceState,
  PodLaunchDelay,
  PodReservation,
  PodSpec,
  StatefulDecision,
  StatefulKill,
  StatefulKillReason,
  StatefulReconcileInput,
  StatefulServiceSpec,
  StatefulTask,
  StatefulTaskSpec,
  StepState,
  StepStatus,
} from './types.js';

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE']);
/** Ends that count as the task's own failure (backoff); a kill or a lost node does not. */
const FAILURE = new Set(['TASK_FAILED', 'TASK_ERROR']);

export function isTerminalTask(t: Pick<StatefulTask, 'state'>): boolean {
  return TERMINAL.has(t.state);
}

export function liveTasks(instance: PodInstanceState): StatefulTask[] {
  return instance.tasks.filter((t) => !isTerminalTask(t));
}

/** A fresh pod instance: nothing reserved, nothing launched. */
export function newPodInstance(pod: string, index: number): PodInstanceState {
  return { pod, index, generation: 1, reservation: null, launches: 0, tasks: [], retired: [], restartRequestedAt: null, replaceRequestedAt: null, delay: null };
}

/** `pod restart`: kill its tasks and relaunch them in place (its data stays). */
export function requestPodRestart(instance: PodInstanceState, now: number): PodInstanceState {
  return { ...instance, restartRequestedAt: now };
}

/** `pod replace`: kill its tasks, give up its reservation and volumes (their data is lost) and place it anew. */
export function requestPodReplace(instance: PodInstanceState, now: number): PodInstanceState {
  return { ...instance, replaceRequestedAt: now };
}

function launchDelayMs(failures: number, spec: StatefulServiceSpec): number {
  if (failures <= 0) return 0;
  const { backoffSeconds, backoffFactor, maxLaunchDelaySeconds } = spec.backoff;
  return Math.round(Math.min(backoffSeconds * Math.pow(backoffFactor, failures - 1), maxLaunchDelaySeconds) * 1000);
}

function taskSpecOf(pod: PodSpec | undefined, name: string): StatefulTaskSpec | undefined {
  return pod?.tasks.find((t) => t.name === name);
}

/** Whether `task` ran as its goal wants and is done with (a FINISHED-goal task that finished). */
function reachedGoal(task: StatefulTask, spec: StatefulTaskSpec | undefined): boolean {
  return spec?.goal === 'FINISHED' && task.state === 'TASK_FINISHED';
}

function isReady(task: StatefulTask, spec: StatefulTaskSpec | undefined): boolean {
  return task.state === 'TASK_RUNNING' && (spec?.readinessCheck === undefined || task.ready === true);
}

function latestByName(tasks: readonly StatefulTask[]): Map<string, StatefulTask> {
  const out = new Map<string, StatefulTask>();
  for (const t of tasks) {
    const prev = out.get(t.name);
    if (!prev || t.stagedAt > prev.stagedAt || (t.stagedAt === prev.stagedAt && t.taskId > prev.taskId)) out.set(t.name, t);
  }
  return out;
}

/** Step 2: count a newly ended failure once; forget the delay once the pod is ready. */
function nextDelay(instance: PodInstanceState, pod: PodSpec | undefined, spec: StatefulServiceSpec): PodLaunchDelay | null {
  const latest = [...latestByName(instance.tasks).values()];
  const failed = latest
    .filter((t) => t.endedAt !== null && (FAILURE.has(t.state) || (t.state === 'TASK_FINISHED' && taskSpecOf(pod, t.name)?.goal === 'RUNNING')))
    .sort((a, b) => a.endedAt! - b.endedAt! || (a.taskId < b.taskId ? -1 : 1))
    .pop();
  const delay = instance.delay;
  if (failed && failed.taskId !== delay?.lastFailedTaskId) {
    const failures = (delay?.failures ?? 0) + 1;
    return { failures, delayUntil: failed.endedAt! + launchDelayMs(failures, spec), lastFailedTaskId: failed.taskId };
  }
  if (delay && pod) {
    const running = pod.tasks.filter((t) => t.goal === 'RUNNING');
    const allReady = running.length > 0 && running.every((ts) => latest.some((t) => t.name === ts.name && isReady(t, ts)));
    if (allReady) return null;
  }
  return delay;
}

/** The tasks a recovery must relaunch: RUNNING-goal tasks without a live task, FINISHED-goal ones that failed. */
function tasksNeedingRecovery(instance: PodInstanceState, pod: PodSpec): string[] {
  const latest = latestByName(instance.tasks);
  const out: string[] = [];
  for (const ts of pod.tasks) {
    const t = latest.get(ts.name);
    if (!t) {
      if (ts.goal === 'RUNNING' && instance.launches > 0) out.push(ts.name);
      continue;
    }
    if (!isTerminalTask(t)) continue;
    if (ts.goal === 'FINISHED' && t.state === 'TASK_FINISHED') continue;
    out.push(ts.name);
  }
  return out;
}

interface StepWork {
  step: StepState;
  kills: StatefulKill[];
  expunge: string[];
  need: OfferNeed | null;
  instance: PodInstanceState;
  action: PodInstanceAction;
  reason: string;
  remedy?: string;
  delayedUntil?: number;
}

interface Context {
  input: StatefulReconcileInput;
  spec: StatefulServiceSpec;
  specs: Map<string, StatefulServiceSpec>;
  agents: Map<string, AgentLiveness>;
  instances: Map<string, PodInstanceState>;
  now: number;
}

function agentProblem(ctx: Context, agentId: string): { reason: string; remedy?: string } | null {
  const agent = ctx.agents.get(agentId);
  if (!agent) return { reason: `agent ${agentId} is not known to the master` };
  if (!agent.reachable) {
    const since = agent.unreachableSince !== undefined ? ` for ${Math.round((ctx.now - agent.unreachableSince) / 1000)} s` : '';
    return { reason: `agent ${agent.hostname} is unreachable${since}` };
  }
  if (agent.mode && agent.mode !== 'UP') return { reason: `agent ${agent.hostname} is ${agent.mode.toLowerCase()}` };
  return null;
}

/**
 * Why a pod instance waits for the agent holding its reservation: unreachable or unknown
 * (always), or not UP (only when something must be launched there: it is offered nothing).
 */
function waitingFor(ctx: Context, instance: PodInstanceState, forLaunch = true): { reason: string; remedy: string } | null {
  const r = instance.reservation;
  if (!r) return null;
  const problem = agentProblem(ctx, r.agentId);
  if (!problem) return null;
  if (!forLaunch && ctx.agents.get(r.agentId)?.reachable === true) return null;
  const name = instanceName(instance);
  const pod = findPod(specFor(ctx, r.configId), instance.pod);
  if (pod && isMovable(pod) && ctx.agents.get(r.agentId)?.reachable !== true) {
    // Only until the master declares the agent unreachable (or forgets it): then recovery moves it.
    return {
      reason: `waiting for ${r.hostname} (${problem.reason}); ${name} keeps no data there, so it is placed anew elsewhere once ${r.hostname} is declared unreachable`,
      remedy: `pod replace ${name} places it anew on another agent now; its external volumes keep their data`,
    };
  }
  const volumes = r.volumes.map((v) => v.id).join(', ');
  const holds = volumes !== '' ? `its volume${r.volumes.length > 1 ? 's' : ''} ${volumes}` : 'its reservation';
  return {
    reason: `waiting for ${r.hostname}: it holds ${holds} (${problem.reason}); ${name} is never relaunched elsewhere on its own`,
    remedy: `pod replace ${name} places it anew on another agent; the data on ${r.hostname} is lost`,
  };
}

/**
 * Whether the master has given up on an agent: declared unreachable (`unreachableSince`,
 * after its missed-heartbeat allowance) or forgotten. A merely disconnected agent (one
 * restarting) is not lost: its pods wait for it.
 */
function declaredLost(ctx: Context, agentId: string): boolean {
  const agent = ctx.agents.get(agentId);
  return !agent || (!agent.reachable && agent.unreachableSince !== undefined);
}

function specFor(ctx: Context, configId: string): StatefulServiceSpec {
  return ctx.specs.get(configId) ?? ctx.spec;
}

/**
 * Whether pod `pod` is configured the same in configs `a` and `b`, its count aside (SDK:
 * a task is redeployed only when its own spec changed — scaling a pod up, or changing
 * another pod, restarts nothing). An unknown config is never the same.
 */
function samePodConfig(ctx: Context, pod: string, a: string, b: string): boolean {
  if (a === b) return true;
  const x = ctx.specs.get(a);
  const y = ctx.specs.get(b);
  if (!x || !y || x.role !== y.role || x.principal !== y.principal) return false;
  const px = findPod(x, pod);
  const py = findPod(y, pod);
  if (!px || !py) return false;
  const { count: _cx, ...rx } = px;
  const { count: _cy, ...ry } = py;
  return JSON.stringify(rx) === JSON.stringify(ry);
}

/** Everything but cpus/mem that the step's target would change under a live reservation. */
function inPlaceProblem(pod: PodSpec, instance: PodInstanceState): string | null {
  const r = instance.reservation;
  if (!r) return null;
  const want = localVolumes(pod).map((v) => `${v.path}:${v.size}`).sort().join(',');
  const have = r.volumes.map((v) => `${v.containerPath}:${v.size}`).sort().join(',');
  if (want !== have) return `volumes cannot change in place (reserved: ${have || 'none'}; wanted: ${want || 'none'}); replace the pod instead`;
  if (pod.ports.length !== r.ports.length) return `the pod's ports cannot change in place (${r.ports.length} reserved, ${pod.ports.length} wanted)`;
  for (const p of pod.ports) if (p.port !== 0 && !r.ports.includes(p.port)) return `host port ${p.port} is not the reserved one (${r.ports.join(', ')})`;
  return null;
}

function stepWith(step: StepState, status: StepStatus, message?: string): StepState {
  const { message: _m, ...rest } = step;
  return message !== undefined ? { ...rest, status, message } : { ...rest, status };
}

/**
 * Step 5 for one step: observe its pod instance's tasks; if `work`, also decide the kills
 * and the offer need that move it on.
 */
function workStep(ctx: Context, plan: PlanState, step: StepState, work: boolean): StepWork {
  const stepSpec = specFor(ctx, step.configId);
  let instance = ctx.instances.get(step.podInstance)!;
  const pod = findPod(stepSpec, instance.pod);
  const base = { kills: [] as StatefulKill[], expunge: [] as string[], need: null as OfferNeed | null, instance };
  const result = (s: StepState, action: PodInstanceAction, reason: string, extra: Partial<StepWork> = {}): StepWork => ({ ...base, instance, step: s, action, reason, ...extra });

  if (!pod) return result(stepWith(step, 'ERROR', `pod ${instance.pod} is not in config ${step.configId}`), 'ERROR', `pod ${instance.pod} is not configured`);
  const mount = pod.volumes.find((v) => v.type === 'MOUNT');
  if (mount) {
    const msg = `volume ${mount.path} is a MOUNT volume: Gantry agents offer no mount disks yet; use ROOT`;
    return result(stepWith(step, 'ERROR', msg), 'ERROR', msg);
  }
  if (step.kind === 'DEPLOY') {
    const problem = inPlaceProblem(pod, instance);
    if (problem) return result(stepWith(step, 'ERROR', problem), 'ERROR', problem);
  }

  const notBefore = step.notBefore ?? -Infinity;
  const live = liveTasks(instance);
  const replacing = step.kind === 'REPLACE' && instance.generation < (step.generation ?? instance.generation + 1);
  const atConfig = (t: StatefulTask) => samePodConfig(ctx, instance.pod, t.configId, step.configId);
  const stale = live.filter((t) => replacing || !atConfig(t) || t.stagedAt < notBefore);

  // Kills come first (SDK: PREPARED = "tasks relevant to it have been killed if necessary").
  if (stale.length > 0) {
    if (!work) return result(step, 'KILL', `waiting for ${stale.map((t) => t.taskId).join(', ')} to end`);
    const reason: StatefulKillReason = step.kind === 'REPLACE' ? 'PodReplace' : step.kind === 'RESTART' ? 'PodRestart' : step.notBefore !== undefined && stale.every(atConfig) ? 'StepRestart' : 'ConfigUpdate';
    const kills: StatefulKill[] = [];
    const expunge: string[] = [];
    let unreachable = false;
    for (const t of stale) {
      const down = ctx.agents.get(t.agentId)?.reachable !== true;
      if (down && step.kind === 'REPLACE') expunge.push(t.taskId);
      else if (down) unreachable = true;
      else if (t.killRequestedAt === null) kills.push({ taskId: t.taskId, podInstance: step.podInstance, reason });
    }
    if (unreachable) {
      const w = waitingFor(ctx, instance);
      return result(stepWith(step, 'WAITING', w?.reason ?? 'waiting for an unreachable agent'), 'WAIT', w?.reason ?? 'waiting for an unreachable agent', { kills, ...(w ? { remedy: w.remedy } : {}) });
    }
    return result(stepWith(step, 'PREPARED'), 'KILL', `killing ${stale.map((t) => t.taskId).join(', ')} (${reason})`, { kills, expunge });
  }

  // `pod replace`, once nothing of the old generation runs: a new generation with nothing reserved.
  if (replacing) {
    if (!work) return result(step, 'KILL', 'waiting to replace');
    const generation = step.generation ?? instance.generation + 1;
    instance = {
      ...instance,
      generation,
      reservation: null,
      retired: instance.reservation ? [...instance.retired, instance.reservation] : instance.retired,
      delay: null,
    };
    step = { ...step, generation, notBefore: ctx.now };
  }

  // Nothing is known of tasks on a lost node: the step waits for it.
  const lost = waitingFor(ctx, instance, false);
  if (lost) return result(stepWith(step, 'WAITING', lost.reason), 'WAIT', lost.reason, { remedy: lost.remedy });

  // Observe the tasks this step launches.
  const counted = instance.tasks.filter((t) => atConfig(t) && t.stagedAt >= (step.notBefore ?? -Infinity));
  const latest = latestByName(counted);
  const required = step.kind === 'DEPLOY' || step.kind === 'REPLACE' ? pod.tasks.map((t) => t.name) : requiredForRestart(instance, pod, step);
  const missing: string[] = [];
  let starting = false;
  let started = false;
  for (const name of required) {
    const ts = taskSpecOf(pod, name);
    const t = latest.get(name);
    if (!t || (isTerminalTask(t) && !reachedGoal(t, ts))) missing.push(name);
    else if (t.state === 'TASK_RUNNING' && ts?.goal === 'RUNNING') {
      if (!isReady(t, ts)) started = true;
    } else if (!reachedGoal(t, ts)) starting = true;
  }

  if (missing.length === 0) {
    if (starting) return result(stepWith(step, 'STARTING'), 'NONE', `${step.podInstance} is starting`);
    if (started) return result(stepWith(step, 'STARTED'), 'NONE', `${step.podInstance} runs; waiting for its readiness check`);
    return result(stepWith(step, 'COMPLETE'), 'NONE', `${step.podInstance} is ready`);
  }

  // Something to launch. In place needs its agent; nothing is ever launched elsewhere.
  const w = waitingFor(ctx, instance);
  if (w) return result(stepWith(step, 'WAITING', w.reason), 'WAIT', w.reason, { remedy: w.remedy });
  if (!work) return result(step, 'NONE', `${step.podInstance}: ${step.status.toLowerCase()}`);
  if (liveTasks(instance).length > 0 && instance.reservation === null) {
    // Cannot happen with consistent input (live tasks imply a reservation); never place beside them.
    return result(stepWith(step, 'ERROR', 'live tasks without a reservation'), 'ERROR', 'live tasks without a reservation');
  }
  if (instance.delay && instance.delay.delayUntil > ctx.now) {
    const until = instance.delay.delayUntil;
    return result(stepWith(step, 'PENDING', `backing off after ${instance.delay.failures} failure(s)`), 'DELAYED', `relaunch delayed after ${instance.delay.failures} failure(s)`, { delayedUntil: until });
  }

  const launchIndex = instance.launches + 1;
  const tasks = missing.map((name) => ({ name, taskId: taskIdFor(ctx.spec.name, step.podInstance, name, launchIndex) }));
  const labels = reservationLabelsFor(ctx.spec.name, step.podInstance, instance.generation);
  const needBase = {
    podInstance: step.podInstance,
    plan: plan.name,
    step: step.name,
    role: ctx.spec.role,
    ...(ctx.spec.principal !== undefined ? { principal: ctx.spec.principal } : {}),
    labels,
    configId: step.configId,
    generation: instance.generation,
    service: ctx.spec.name,
    pod,
    tasks,
  };
  const volumeDisk = localVolumeDisk(pod);
  let need: OfferNeed;
  if (instance.reservation === null) {
    need = {
      ...needBase,
      purpose: 'PLACE',
      agentId: null,
      operations: localVolumes(pod).length > 0 ? ['RESERVE', 'CREATE', 'LAUNCH'] : ['RESERVE', 'LAUNCH'],
      request: {
        runSpecId: `${ctx.spec.name}/${pod.name}`,
        cpus: pod.resources.cpus,
        mem: pod.resources.mem,
        disk: pod.resources.disk + volumeDisk,
        ports: pod.ports.map((p) => p.port),
        requirePorts: true,
        constraints: pod.placement,
        // New reservations are made from unreserved resources only (no refinement of static ones).
        acceptedResourceRoles: ['*'],
        role: ctx.spec.role,
      },
      placed: [...ctx.instances.values()]
        .filter((o) => o.pod === instance.pod && instanceName(o) !== step.podInstance && o.reservation)
        .map((o) => ({ agentId: o.reservation!.agentId, hostname: o.reservation!.hostname })),
    };
  } else {
    const r = instance.reservation;
    const { grow, shrink } = resizeDelta(pod, r);
    need = {
      ...needBase,
      purpose: 'RELAUNCH',
      agentId: r.agentId,
      operations: [...(shrink.size > 0 ? (['UNRESERVE'] as const) : []), ...(grow.size > 0 ? (['RESERVE'] as const) : []), 'LAUNCH'],
      reservation: r,
      request: {
        runSpecId: `${ctx.spec.name}/${pod.name}`,
        cpus: pod.resources.cpus,
        mem: pod.resources.mem,
        role: ctx.spec.role,
        acceptedResourceRoles: [ctx.spec.role],
        reservationLabels: labels,
      },
    };
  }
  const where = need.agentId ? `in place on ${instance.reservation!.hostname}` : 'on a new agent';
  return result(stepWith(step, 'PREPARED'), need.purpose === 'PLACE' ? 'PLACE' : 'RELAUNCH', `${need.operations.join(' → ')} ${where} (${plan.name} ${step.name})`, { need, instance });
}

function requiredForRestart(instance: PodInstanceState, pod: PodSpec, step: StepState): string[] {
  // After `pod restart` everything with goal RUNNING comes back; after a failure, what ended.
  if (step.notBefore !== undefined) {
    const latest = latestByName(instance.tasks);
    return pod.tasks.filter((t) => t.goal === 'RUNNING' || latest.get(t.name)?.state !== 'TASK_FINISHED').map((t) => t.name);
  }
  const names = new Set(tasksNeedingRecovery(instance, pod));
  for (const t of pod.tasks) if (t.goal === 'RUNNING') names.add(t.name);
  return pod.tasks.filter((t) => names.has(t.name)).map((t) => t.name);
}

/** Step 3: the recovery plan's phases after this pass's failures and operator requests. */
function updateRecovery(ctx: Context, recovery: PlanState, dirty: Set<string>): { plan: PlanState; cleared: Set<string> } {
  const phases = new Map(recovery.phases.map((ph) => [ph.name, ph]));
  const cleared = new Set<string>();
  for (const instance of ctx.instances.values()) {
    const name = instanceName(instance);
    const pod = findPod(specFor(ctx, instance.reservation?.configId ?? ctx.spec.configId), instance.pod) ?? findPod(ctx.spec, instance.pod);
    if (!pod) continue;
    const existing = phases.get(name);
    const current = existing?.steps[0];
    const atWork = current !== undefined && current.status !== 'COMPLETE' && current.status !== 'ERROR';
    const configId = instance.reservation?.configId ?? latestByName(instance.tasks).values().next().value?.configId ?? ctx.spec.configId;
    const tasks = pod.tasks.map((t) => t.name);
    let step: StepState | null = null;
    if (instance.replaceRequestedAt !== null) {
      cleared.add(name);
      if (!(atWork && current.kind === 'REPLACE')) {
        step = { name: stepName(name, tasks), podInstance: name, kind: 'REPLACE', status: 'PENDING', configId, generation: instance.generation + 1 };
      }
    } else if (instance.reservation && isMovable(pod) && declaredLost(ctx, instance.reservation.agentId)) {
      // No data lives on the lost agent: place it anew elsewhere rather than wait (a
      // REPLACE that destroys nothing; the old generation is unreserved if the agent
      // returns, its tasks expunged and killed there). Once per generation.
      cleared.add(name);
      const moving = atWork && current.kind === 'REPLACE' && (current.generation ?? 0) > instance.generation;
      if (!moving) {
        const agentName = ctx.agents.get(instance.reservation.agentId)?.hostname ?? instance.reservation.agentId;
        step = { name: stepName(name, tasks), podInstance: name, kind: 'REPLACE', status: 'PENDING', configId, generation: instance.generation + 1, message: `${agentName} is lost; ${name} keeps no data there: placing it anew` };
      }
    } else if (instance.restartRequestedAt !== null) {
      cleared.add(name);
      if (!atWork && instance.reservation) {
        step = { name: stepName(name, tasks), podInstance: name, kind: 'RESTART', status: 'PENDING', configId, notBefore: instance.restartRequestedAt };
      }
    } else if (!atWork && !dirty.has(name) && instance.reservation && instance.launches > 0 && tasksNeedingRecovery(instance, pod).length > 0) {
      step = { name: stepName(name, tasks), podInstance: name, kind: 'RESTART', status: 'PENDING', configId };
    }
    if (step) phases.set(name, { name, strategy: 'serial', interrupted: existing?.interrupted ?? false, steps: [step] });
  }
  const ordered: PhaseState[] = [...recovery.phases.map((ph) => phases.get(ph.name)!), ...[...phases.values()].filter((ph) => !recovery.phases.some((o) => o.name === ph.name))];
  return { plan: { ...recovery, configId: ctx.spec.configId, phases: ordered }, cleared };
}

function replaceStep(plan: PlanState, step: StepState): PlanState {
  return {
    ...plan,
    phases: plan.phases.map((ph) => (ph.steps.some((s) => s.name === step.name && s.podInstance === step.podInstance) ? { ...ph, steps: ph.steps.map((s) => (s.name === step.name && s.podInstance === step.podInstance ? step : s)) } : ph)),
  };
}

/** Steps of an update plan for pods already at the target start COMPLETE (SDK: only what differs is deployed). */
function markUpToDate(ctx: Context, plan: PlanState): PlanState {
  return {
    ...plan,
    phases: plan.phases.map((ph) => ({
      ...ph,
      steps: ph.steps.map((s) => {
        const instance = ctx.instances.get(s.podInstance);
        const pod = findPod(ctx.spec, instance?.pod ?? '');
        if (!instance || !pod || !instance.reservation || !samePodConfig(ctx, pod.name, instance.reservation.configId, plan.configId)) return s;
        const latest = latestByName(instance.tasks);
        const atTarget = pod.tasks.every((ts) => {
          const t = latest.get(ts.name);
          return t !== undefined && samePodConfig(ctx, pod.name, t.configId, plan.configId) && (isReady(t, ts) || reachedGoal(t, ts));
        });
        return atTarget ? { ...s, status: 'COMPLETE' as const } : s;
      }),
    })),
  };
}

function uninstall(ctx: Context, plans: readonly PlanState[], destroyData: boolean): StatefulDecision {
  const kills: StatefulKill[] = [];
  const needs: OfferNeed[] = [];
  const pods: PodInstanceDecision[] = [];
  let done = true;
  for (const instance of ctx.instances.values()) {
    const name = instanceName(instance);
    const live = liveTasks(instance);
    for (const t of live) if (t.killRequestedAt === null && ctx.agents.get(t.agentId)?.reachable) kills.push({ taskId: t.taskId, podInstance: name, reason: 'Uninstall' });
    if (live.length > 0) done = false;
    const held = destroyData ? [...instance.retired, ...(instance.reservation ? [instance.reservation] : [])] : [];
    if (held.length > 0) done = false;
    if (live.length === 0) for (const r of held) if (!agentProblem(ctx, r.agentId)) needs.push(cleanupNeed(ctx, name, r));
    pods.push({
      podInstance: name,
      action: live.length > 0 ? 'KILL' : held.length > 0 ? 'WAIT' : 'NONE',
      plan: null,
      step: null,
      agentId: instance.reservation?.agentId ?? null,
      reason: live.length > 0 ? 'uninstalling: killing its tasks' : held.length > 0 ? 'uninstalling: destroying its volumes and unreserving' : 'uninstalled',
    });
  }
  return { plans: [...plans], instances: [...ctx.instances.values()], needs, kills, expunge: [], pods, wakeAt: null, uninstalled: done };
}

function cleanupNeed(ctx: Context, podInstance: string, reservation: PodReservation): OfferNeed {
  return {
    podInstance,
    purpose: 'CLEANUP',
    plan: null,
    step: null,
    agentId: reservation.agentId,
    operations: reservation.volumes.length > 0 ? ['DESTROY', 'UNRESERVE'] : ['UNRESERVE'],
    role: ctx.spec.role,
    ...(ctx.spec.principal !== undefined ? { principal: ctx.spec.principal } : {}),
    labels: reservationLabelsFor(ctx.spec.name, podInstance, reservation.generation),
    configId: reservation.configId,
    generation: reservation.generation,
    service: ctx.spec.name,
    tasks: [],
    reservation,
  };
}

export function reconcileStatefulService(input: StatefulReconcileInput): StatefulDecision {
  const { spec, now } = input;
  const specs = new Map<string, StatefulServiceSpec>();
  for (const s of input.pastSpecs ?? []) specs.set(s.configId, s);
  specs.set(spec.configId, spec);

  // Every configured pod instance exists (new ones fresh), in spec order; others are kept as they are.
  const given = new Map(input.instances.map((i) => [instanceName(i), i]));
  const instances = new Map<string, PodInstanceState>();
  for (const pod of spec.pods) for (let i = 0; i < pod.count; i++) {
    const name = podInstanceName(pod.name, i);
    instances.set(name, given.get(name) ?? newPodInstance(pod.name, i));
  }
  for (const [name, i] of [...given].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) if (!instances.has(name)) instances.set(name, i);

  const ctx: Context = { input, spec, specs, agents: new Map(input.agents.map((a) => [a.id, a])), instances, now };
  if (input.uninstall) return uninstall(ctx, input.plans, input.uninstall.destroyData);

  // 2. delays
  for (const [name, inst] of instances) {
    const pod = findPod(specFor(ctx, inst.reservation?.configId ?? spec.configId), inst.pod);
    const delay = nextDelay(inst, pod, spec);
    if (delay !== inst.delay) instances.set(name, { ...inst, delay });
  }

  // 1. plans
  let deploy = input.plans.find((p) => p.name === 'deploy') ?? buildPlan('deploy', planSpecFor(spec, 'deploy'), spec);
  let update = input.plans.find((p) => p.name === 'update') ?? null;
  let rolloutName: 'deploy' | 'update' = 'deploy';
  if (deploy.configId !== spec.configId) {
    rolloutName = 'update';
    if (!update || update.configId !== spec.configId) update = markUpToDate(ctx, buildPlan('update', planSpecFor(spec, 'update'), spec));
  }
  const custom = input.plans.filter((p) => p.name !== 'deploy' && p.name !== 'update' && p.name !== 'recovery');
  let rollout = rolloutName === 'deploy' ? deploy : update!;

  // 4. candidates: the rollout plan first, then recovery, one step per pod instance.
  let recovery = input.plans.find((p) => p.name === 'recovery') ?? emptyRecoveryPlan(spec.configId);
  const recoveryActive = new Set(activeSteps(recovery).map((s) => s.podInstance));
  // Pods the rollout works on (at work, or picked now) are not recovered by the recovery plan.
  const rolloutDirty = new Set([...activeSteps(rollout), ...candidateSteps(rollout, (pi) => recoveryActive.has(pi))].map((s) => s.podInstance));

  // 3. recovery (pods the rollout works on are not recovered by it)
  const recovered = updateRecovery(ctx, recovery, rolloutDirty);
  recovery = recovered.plan;
  for (const name of recovered.cleared) {
    const inst = instances.get(name)!;
    instances.set(name, { ...inst, restartRequestedAt: null, replaceRequestedAt: null });
  }
  // A replace overrides the rollout's hold on the pod: the operator asked for it.
  const replacing = new Set(recovery.phases.flatMap((ph) => ph.steps).filter((s) => s.kind === 'REPLACE' && s.status !== 'COMPLETE' && s.status !== 'ERROR').map((s) => s.podInstance));

  const kills: StatefulKill[] = [];
  const expunge: string[] = [];
  const needs: OfferNeed[] = [];
  const podDecisions = new Map<string, PodInstanceDecision>();
  let wakeAt: number | null = null;

  const record = (plan: PlanState, s: StepState, w: StepWork): void => {
    kills.push(...w.kills);
    expunge.push(...w.expunge);
    if (w.need) needs.push(w.need);
    if (w.delayedUntil !== undefined) wakeAt = wakeAt === null ? w.delayedUntil : Math.min(wakeAt, w.delayedUntil);
    podDecisions.set(s.podInstance, {
      podInstance: s.podInstance,
      action: w.action,
      plan: plan.name,
      step: s.name,
      agentId: w.instance.reservation?.agentId ?? null,
      reason: w.reason,
      ...(w.remedy !== undefined ? { remedy: w.remedy } : {}),
      ...(w.delayedUntil !== undefined ? { delayedUntil: w.delayedUntil } : {}),
    });
  };

  /**
   * Works the plan's candidates, again as long as finishing one lets another begin (a
   * serial phase moves on in the same pass), then observes the steps at work that its
   * strategies did not pick (a paused phase's steps still see their tasks).
   */
  const run = (plan: PlanState, busy: (podInstance: string) => boolean): { plan: PlanState; worked: Set<string> } => {
    const key = (s: StepState) => `${s.podInstance}\u0000${s.name}`;
    const worked = new Set<string>();
    const workedPods = new Set<string>();
    let next = plan;
    for (let round = 0; round <= plan.phases.reduce((n, ph) => n + ph.steps.length, 0); round++) {
      const fresh = candidateSteps(next, (pi) => busy(pi) || workedPods.has(pi)).filter((s) => !worked.has(key(s)) && instances.has(s.podInstance));
      if (fresh.length === 0) break;
      for (const s of fresh) {
        worked.add(key(s));
        workedPods.add(s.podInstance);
        const w = workStep(ctx, next, s, true);
        next = replaceStep(next, w.step);
        instances.set(s.podInstance, w.instance);
        record(next, s, w);
      }
    }
    for (const ph of next.phases) {
      for (const s of ph.steps) {
        const atWork = s.status === 'PREPARED' || s.status === 'STARTING' || s.status === 'STARTED' || s.status === 'WAITING';
        if (!atWork || worked.has(key(s)) || !instances.has(s.podInstance)) continue;
        next = replaceStep(next, workStep(ctx, next, s, false).step);
      }
    }
    return { plan: next, worked: workedPods };
  };

  const rolloutRun = run(rollout, (pi) => recoveryActive.has(pi) || replacing.has(pi));
  rollout = rolloutRun.plan;
  const rolloutBusy = new Set([...activeSteps(rollout).map((s) => s.podInstance), ...rolloutRun.worked]);
  recovery = run(recovery, (pi) => rolloutBusy.has(pi) && !replacing.has(pi)).plan;
  if (rolloutName === 'deploy') deploy = rollout;
  else update = rollout;

  // 6. retired reservations, destroyed and unreserved when their agent offers them again.
  for (const inst of instances.values()) {
    for (const r of inst.retired) if (!agentProblem(ctx, r.agentId)) needs.push(cleanupNeed(ctx, instanceName(inst), r));
  }

  // Every pod instance says what it is doing; one on a lost node says it waits, and why.
  const pods: PodInstanceDecision[] = [];
  for (const inst of instances.values()) {
    const name = instanceName(inst);
    const decided = podDecisions.get(name);
    if (decided) {
      pods.push(decided);
      continue;
    }
    const w = waitingFor(ctx, inst, false);
    if (w) {
      pods.push({ podInstance: name, action: 'WAIT', plan: null, step: null, agentId: inst.reservation!.agentId, reason: w.reason, remedy: w.remedy });
      continue;
    }
    const live = liveTasks(inst);
    pods.push({
      podInstance: name,
      action: 'NONE',
      plan: null,
      step: null,
      agentId: inst.reservation?.agentId ?? null,
      reason: inst.reservation === null ? 'not deployed yet' : live.length > 0 ? `running ${live.map((t) => t.name).join(', ')}` : 'no task running',
    });
  }

  const plans = [deploy, ...(update ? [update] : []), recovery, ...custom];
  return { plans, instances: [...instances.values()], needs, kills, expunge: [...new Set(expunge)], pods, wakeAt, uninstalled: false };
}

