/**
 * Plans of phases of steps (SDK `plan/`): building them from a plan spec, the strategies
 * that pick which elements may work now, the statuses a phase and a plan show, and the
 * operator's verbs — all pure functions over plain `PlanState` values.
 *
 * Strategies (SDK `SerialStrategy`, `ParallelStrategy`):
 *   serial    the first element that is not COMPLETE, if it may work (an element in
 *             ERROR, or a paused phase, blocks the ones after it)
 *   parallel  every element that is not COMPLETE and may work
 * An element may work when it is not COMPLETE, not in ERROR and not paused; a step also
 * needs its pod instance not to be worked on by another plan's step (SDK "dirty assets":
 * deploy/update come first, then recovery).
 *
 * Aggregate status (SDK `PlanUtils.getAggregateStatus`, without DELAYED), first rule
 * that holds:
 *   any child ERROR → ERROR;  all COMPLETE → COMPLETE;  paused → WAITING;
 *   any child PREPARED → IN_PROGRESS;  a candidate WAITING → WAITING;
 *   a candidate IN_PROGRESS → IN_PROGRESS;
 *   some child COMPLETE and a candidate PENDING/STARTING/STARTED → IN_PROGRESS;
 *   a candidate PENDING → PENDING;  a child WAITING → WAITING;
 *   a candidate STARTING → STARTING;  a candidate STARTED → STARTED;  else PENDING.
 */
import { podInstanceName, podStepName, findPod } from './identity.js';
import type { ElementStatus, PhaseState, PlanSpec, PlanState, StatefulServiceSpec, StepState, StrategyName } from './types.js';

// ─── Building ───────────────────────────────────────────────────────────────────────

/** A plan whose every step is PENDING: one step per pod instance of each phase's pod. */
export function buildPlan(name: string, planSpec: PlanSpec, spec: StatefulServiceSpec, configId = spec.configId): PlanState {
  return {
    name,
    strategy: planSpec.strategy,
    interrupted: false,
    configId,
    phases: planSpec.phases.map((ph) => {
      const pod = findPod(spec, ph.pod);
      const steps: StepState[] = [];
      if (pod) {
        for (let i = 0; i < pod.count; i++) {
          steps.push({ name: podStepName(pod, i), podInstance: podInstanceName(pod.name, i), kind: 'DEPLOY', status: 'PENDING', configId });
        }
      }
      return { name: ph.name, strategy: ph.strategy, interrupted: false, steps };
    }),
  };
}

export function emptyRecoveryPlan(configId: string): PlanState {
  return { name: 'recovery', strategy: 'parallel', interrupted: false, configId, phases: [] };
}

// ─── Statuses and candidates ────────────────────────────────────────────────────────

function mayWork(status: ElementStatus, interrupted: boolean): boolean {
  return status !== 'COMPLETE' && status !== 'ERROR' && !interrupted;
}

/** The elements a strategy lets work now, in order. */
export function strategyCandidates<T>(strategy: StrategyName, elements: readonly T[], status: (e: T) => ElementStatus, eligible: (e: T) => boolean): T[] {
  if (strategy === 'serial') {
    const first = elements.find((e) => status(e) !== 'COMPLETE');
    return first !== undefined && eligible(first) ? [first] : [];
  }
  return elements.filter((e) => status(e) !== 'COMPLETE' && eligible(e));
}

export function aggregateStatus(children: readonly ElementStatus[], candidates: readonly ElementStatus[], interrupted: boolean): ElementStatus {
  const any = (s: ElementStatus, list: readonly ElementStatus[]) => list.includes(s);
  if (any('ERROR', children)) return 'ERROR';
  if (children.every((s) => s === 'COMPLETE')) return 'COMPLETE';
  if (interrupted) return 'WAITING';
  if (any('PREPARED', children)) return 'IN_PROGRESS';
  if (any('WAITING', candidates)) return 'WAITING';
  if (any('IN_PROGRESS', candidates)) return 'IN_PROGRESS';
  if (any('COMPLETE', children) && candidates.some((s) => s === 'PENDING' || s === 'STARTING' || s === 'STARTED')) return 'IN_PROGRESS';
  if (any('PENDING', candidates)) return 'PENDING';
  if (any('WAITING', children)) return 'WAITING';
  if (any('STARTING', candidates)) return 'STARTING';
  if (any('STARTED', candidates)) return 'STARTED';
  return 'PENDING';
}

export function phaseStatus(phase: PhaseState): ElementStatus {
  const candidates = strategyCandidates(phase.strategy, phase.steps, (s) => s.status, (s) => mayWork(s.status, false));
  return aggregateStatus(
    phase.steps.map((s) => s.status),
    candidates.map((s) => s.status),
    phase.interrupted,
  );
}

export function planStatus(plan: PlanState): ElementStatus {
  const candidates = strategyCandidates(plan.strategy, plan.phases, phaseStatus, (p) => mayWork(phaseStatus(p), p.interrupted));
  return aggregateStatus(plan.phases.map(phaseStatus), candidates.map(phaseStatus), plan.interrupted);
}

/**
 * The steps of `plan` that may work now, in plan order: the plan's strategy picks
 * phases, each phase's strategy picks steps. `busy(podInstance)`: another plan works on it.
 */
export function candidateSteps(plan: PlanState, busy: (podInstance: string) => boolean = () => false): StepState[] {
  if (plan.interrupted) return [];
  const phases = strategyCandidates(plan.strategy, plan.phases, phaseStatus, (p) => mayWork(phaseStatus(p), p.interrupted));
  return phases.flatMap((ph) => strategyCandidates(ph.strategy, ph.steps, (s) => s.status, (s) => mayWork(s.status, false) && !busy(s.podInstance)));
}

