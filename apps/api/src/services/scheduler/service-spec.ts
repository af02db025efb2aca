import type { Constraint, ConstraintOperator, ServiceSpec } from '@gantry/scheduler-core';
import type { App } from '@gantry/specs';
import type { AppRecord } from '../app-repository.js';

/**
 * The scheduler role an app's resources are allocated under. Tenancy is by top-level
 * group (`/team-a/web` → `team-a`), so DRF weights and quotas act between teams; an
 * app at the root runs under `default`. An explicit `role` other than Marathon's `*`
 * wins (e.g. to use resources reserved for it).
 * Marathon: the default role is the framework's (`*`) unless the group enforces its own.
 */
export function schedulerRole(appId: string, role?: string): string {
  if (role && role !== '*') return role;
  const top = appId.split('/').filter(Boolean);
  return top.length > 1 ? top[0]! : 'default';
}

/** What the services framework's core needs to know of an app. */
export function serviceSpec(record: AppRecord): ServiceSpec {
  const app = record.app;
  return {
    id: record.id,
    version: record.version.toISOString(),
    configVersion: record.lastConfigChangeAt.toISOString(),
    instances: app.instances,
    role: schedulerRole(record.id, app.role),
    cpus: app.cpus, mem: app.mem, disk: app.disk, gpus: app.gpus,
    ports: app.portDefinitions.map((p) => p.port),
    requirePorts: app.requirePorts,
    constraints: app.constraints.map(toConstraint),
    ...(app.acceptedResourceRoles ? { acceptedResourceRoles: app.acceptedResourceRoles } : {}),
    upgradeStrategy: app.upgradeStrategy,
    backoff: { backoffSeconds: app.backoffSeconds, backoffFactor: app.backoffFactor, maxLaunchDelaySeconds: app.maxLaunchDelaySeconds },
    killSelection: app.killSelection,
    unreachableStrategy: app.unreachableStrategy,
    healthChecked: app.healthChecks.length > 0,
    readinessChecked: app.readinessChecks.length > 0,
    dependencies: app.dependencies,
  };
}

function toConstraint(c: App['constraints'][number]): Constraint {
  const [field, operator, value] = c as readonly [string, string, string?];
  return { field, operator: operator as ConstraintOperator, ...(value !== undefined ? { value } : {}) };
}
