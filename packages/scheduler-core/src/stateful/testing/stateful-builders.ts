/**
 * Builders for the stateful framework's tests (excluded from the build):
 *
 *   aStatefulService().pod(aPod('db').count(3).volume('data', 256)).build()
 *   aStatefulService().pod(aPod('web').externalVolume('data', 'webdata')).build()
 *   aTask('db-0', 'server').config('c1').on('a1').running(1_000).ready().build()
 */
import type { Constraint } from '../../placement/types.js';
import type { InstanceState } from '../../services/types.js';
import { buildPlan, forceCompleteStep } from '../plans.js';
import { newPodInstance } from '../reconcile-stateful.js';
import { defaultDeployPlan } from '../spec.js';
import type { AgentLiveness, CheckSpec, PlanSpec, PlanState, PodInstanceState, PodSpec, StatefulServiceSpec, StatefulTask, StatefulTaskSpec, VolumeType } from '../types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const C1 = 'c1';
export const C2 = 'c2';

export const READY_CHECK: CheckSpec = { cmd: 'true', intervalSeconds: 5, timeoutSeconds: 5, delaySeconds: 0, gracePeriodSeconds: 0, maxConsecutiveFailures: 3 };

export class PodBuilder {
  private p: Mutable<PodSpec>;
  constructor(name: string) {
    this.p = {
      name,
      count: 1,
      resources: { cpus: 1, mem: 256, disk: 0 },
      ports: [],
      volumes: [],
      placement: [],
      tasks: [{ name: 'server', goal: 'RUNNING', cmd: 'sleep 1000', env: {} }],
    };
  }
  count(n: number): this {
    this.p.count = n;
    return this;
  }
  resources(cpus: number, mem: number, disk = 0): this {
    this.p.resources = { cpus, mem, disk };
    return this;
  }
  port(name: string, port = 0): this {
    this.p.ports = [...this.p.ports, { name, port }];
    return this;
  }
  volume(path: string, size: number, type: VolumeType = 'ROOT'): this {
    this.p.volumes = [...this.p.volumes, { path, size, type }];
    return this;
  }
  /** An EXTERNAL volume in the shared-directory provider (nothing reserved for it). */
  externalVolume(path: string, name: string): this {
    this.p.volumes = [...this.p.volumes, { path, size: 0, type: 'EXTERNAL', external: { provider: 'shared-directory', name } }];
    return this;
  }
  placement(...constraints: Constraint[]): this {
    this.p.placement = constraints;
    return this;
  }
  tasks(...tasks: StatefulTaskSpec[]): this {
    this.p.tasks = tasks;
    return this;
  }
  /** The single task gets a readiness check. */
  readiness(): this {
    this.p.tasks = this.p.tasks.map((t) => ({ ...t, readinessCheck: READY_CHECK }));
    return this;
  }
  build(): PodSpec {
    return { ...this.p };
  }
}

export const aPod = (name: string) => new PodBuilder(name);

export class StatefulServiceBuilder {
  private s: Mutable<StatefulServiceSpec> = {
    name: '/db',
    configId: C1,
    role: 'db-role',
    pods: [],
    plans: {},
    backoff: { backoffSeconds: 1, backoffFactor: 1.15, maxLaunchDelaySeconds: 300 },
  };
  name(name: string): this {
    this.s.name = name;
    return this;
  }
  config(configId: string): this {
    this.s.configId = configId;
    return this;
  }
  pod(pod: PodBuilder | PodSpec): this {
    this.s.pods = [...this.s.pods, pod instanceof PodBuilder ? pod.build() : pod];
    return this;
  }
  plan(name: string, plan: PlanSpec): this {
    this.s.plans = { ...this.s.plans, [name]: plan };
    return this;
  }
  build(): StatefulServiceSpec {
    return { ...this.s };
  }
}

export const aStatefulService = () => new StatefulServiceBuilder();

export class TaskBuilder {
  private t: Mutable<StatefulTask>;
  constructor(podInstance: string, name: string) {
    this.t = { taskId: `db.${podInstance}-${name}.1`, name, configId: C1, agentId: 'a1', state: 'TASK_RUNNING', healthy: null, ready: null, stagedAt: 0, endedAt: null, killRequestedAt: null };
  }
  id(taskId: string): this {
    this.t.taskId = taskId;
    return this;
  }
  config(configId: string): this {
    this.t.configId = configId;
    return this;
  }
  on(agentId: string): this {
    this.t.agentId = agentId;
    return this;
  }
  state(state: InstanceState, at = 0): this {
    this.t.state = state;
    if (['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'].includes(state)) this.t.endedAt = at;
    return this;
  }
  staged(at: number): this {
    this.t.stagedAt = at;
    return this;
  }
  ready(ready = true): this {
    this.t.ready = ready;
    return this;
  }
  killRequested(at: number): this {
    this.t.killRequestedAt = at;
    return this;
  }
  build(): StatefulTask {
    return { ...this.t };
  }
}

export const aTask = (podInstance: string, name = 'server') => new TaskBuilder(podInstance, name);

export function anInstance(pod: string, index: number, extra: Partial<PodInstanceState> = {}): PodInstanceState {
  return { ...newPodInstance(pod, index), ...extra };
}

export function agent(id: string, extra: Partial<AgentLiveness> = {}): AgentLiveness {
  return { id, hostname: `${id}.example`, reachable: true, mode: 'UP', ...extra };
}

/** The deploy plan of `spec` with every step force-completed (a service already deployed). */
export function completedDeploy(spec: StatefulServiceSpec): PlanState[] {
  let plans = [buildPlan('deploy', defaultDeployPlan(spec), spec)];
  for (const ph of plans[0]!.phases) for (const s of ph.steps) {
    const r = forceCompleteStep(plans, { plan: 'deploy', phase: ph.name, step: s.name });
    if (r.ok) plans = r.plans;
  }
  return plans;
}
