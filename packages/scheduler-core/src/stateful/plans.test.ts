import { describe, expect, it } from 'vitest';
import { aggregateStatus, buildPlan, candidateSteps, forceCompleteStep, pausePlan, phaseStatus, planStatus, planView, restartStep, resumePlan } from './plans.js';
import { defaultDeployPlan, validateSpecUpdate, validateStatefulSpec } from './spec.js';
import { aPod, aStatefulService } from './testing/stateful-builders.js';
import type { ElementStatus, PlanState, StepStatus } from './types.js';

const spec = aStatefulService().pod(aPod('db').count(3)).pod(aPod('proxy').count(2)).build();

function withStatuses(plan: PlanState, statuses: Record<string, StepStatus>): PlanState {
  return { ...plan, phases: plan.phases.map((ph) => ({ ...ph, steps: ph.steps.map((s) => ({ ...s, status: statuses[s.podInstance] ?? s.status })) })) };
}

describe('default deploy plan', () => {
  it('is one serial phase per pod, in declaration order, one step per instance named as the SDK does', () => {
    const plan = buildPlan('deploy', defaultDeployPlan(spec), spec);
    expect(plan.strategy).toBe('serial');
    expect(plan.phases.map((ph) => [ph.name, ph.strategy, ph.steps.map((s) => s.name)])).toEqual([
      ['db', 'serial', ['db-0:[server]', 'db-1:[server]', 'db-2:[server]']],
      ['proxy', 'serial', ['proxy-0:[server]', 'proxy-1:[server]']],
    ]);
    expect(planStatus(plan)).toBe('PENDING');
  });
});

describe('plan view (SDK PlanInfo)', () => {
  it('shows every element with its status', () => {
    const plan = withStatuses(buildPlan('deploy', defaultDeployPlan(spec), spec), { 'db-0': 'COMPLETE', 'db-1': 'STARTING' });
    const view = planView(plan);
    expect([view.status, view.phases.map((ph) => [ph.name, ph.status])]).toEqual(['IN_PROGRESS', [['db', 'IN_PROGRESS'], ['proxy', 'PENDING']]]);
    expect(view.phases[0]!.steps.map((s) => `${s.name} ${s.status}`)).toEqual(['db-0:[server] COMPLETE', 'db-1:[server] STARTING', 'db-2:[server] PENDING']);
  });
});

describe('strategies', () => {
  const plan = buildPlan('deploy', defaultDeployPlan(spec), spec);
  it.each<[string, Record<string, StepStatus>, string[]]>([
    ['serial: the first step only', {}, ['db-0']],
    ['serial: the next once the first is COMPLETE', { 'db-0': 'COMPLETE' }, ['db-1']],
    ['serial: a STARTING step holds the ones after it', { 'db-0': 'STARTING' }, ['db-0']],
    ['serial: an ERROR blocks the phase and the plan', { 'db-0': 'ERROR' }, []],
    ['serial plan: the next phase after the first is complete', { 'db-0': 'COMPLETE', 'db-1': 'COMPLETE', 'db-2': 'COMPLETE' }, ['proxy-0']],
  ])('%s', (_, statuses, want) => {
    expect(candidateSteps(withStatuses(plan, statuses)).map((s) => s.podInstance)).toEqual(want);
  });

  it('parallel: every step that is not complete, except pods busy in another plan', () => {
    const parallel = buildPlan('deploy', { strategy: 'parallel', phases: [{ name: 'db', pod: 'db', strategy: 'parallel' }] }, spec);
    expect(candidateSteps(withStatuses(parallel, { 'db-1': 'COMPLETE' })).map((s) => s.podInstance)).toEqual(['db-0', 'db-2']);
    expect(candidateSteps(parallel, (pi) => pi === 'db-0').map((s) => s.podInstance)).toEqual(['db-1', 'db-2']);
  });
});

describe('aggregate status (SDK PlanUtils.getAggregateStatus)', () => {
  it.each<[ElementStatus[], ElementStatus[], boolean, ElementStatus]>([
    [['COMPLETE', 'COMPLETE'], [], false, 'COMPLETE'],
    [['COMPLETE', 'ERROR'], [], false, 'ERROR'],
    [['PENDING', 'PENDING'], ['PENDING'], true, 'WAITING'],
    [['PREPARED', 'PENDING'], ['PREPARED'], false, 'IN_PROGRESS'],
    [['COMPLETE', 'PENDING'], ['PENDING'], false, 'IN_PROGRESS'],
    [['PENDING', 'PENDING'], ['PENDING'], false, 'PENDING'],
    [['WAITING', 'PENDING'], ['WAITING'], false, 'WAITING'],
    [['STARTING', 'PENDING'], ['STARTING'], false, 'STARTING'],
    [['STARTED', 'PENDING'], ['STARTED'], false, 'STARTED'],
  ])('children %j, candidates %j, paused %s → %s', (children, candidates, paused, want) => {
    expect(aggregateStatus(children, candidates, paused)).toBe(want);
  });
});

