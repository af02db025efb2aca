import type { AppSummaryRow, DeploymentRow, TaskCountRow } from './console-repository.js';

/**
 * The services list as the console shows it: every app's status, instance counts,
 * health and resources, and the group tree they form, filtered, sorted and paged.
 * Pure: the procedures load rows, this shapes them (so it is tested by tables).
 */

/**
 * DC/OS' service statuses, in the order a group shows the worst of its apps:
 * `delayed` (launches held back by the backoff after failures), `waiting` (instances
 * to place and the last offers did not fit), `deploying` (a deployment is under way),
 * `running`, `suspended` (scaled to 0).
 */
export const SERVICE_STATUSES = ['delayed', 'waiting', 'deploying', 'running', 'suspended'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

/** `none`: no health checks (or nothing running); `unknown`: checked, no verdict yet for every instance. */
export const SERVICE_HEALTH = ['unhealthy', 'unknown', 'healthy', 'none'] as const;
export type ServiceHealth = (typeof SERVICE_HEALTH)[number];

export const SERVICE_SORTS = ['name', 'status', 'health', 'instances', 'cpus', 'mem', 'lastChange'] as const;
export type ServiceSort = (typeof SERVICE_SORTS)[number];

/** What the queue says of an app (the leader's LaunchQueue entry, trimmed). */
export interface QueueFacts {
  appId: string;
  count: number;
  delayedUntil: number | null;
  /** The last offer round found no node for it. */
  rejected: boolean;
}

export interface ServiceRow {
  kind: 'app' | 'group';
  id: string;
  /** The last path segment (in a flat search result, the whole id is shown). */
  name: string;
  status: ServiceStatus;
  health: ServiceHealth;
  /** Instances wanted. */
  instances: number;
  running: number;
  /** Staging or starting. */
  staged: number;
  healthy: number;
  unhealthy: number;
  /** Σ cpus × instances (cores) and Σ mem × instances (MiB): what the service asks of the cluster. */
  cpus: number;
  mem: number;
  /** The last change of its definition or scale (ISO). */
  lastChange: string;
  /** Active deployments touching it. */
  deployments: string[];
  /** Groups: how many apps they hold (at any depth). */
  apps: number;
  cmd: string | null;
  labels: Record<string, string>;
}

export interface ServiceQuery {
  group: string;
  search?: string;
  status?: ServiceStatus;
  health?: ServiceHealth;
  sort: ServiceSort;
  dir: 'asc' | 'desc';
  offset: number;
  limit: number;
}

export interface ServicePage {
  group: string;
  /** Searching or filtering lists matching apps at any depth, flat. */
  flat: boolean;
  total: number;
  rows: ServiceRow[];
  /** Apps under the group by status and health, before the status/health filter (for filter chips). */
  byStatus: Record<ServiceStatus, number>;
  byHealth: Record<ServiceHealth, number>;
  /** False when nothing the principal may read exists at or below `group`. */
  exists: boolean;
}

const rank = <T extends string>(order: readonly T[], value: T) => order.indexOf(value);

/** One row per app, from its summary, its live task counts, the active deployments and the queue. */
export function appRows(
  apps: readonly AppSummaryRow[],
  counts: readonly TaskCountRow[],
  deployments: readonly DeploymentRow[],
  queue: readonly QueueFacts[],
  now: number,
): ServiceRow[] {
  const tally = new Map<string, { running: number; staged: number; healthy: number; unhealthy: number; live: number }>();
  for (const c of counts) {
    const t = tally.get(c.appId) ?? { running: 0, staged: 0, healthy: 0, unhealthy: 0, live: 0 };
    t.live += c.count;
    if (c.state === 'TASK_RUNNING') {
      t.running += c.count;
      if (c.healthy === true) t.healthy += c.count;
      if (c.healthy === false) t.unhealthy += c.count;
    } else if (c.state === 'TASK_STAGING' || c.state === 'TASK_STARTING') t.staged += c.count;
    tally.set(c.appId, t);
  }
  const deploying = new Map<string, string[]>();
  for (const d of deployments) for (const app of d.affectedApps) deploying.set(app, [...(deploying.get(app) ?? []), d.id]);
  const queued = new Map(queue.map((q) => [q.appId, q]));

  return apps.map((app) => {
    const t = tally.get(app.id) ?? { running: 0, staged: 0, healthy: 0, unhealthy: 0, live: 0 };
    const q = queued.get(app.id);
    const ids = deploying.get(app.id) ?? [];
    const status: ServiceStatus =
      q && q.count > 0 && q.delayedUntil !== null && q.delayedUntil > now ? 'delayed'
        : q && q.count > 0 && q.rejected ? 'waiting'
          : ids.length > 0 ? 'deploying'
            : app.instances === 0 && t.live === 0 ? 'suspended'
              : 'running';
    return {
      kind: 'app', id: app.id, name: lastSegment(app.id), status, health: healthOf(app.healthChecks > 0, app.instances, t),
      instances: app.instances, running: t.running, staged: t.staged, healthy: t.healthy, unhealthy: t.unhealthy,
      cpus: round(app.cpus * app.instances), mem: round(app.mem * app.instances),
      lastChange: (app.lastScalingAt > app.lastConfigChangeAt ? app.lastScalingAt : app.lastConfigChangeAt).toISOString(),
      deployments: ids, apps: 1, cmd: app.cmd, labels: app.labels,
    };
  });
}

function healthOf(checked: boolean, instances: number, t: { running: number; healthy: number; unhealthy: number }): ServiceHealth {
  if (!checked || t.running === 0) return 'none';
  if (t.unhealthy > 0) return 'unhealthy';
  return t.healthy >= instances && t.healthy === t.running ? 'healthy' : 'unknown';
}

/** The rows of one level of the tree (or a flat search), filtered, sorted and paged. */
export function servicePage(rows: readonly ServiceRow[], explicitGroups: readonly string[], query: ServiceQuery): ServicePage {
  const group = query.group;
  const under = rows.filter((r) => group === '/' || isUnder(r.id, group));
  const exists = group === '/' || under.length > 0 || explicitGroups.includes(group);
  const search = query.search?.trim().toLowerCase() ?? '';
  const byStatus = Object.fromEntries(SERVICE_STATUSES.map((s) => [s, 0])) as Record<ServiceStatus, number>;
  const byHealth = Object.fromEntries(SERVICE_HEALTH.map((h) => [h, 0])) as Record<ServiceHealth, number>;
  const matching = search ? under.filter((r) => matches(r, search)) : under;
  for (const r of matching) {
    byStatus[r.status]++;
    byHealth[r.health]++;
  }
  const flat = search !== '' || query.status !== undefined || query.health !== undefined;
  let level: ServiceRow[];
  if (flat) {
    level = matching
      .filter((r) => (!query.status || r.status === query.status) && (!query.health || r.health === query.health))
      .map((r) => ({ ...r, name: r.id }));
  } else {
    const children = new Map<string, ServiceRow[]>();
    const apps: ServiceRow[] = [];
    for (const r of under) {
      const child = childOf(group, r.id);
      if (child === r.id) apps.push(r);
      else children.set(child, [...(children.get(child) ?? []), r]);
    }
    for (const g of explicitGroups) {
      if (g === group || !(group === '/' || isUnder(g, group))) continue;
      const child = childOf(group, g);
      if (!children.has(child)) children.set(child, []);
    }
    level = [...[...children.entries()].map(([id, members]) => groupRow(id, members)), ...apps];
  }
  const sorted = sortRows(level, query.sort, query.dir);
  return { group, flat, total: sorted.length, rows: sorted.slice(query.offset, query.offset + query.limit), byStatus, byHealth, exists };
}

/** A group's row: sums of its apps, and the worst status and health among them. */
export function groupRow(id: string, members: readonly ServiceRow[]): ServiceRow {
  const sum = (pick: (r: ServiceRow) => number) => round(members.reduce((s, r) => s + pick(r), 0));
  const worst = <T extends string>(order: readonly T[], values: T[], empty: T) =>
    values.length ? values.reduce((a, b) => (rank(order, b) < rank(order, a) ? b : a)) : empty;
  return {
    kind: 'group', id, name: lastSegment(id),
    status: worst(SERVICE_STATUSES, members.map((m) => m.status), 'suspended'),
    health: worst(SERVICE_HEALTH, members.map((m) => m.health), 'none'),
    instances: sum((r) => r.instances), running: sum((r) => r.running), staged: sum((r) => r.staged),
    healthy: sum((r) => r.healthy), unhealthy: sum((r) => r.unhealthy), cpus: sum((r) => r.cpus), mem: sum((r) => r.mem),
    lastChange: members.reduce((latest, r) => (r.lastChange > latest ? r.lastChange : latest), new Date(0).toISOString()),
    deployments: [...new Set(members.flatMap((m) => m.deployments))], apps: members.length, cmd: null, labels: {},
  };
}

function sortRows(rows: ServiceRow[], sort: ServiceSort, dir: 'asc' | 'desc'): ServiceRow[] {
  const key: Record<ServiceSort, (r: ServiceRow) => number | string> = {
    name: (r) => r.name.toLowerCase(),
    status: (r) => rank(SERVICE_STATUSES, r.status),
    health: (r) => rank(SERVICE_HEALTH, r.health),
    instances: (r) => r.instances,
    cpus: (r) => r.cpus,
    mem: (r) => r.mem,
    lastChange: (r) => r.lastChange,
  };
  const k = key[sort];
  const sign = dir === 'asc' ? 1 : -1;
  // Groups before apps (as DC/OS lists them), then the key, then the id: a stable order for paging.
  return [...rows].sort((a, b) => {
    if (a.kind !== b.kind && sort === 'name') return a.kind === 'group' ? -1 : 1;
    const ka = k(a);
    const kb = k(b);
    if (ka < kb) return -sign;
    if (ka > kb) return sign;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
}

function matches(row: ServiceRow, search: string): boolean {
  if (row.id.toLowerCase().includes(search)) return true;
  if (row.cmd?.toLowerCase().includes(search)) return true;
  return Object.entries(row.labels).some(([k, v]) => `${k}:${v}`.toLowerCase().includes(search));
}

/** Segment-bounded: `/a/b` is under `/a`, `/ab` is not. */
export function isUnder(id: string, group: string): boolean {
  return group === '/' || id === group || id.startsWith(`${group}/`);
}

/** The id of `id`'s ancestor (or itself) directly inside `group`. */
function childOf(group: string, id: string): string {
  const rest = group === '/' ? id.slice(1) : id.slice(group.length + 1);
  const first = rest.split('/')[0]!;
  return group === '/' ? `/${first}` : `${group}/${first}`;
}

function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf('/') + 1) || '/';
}

const round = (n: number) => Math.round(n * 1000) / 1000;