/** Steps at work (PREPARED, STARTING, STARTED): their pod instances are "dirty" for other plans. */
export function activeSteps(plan: PlanState): StepState[] {
  return plan.phases.flatMap((ph) => ph.steps.filter((s) => s.status === 'PREPARED' || s.status === 'STARTING' || s.status === 'STARTED'));
}

export function isPlanComplete(plan: PlanState): boolean {
  return planStatus(plan) === 'COMPLETE';
}

/** SDK `PlanInfo` (`GET /v1/plans/<name>`): every element with its status, for the API and the console. */
export interface PlanView {
  readonly name: string;
  readonly status: ElementStatus;
  readonly strategy: StrategyName;
  readonly paused: boolean;
  readonly phases: readonly {
    readonly name: string;
    readonly status: ElementStatus;
    readonly strategy: StrategyName;
    readonly paused: boolean;
    readonly steps: readonly { readonly name: string; readonly podInstance: string; readonly kind: StepState['kind']; readonly status: StepState['status']; readonly message?: string }[];
  }[];
}

export function planView(plan: PlanState): PlanView {
  return {
    name: plan.name,
    status: planStatus(plan),
    strategy: plan.strategy,
    paused: plan.interrupted,
    phases: plan.phases.map((ph) => ({
      name: ph.name,
      status: phaseStatus(ph),
      strategy: ph.strategy,
      paused: ph.interrupted,
      steps: ph.steps.map((s) => ({ name: s.name, podInstance: s.podInstance, kind: s.kind, status: s.status, ...(s.message !== undefined ? { message: s.message } : {}) })),
    })),
  };
}

// ─── Operator verbs ─────────────────────────────────────────────────────────────────

export type PlanVerbResult = { ok: true; plans: PlanState[] } | { ok: false; error: string };

/** A plan, one of its phases, or one step of that phase. */
export interface PlanTarget {
  plan: string;
  phase?: string;
  step?: string;
}
type Target = PlanTarget;

function edit(plans: readonly PlanState[], target: Target, fn: { plan?: (p: PlanState) => PlanState; phase?: (p: PhaseState) => PhaseState; step?: (s: StepState) => StepState }): PlanVerbResult {
  const plan = plans.find((p) => p.name === target.plan);
  if (!plan) return { ok: false, error: `no plan named "${target.plan}"` };
  if (target.phase !== undefined && !plan.phases.some((ph) => ph.name === target.phase)) {
    return { ok: false, error: `plan "${target.plan}" has no phase named "${target.phase}"` };
  }
  if (target.step !== undefined) {
    if (target.phase === undefined) return { ok: false, error: 'a step is named within its phase' };
    const phase = plan.phases.find((ph) => ph.name === target.phase)!;
    if (!phase.steps.some((s) => s.name === target.step)) return { ok: false, error: `phase "${target.phase}" has no step named "${target.step}"` };
  }
  const next = (p: PlanState): PlanState => {
    const withPlan = fn.plan && target.phase === undefined ? fn.plan(p) : p;
    return {
      ...withPlan,
      phases: withPlan.phases.map((ph) => {
        if (target.phase !== undefined && ph.name !== target.phase) return ph;
        const withPhase = fn.phase ? fn.phase(ph) : ph;
        if (!fn.step) return withPhase;
        return { ...withPhase, steps: withPhase.steps.map((s) => (target.step === undefined || s.name === target.step ? fn.step!(s) : s)) };
      }),
    };
  };
  return { ok: true, plans: plans.map((p) => (p.name === target.plan ? next(p) : p)) };
}

/** SDK `plan pause` (interrupt): a paused plan or phase starts no new step; steps at work finish. */
export function pausePlan(plans: readonly PlanState[], plan: string, phase?: string): PlanVerbResult {
  return edit(plans, { plan, ...(phase !== undefined ? { phase } : {}) }, phase === undefined ? { plan: (p) => ({ ...p, interrupted: true }) } : { phase: (ph) => ({ ...ph, interrupted: true }) });
}

/** SDK `plan resume` (continue): the plan and all its phases, or one phase. */
export function resumePlan(plans: readonly PlanState[], plan: string, phase?: string): PlanVerbResult {
  return edit(
    plans,
    { plan, ...(phase !== undefined ? { phase } : {}) },
    { ...(phase === undefined ? { plan: (p: PlanState) => ({ ...p, interrupted: false }) } : {}), phase: (ph) => ({ ...ph, interrupted: false }) },
  );
}

function withoutMessage(s: StepState): StepState {
  const { message: _m, ...rest } = s;
  return rest;
}

/**
 * SDK `plan restart`: the step (or every step of the phase, or of the plan) goes back to
 * PENDING and runs again — its tasks staged before `now` are killed and relaunched.
 */
export function restartStep(plans: readonly PlanState[], target: Target, now: number): PlanVerbResult {
  return edit(plans, target, { step: (s) => ({ ...withoutMessage(s), status: 'PENDING', notBefore: now }) });
}

/** SDK `plan force-complete`: the step counts as COMPLETE; the plan moves on. An escape hatch: nothing is checked. */
export function forceCompleteStep(plans: readonly PlanState[], target: Target): PlanVerbResult {
  return edit(plans, target, { step: (s) => ({ ...withoutMessage(s), status: 'COMPLETE' }) });
}