describe('operator verbs', () => {
  const plan = buildPlan('deploy', defaultDeployPlan(spec), spec);

  it('pause stops new steps (plan or phase); resume lets them go again', () => {
    const paused = pausePlan([plan], 'deploy');
    expect(paused.ok && candidateSteps(paused.plans[0]!)).toEqual([]);
    expect(paused.ok && planStatus(paused.plans[0]!)).toBe('WAITING');
    const resumed = paused.ok ? resumePlan(paused.plans, 'deploy') : paused;
    expect(resumed.ok && candidateSteps(resumed.plans[0]!).map((s) => s.podInstance)).toEqual(['db-0']);
    const phasePaused = pausePlan([plan], 'deploy', 'db');
    expect(phasePaused.ok && phaseStatus(phasePaused.plans[0]!.phases[0]!)).toBe('WAITING');
    expect(phasePaused.ok && candidateSteps(phasePaused.plans[0]!)).toEqual([]);
  });

  it('force-complete moves the plan on; restart sends a step back to PENDING with a restart time', () => {
    const forced = forceCompleteStep([plan], { plan: 'deploy', phase: 'db', step: 'db-0:[server]' });
    expect(forced.ok && candidateSteps(forced.plans[0]!).map((s) => s.podInstance)).toEqual(['db-1']);
    const restarted = forced.ok ? restartStep(forced.plans, { plan: 'deploy', phase: 'db', step: 'db-0:[server]' }, 5_000) : forced;
    const step = restarted.ok ? restarted.plans[0]!.phases[0]!.steps[0]! : undefined;
    expect(step).toMatchObject({ status: 'PENDING', notBefore: 5_000 });
  });

  it.each([
    [{ plan: 'nope' }, 'no plan named "nope"'],
    [{ plan: 'deploy', phase: 'x' }, 'plan "deploy" has no phase named "x"'],
    [{ plan: 'deploy', phase: 'db', step: 'db-9:[server]' }, 'phase "db" has no step named "db-9:[server]"'],
  ])('names what it cannot find: %j', (target, error) => {
    expect(forceCompleteStep([plan], target)).toEqual({ ok: false, error });
  });
});

describe('spec validation', () => {
  it('accepts a valid spec', () => {
    expect(validateStatefulSpec(spec)).toEqual([]);
  });

  it.each<[string, ReturnType<typeof aStatefulService>, string]>([
    ['role "*"', aStatefulService().pod(aPod('db')), 'a stateful service reserves for a role of its own, not "*"'],
    ['duplicate port names', aStatefulService().pod(aPod('db').port('a').port('a')), 'port name "a" is used twice'],
    ['absolute volume path', aStatefulService().pod(aPod('db').volume('/var/data', 10)), 'volume path "/var/data" must be relative to the sandbox, without ".."'],
    ['bad constraint', aStatefulService().pod(aPod('db').placement({ field: 'hostname', operator: 'MAX_PER' })), 'MAX_PER value must be a positive integer'],
    [
      'tasks sharing a pod without shares',
      aStatefulService().pod(aPod('db').tasks({ name: 'a', goal: 'RUNNING', cmd: 'x', env: {} }, { name: 'b', goal: 'RUNNING', cmd: 'y', env: {} })),
      'in a pod of several tasks each task names its cpus and mem',
    ],
    ['plan naming a missing pod', aStatefulService().pod(aPod('db')).plan('deploy', { strategy: 'serial', phases: [{ name: 'x', pod: 'nope', strategy: 'serial' }] }), 'no pod named "nope"'],
  ])('%s', (what, builder, message) => {
    const s = builder.build();
    const problems = validateStatefulSpec(what === 'role "*"' ? { ...s, role: '*' } : s);
    expect(problems.map((p) => p.message)).toContain(message);
  });

  it('refuses updates that would lose or strand data', () => {
    const before = aStatefulService().pod(aPod('db').count(3).volume('data', 100).port('pg')).build();
    const after = aStatefulService().pod(aPod('db').count(2).volume('data', 200)).build();
    expect(validateSpecUpdate(before, after).map((p) => p.path.join('.'))).toEqual(['pods.0.count', 'pods.0.volumes', 'pods.0.ports']);
    expect(validateSpecUpdate(before, { ...before, pods: [] }).map((p) => p.message)).toEqual(['pod "db" cannot be removed (no decommission yet)']);
  });
});
