import { resolvePathId } from '@gantry/specs';

/**
 * Quotas per top-level service group: the group is a tenant, and its name is the
 * scheduler role its apps run under (`schedulerRole` in services/scheduler/
 * service-spec.ts: `/team-a/web` → `team-a`). Pure: no database, no clock.
 *
 * A quota limits what the group's apps *want* together — Σ instances × per-instance
 * cpus, mem and disk, and Σ instances — and is checked when a deployment is submitted
 * (admission.ts), so a deployment that would exceed it is refused at once, naming the
 * quota and the numbers, instead of waiting forever for offers. The allocator caps
 * what the role is offered with the same limits (HierarchicalAllocator.setQuota,
 * fed by QuotaRepository.limits()), which also holds during rolling upgrades that run
 * over capacity for a while.
 */
export const QUOTA_KINDS = ['cpus', 'mem', 'disk', 'instances'] as const;
export type QuotaKind = (typeof QUOTA_KINDS)[number];

/** Limits per kind; an absent kind is unlimited. */
export type QuotaLimits = Partial<Record<QuotaKind, number>>;

/** What a set of apps wants, in milli-units (so 3 × 0.1 cpus is exactly 0.3). */
export type Demand = Record<QuotaKind, number>;

/** The resources of one app that count against a quota. */
export interface Wanting {
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
}

const milli = (value: number) => Math.round(value * 1000);
const EMPTY: Demand = { cpus: 0, mem: 0, disk: 0, instances: 0 };

/** The top-level group of an app id (`/team-a/web` → `team-a`); null for an app at the root. */
export function topLevelGroup(appId: string): string | null {
  const segments = appId.split('/').filter(Boolean);
  return segments.length > 1 ? segments[0]! : null;
}

/** A name that can be a top-level group (a Marathon path segment); the problem otherwise. */
export function groupNameProblem(group: string): string | null {
  if (group.includes('/')) return `"${group}" is not one top-level group: give its name alone, e.g. team-a`;
  const resolved = resolvePathId(`/${group}`);
  if (!resolved.ok) return resolved.error;
  if (resolved.id !== `/${group}`) return `"${group}" is not a group's name: give its name alone, e.g. team-a`;
  return null;
}

export function demandOf(apps: Iterable<Wanting>): Demand {
  const total = { ...EMPTY };
  for (const app of apps) {
    total.instances += milli(app.instances);
    total.cpus += app.instances * milli(app.cpus);
    total.mem += app.instances * milli(app.mem);
    total.disk += app.instances * milli(app.disk);
  }
  return total;
}

/** A demand in the units people use (cpus, MiB, instances), e.g. for the API's answers. */
export function inUnits(demand: Demand): Record<QuotaKind, number> {
  return { cpus: demand.cpus / 1000, mem: demand.mem / 1000, disk: demand.disk / 1000, instances: demand.instances / 1000 };
}

export interface Violation {
  kind: QuotaKind;
  /** What the group would want after the change, and wanted before it (units). */
  after: number;
  before: number;
  limit: number;
}

/**
 * The limits a change breaks: a kind is violated when the group would want more than
 * its limit *and* more than before. A change that does not grow what is over the limit
 * (scaling down, a restart, removing an app) is never refused, so lowering a quota
 * below what a group already runs cannot trap it: it can always shrink.
 */
export function violations(limits: QuotaLimits, before: Demand, after: Demand): Violation[] {
  const out: Violation[] = [];
  for (const kind of QUOTA_KINDS) {
    const limit = limits[kind];
    if (limit === undefined) continue;
    if (after[kind] > milli(limit) && after[kind] > before[kind]) {
      out.push({ kind, after: after[kind] / 1000, before: before[kind] / 1000, limit });
    }
  }
  return out;
}

const UNIT: Record<QuotaKind, string> = { cpus: 'cpus', mem: 'MiB of memory', disk: 'MiB of disk', instances: 'instances' };

/** `/team-a would want 3 cpus in all (1 now); its quota allows 2` */
export function describeViolation(group: string, v: Violation): string {
  return `/${group} would want ${v.after} ${UNIT[v.kind]} in all (${v.before} now); its quota allows ${v.limit}`;
}
