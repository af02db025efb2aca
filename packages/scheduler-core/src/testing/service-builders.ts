/**
 * Builders for the services framework's tests (excluded from the build):
 *
 *   aService().id('/a').instances(3).healthChecked().build()
 *   anInstance().task('a.1').onAgent('ag1').running(1_000).healthy().build()
 *
 * Defaults follow Marathon's app defaults (upgradeStrategy 1/1, backoff 1 s × 1.15 up to
 * 300 s, YOUNGEST_FIRST, unreachable 0/0) except where a test needs otherwise.
 */
import type { Constraint } from '../placement/types.js';
import type { Instance, InstanceState, ServiceSpec, UnreachableStrategy } from '../services/types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export const V1 = '2026-01-01T00:00:00.000Z';
export const V2 = '2026-01-02T00:00:00.000Z';

export class ServiceBuilder {
  private s: Mutable<ServiceSpec> = {
    id: '/app',
    version: V1,
    configVersion: V1,
    instances: 1,
    role: '*',
    cpus: 0.1,
    mem: 32,
    disk: 0,
    gpus: 0,
    ports: [],
    requirePorts: false,
    constraints: [],
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    backoff: { backoffSeconds: 1, backoffFactor: 1.15, maxLaunchDelaySeconds: 300 },
    killSelection: 'YOUNGEST_FIRST',
    unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
    healthChecked: false,
    readinessChecked: false,
    dependencies: [],
  };

  id(id: string): this {
    this.s.id = id;
    return this;
  }
  /** Sets both `version` and `configVersion` (a config change). */
  config(version: string): this {
    this.s.version = version;
    this.s.configVersion = version;
    return this;
  }
  instances(n: number): this {
    this.s.instances = n;
    return this;
  }
  resources(cpus: number, mem: number, extra: { disk?: number; gpus?: number } = {}): this {
    this.s.cpus = cpus;
    this.s.mem = mem;
    this.s.disk = extra.disk ?? 0;
    this.s.gpus = extra.gpus ?? 0;
    return this;
  }
  role(role: string, accepted?: readonly string[]): this {
    this.s.role = role;
    if (accepted) this.s.acceptedResourceRoles = accepted;
    return this;
  }
  ports(ports: readonly number[], requirePorts = false): this {
    this.s.ports = ports;
    this.s.requirePorts = requirePorts;
    return this;
  }
  constraint(field: string, operator: Constraint['operator'], value?: string): this {
    this.s.constraints = [...this.s.constraints, value === undefined ? { field, operator } : { field, operator, value }];
    return this;
  }
  upgrade(minimumHealthCapacity: number, maximumOverCapacity: number): this {
    this.s.upgradeStrategy = { minimumHealthCapacity, maximumOverCapacity };
    return this;
  }
  backoff(backoffSeconds: number, backoffFactor: number, maxLaunchDelaySeconds: number): this {
    this.s.backoff = { backoffSeconds, backoffFactor, maxLaunchDelaySeconds };
    return this;
  }
  killSelection(k: ServiceSpec['killSelection']): this {
    this.s.killSelection = k;
    return this;
  }
  unreachable(strategy: UnreachableStrategy): this {
    this.s.unreachableStrategy = strategy;
    return this;
  }
  healthChecked(on = true): this {
    this.s.healthChecked = on;
    return this;
  }
  readinessChecked(on = true): this {
    this.s.readinessChecked = on;
    return this;
  }
  dependsOn(...ids: string[]): this {
    this.s.dependencies = ids;
    return this;
  }
  build(): ServiceSpec {
    return { ...this.s };
  }
}

export function aService(): ServiceBuilder {
  return new ServiceBuilder();
}

let taskCounter = 0;

export class InstanceBuilder {
  private i: Mutable<Instance>;

  constructor() {
    taskCounter++;
    this.i = {
      taskId: `task-${String(taskCounter).padStart(5, '0')}`,
      agentId: 'agent-1',
      hostname: 'agent-1',
      configVersion: V1,
      state: 'TASK_RUNNING',
      healthy: null,
      ready: null,
      stagedAt: 0,
      startedAt: 0,
      unreachableSince: null,
      killRequestedAt: null,
    };
  }

  task(id: string): this {
    this.i.taskId = id;
    return this;
  }
  onAgent(agentId: string, extra: { zone?: string; region?: string; attributes?: Record<string, string | number> } = {}): this {
    this.i.agentId = agentId;
    this.i.hostname = agentId;
    if (extra.zone !== undefined) this.i.zone = extra.zone;
    if (extra.region !== undefined) this.i.region = extra.region;
    if (extra.attributes !== undefined) this.i.attributes = extra.attributes;
    return this;
  }
  config(version: string): this {
    this.i.configVersion = version;
    return this;
  }
  state(state: InstanceState): this {
    this.i.state = state;
    return this;
  }
  staging(at: number): this {
    this.i.state = 'TASK_STAGING';
    this.i.stagedAt = at;
    this.i.startedAt = null;
    return this;
  }
  starting(at: number): this {
    this.i.state = 'TASK_STARTING';
    this.i.stagedAt = at;
    this.i.startedAt = null;
    return this;
  }
  running(startedAt: number, stagedAt = startedAt): this {
    this.i.state = 'TASK_RUNNING';
    this.i.stagedAt = stagedAt;
    this.i.startedAt = startedAt;
    return this;
  }
  healthy(h: boolean | null = true): this {
    this.i.healthy = h;
    return this;
  }
  unhealthy(): this {
    this.i.healthy = false;
    return this;
  }
  ready(r: boolean | null = true): this {
    this.i.ready = r;
    return this;
  }
  unreachableSince(at: number): this {
    this.i.state = 'TASK_UNREACHABLE';
    this.i.unreachableSince = at;
    return this;
  }
  killRequested(at: number): this {
    this.i.killRequestedAt = at;
    return this;
  }
  launchedWithHealthChecks(on: boolean): this {
    this.i.healthChecked = on;
    return this;
  }
  build(): Instance {
    return { ...this.i };
  }
}

export function anInstance(): InstanceBuilder {
  return new InstanceBuilder();
}

/** `n` running instances `${prefix}.${k}` of `config`, started at `startedAt + k`. */
export function runningInstances(n: number, opts: { prefix?: string; config?: string; healthy?: boolean | null; ready?: boolean | null; startedAt?: number } = {}): Instance[] {
  const out: Instance[] = [];
  for (let k = 0; k < n; k++) {
    out.push(
      anInstance()
        .task(`${opts.prefix ?? 'old'}.${String(k).padStart(3, '0')}`)
        .onAgent(`agent-${k}`)
        .config(opts.config ?? V1)
        .running((opts.startedAt ?? 0) + k)
        .healthy(opts.healthy ?? null)
        .ready(opts.ready ?? null)
        .build(),
    );
  }
  return out;
}
