import type { TaskState } from '@gantry/specs';
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/prisma.js';

/**
 * The console's read model: the aggregates and pages the console shows at scale
 * (1,000 apps, 50,000 tasks, 5,000 nodes) in a handful of indexed queries, instead of
 * loading every row the way Marathon's `/v2` shapes need. Read-only, explicit columns,
 * no authorization here: callers pass the app ids a principal may read (decided at
 * the edge with `authorize()`), or null for "every app".
 */

const TERMINAL: readonly TaskState[] = ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'];
const TERMINAL_SQL = Prisma.sql`('TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE')`;
/** Ended without being asked to: what the console calls a failure (Marathon's lastTaskFailure). */
const FAILED_SQL = Prisma.sql`('TASK_FAILED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE')`;

/** What the services list needs of an app, without its whole definition. */
export interface AppSummaryRow {
  id: string;
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
  cmd: string | null;
  labels: Record<string, string>;
  healthChecks: number;
  constraints: number;
  version: Date;
  lastConfigChangeAt: Date;
  lastScalingAt: Date;
}

/** Live tasks of an app in one state and health. */
export interface TaskCountRow {
  appId: string;
  state: TaskState;
  healthy: boolean | null;
  count: number;
}

export interface DeploymentRow {
  id: string;
  version: Date;
  status: 'ACTIVE' | 'SUCCEEDED' | 'CANCELED';
  affectedApps: string[];
  steps: { action: string; app: string }[][];
  currentStep: number;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface TaskRow {
  id: string;
  appId: string | null;
  agentId: string;
  hostname: string | null;
  host: string | null;
  state: TaskState;
  healthy: boolean | null;
  ready: boolean | null;
  reason: string | null;
  message: string | null;
  exitCode: number | null;
  ports: number[];
  cpus: number;
  mem: number;
  disk: number;
  version: string | null;
  stagedAt: Date;
  startedAt: Date | null;
  updatedAt: Date;
  killRequestedAt: Date | null;
}

export interface TaskFilter {
  /** App ids the caller may read; null: every app. Tasks outside services are never listed. */
  readable: readonly string[] | null;
  /** `live` (default), `all`, `failed` (ended on their own) or one state. */
  state?: 'live' | 'all' | 'failed' | TaskState;
  /** One app, or every app under a group when `appPrefix` is set. */
  appId?: string;
  appPrefix?: string;
  agentId?: string;
  /** Substring of the task id, app id or host. */
  search?: string;
}

export const TASK_SORTS = ['id', 'app', 'state', 'host', 'started', 'updated'] as const;
export type TaskSort = (typeof TASK_SORTS)[number];

export interface NodeRow {
  id: string;
  hostname: string;
  address: string;
  state: 'ACTIVE' | 'UNREACHABLE';
  mode: 'UP' | 'DRAINING';
  resources: { cpus: number; mem: number; disk: number; ports: [number, number][] };
  used: { cpus: number; mem: number; disk: number; ports: [number, number][] };
  attributes: Record<string, string>;
  agentVersion: string;
  registeredAt: Date;
  lastHeartbeatAt: Date;
}

export interface NodeFilter {
  search?: string;
  state?: 'ACTIVE' | 'UNREACHABLE' | 'DRAINING';
}

export const NODE_SORTS = ['hostname', 'state', 'cpus', 'mem', 'disk', 'tasks', 'heartbeat'] as const;
export type NodeSort = (typeof NODE_SORTS)[number];

export interface CapacityTotals {
  nodes: number;
  capacity: { cpus: number; mem: number; disk: number };
  allocated: { cpus: number; mem: number; disk: number };
}

type Dir = 'asc' | 'desc';

const like = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export class ConsoleRepository {
  constructor(private readonly db: Db) {}

  /** Every app's summary, or those of `ids`. */
  async appSummaries(ids?: readonly string[]): Promise<AppSummaryRow[]> {
    const where = ids ? Prisma.sql`WHERE id = ANY(${[...ids]}::text[])` : Prisma.empty;
    const rows = await this.db.$queryRaw<{
      id: string; instances: number | null; cpus: number | null; mem: number | null; disk: number | null; cmd: string | null;
      labels: Record<string, string> | null; health_checks: number | null; constraints: number | null;
      version: Date; last_config_change_at: Date; last_scaling_at: Date;
    }[]>`
      SELECT id, (definition->>'instances')::int AS instances, (definition->>'cpus')::float8 AS cpus,
             (definition->>'mem')::float8 AS mem, (definition->>'disk')::float8 AS disk,
             COALESCE(definition->>'cmd', array_to_string(ARRAY(SELECT jsonb_array_elements_text(COALESCE(definition->'args', '[]'::jsonb))), ' ')) AS cmd,
             definition->'labels' AS labels,
             jsonb_array_length(COALESCE(definition->'healthChecks', '[]'::jsonb)) AS health_checks,
             jsonb_array_length(COALESCE(definition->'constraints', '[]'::jsonb)) AS constraints,
             version, last_config_change_at, last_scaling_at
      FROM apps ${where} ORDER BY id`;
    return rows.map((r) => ({
      id: r.id, instances: r.instances ?? 0, cpus: r.cpus ?? 0, mem: r.mem ?? 0, disk: r.disk ?? 0, cmd: r.cmd || null,
      labels: r.labels ?? {}, healthChecks: r.health_checks ?? 0, constraints: r.constraints ?? 0,
      version: r.version, lastConfigChangeAt: r.last_config_change_at, lastScalingAt: r.last_scaling_at,
    }));
  }

  async appIds(): Promise<string[]> {
    return (await this.db.app.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((a) => a.id);
  }

  /** An app as stored now: its normalized definition and version facts. */
  async app(id: string): Promise<{ definition: Record<string, unknown>; version: Date; lastConfigChangeAt: Date; lastScalingAt: Date; createdAt: Date } | null> {
    const row = await this.db.app.findUnique({ where: { id }, select: { definition: true, version: true, lastConfigChangeAt: true, lastScalingAt: true, createdAt: true } });
    return row && { ...row, definition: row.definition as Record<string, unknown> };
  }

  /** Explicit groups (created on their own, possibly empty). */
  async groupIds(): Promise<string[]> {
    return (await this.db.serviceGroup.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((g) => g.id);
  }

  /** Live tasks per app, state and health: one index scan, a few thousand rows at most. */
  async liveTaskCounts(appId?: string): Promise<TaskCountRow[]> {
    const scope = appId ? Prisma.sql`app_id = ${appId}` : Prisma.sql`app_id IS NOT NULL`;
    const rows = await this.db.$queryRaw<{ app_id: string; state: TaskState; healthy: boolean | null; n: bigint }[]>`
      SELECT app_id, state, healthy, count(*) AS n FROM tasks
      WHERE ${scope} AND state NOT IN ${TERMINAL_SQL}
      GROUP BY app_id, state, healthy`;
    return rows.map((r) => ({ appId: r.app_id, state: r.state, healthy: r.healthy, count: Number(r.n) }));
  }

  /** Tasks that ended since `since`, per app and state (the dashboard's recent endings). */
  async endedTaskCounts(since: Date): Promise<TaskCountRow[]> {
    const rows = await this.db.$queryRaw<{ app_id: string; state: TaskState; n: bigint }[]>`
      SELECT app_id, state, count(*) AS n FROM tasks
      WHERE app_id IS NOT NULL AND state IN ${TERMINAL_SQL} AND updated_at >= ${since}
      GROUP BY app_id, state`;
    return rows.map((r) => ({ appId: r.app_id, state: r.state, healthy: null, count: Number(r.n) }));
  }

  async activeDeployments(): Promise<DeploymentRow[]> {
    return this.deployments(Prisma.sql`WHERE status = 'ACTIVE'`, Prisma.sql`ORDER BY created_at ASC`, 1000);
  }

  /** The newest deployments, finished ones too; of one app when `appId` is given. */
  async recentDeployments(limit: number, appId?: string): Promise<DeploymentRow[]> {
    const where = appId ? Prisma.sql`WHERE affected_apps @> ARRAY[${appId}]::text[]` : Prisma.empty;
    return this.deployments(where, Prisma.sql`ORDER BY created_at DESC`, limit);
  }

  private async deployments(where: Prisma.Sql, order: Prisma.Sql, limit: number): Promise<DeploymentRow[]> {
    const rows = await this.db.$queryRaw<{
      id: string; version: Date; status: DeploymentRow['status']; affected_apps: string[]; steps: unknown; current_step: number; created_at: Date; finished_at: Date | null;
    }[]>`
      SELECT id, version, status, affected_apps, steps, current_step, created_at, finished_at FROM deployments
      ${where} ${order} LIMIT ${limit}`;
    return rows.map((r) => ({
      id: r.id, version: r.version, status: r.status, affectedApps: r.affected_apps,
      steps: (r.steps as { action: string; app: string }[][]).map((s) => s.map((a) => ({ action: a.action, app: a.app }))),
      currentStep: r.current_step, createdAt: r.created_at, finishedAt: r.finished_at,
    }));
  }

  /** Tasks that ended on their own, newest first (killed on request is not a failure). */
  async recentFailures(limit: number, readable: readonly string[] | null, appId?: string): Promise<TaskRow[]> {
    const scope = [
      Prisma.sql`t.app_id IS NOT NULL`,
      Prisma.sql`t.state IN ${FAILED_SQL}`,
      Prisma.sql`t.kill_requested_at IS NULL`,
      ...(readable ? [Prisma.sql`t.app_id = ANY(${[...readable]}::text[])`] : []),
      ...(appId ? [Prisma.sql`t.app_id = ${appId}`] : []),
    ];
    return this.taskRows(Prisma.sql`WHERE ${Prisma.join(scope, ' AND ')}`, Prisma.sql`ORDER BY t.updated_at DESC`, limit, 0);
  }

  /**
   * One page of tasks. Two steps: the page's ids in order (only the sort key and the
   * filter are touched, so a page deep into 50,000 tasks sorts narrow rows), then
   * every column of those ids alone.
   */
  async tasksPage(filter: TaskFilter, sort: TaskSort, dir: Dir, offset: number, limit: number): Promise<{ total: number; rows: TaskRow[] }> {
    const where = taskWhere(filter);
    const column = {
      id: Prisma.sql`t.id`, app: Prisma.sql`t.app_id`, state: Prisma.sql`t.state`, host: Prisma.sql`a.hostname`,
      started: Prisma.sql`t.started_at`, updated: Prisma.sql`t.updated_at`,
    }[sort];
    const direction = dir === 'desc' ? Prisma.sql`DESC NULLS LAST` : Prisma.sql`ASC NULLS LAST`;
    const join = sort === 'host' || filter.search ? Prisma.sql`LEFT JOIN agents a ON a.id = t.agent_id` : Prisma.empty;
    const [count, ids] = await Promise.all([
      this.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM tasks t ${join} ${where}`,
      this.db.$queryRaw<{ id: string }[]>`SELECT t.id FROM tasks t ${join} ${where} ORDER BY ${column} ${direction}, t.id ASC LIMIT ${limit} OFFSET ${offset}`,
    ]);
    const order = ids.map((r) => r.id);
    const rows = order.length ? await this.taskRows(Prisma.sql`WHERE t.id = ANY(${order}::text[])`, Prisma.empty, order.length, 0) : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    return { total: Number(count[0]?.n ?? 0), rows: order.flatMap((id) => byId.get(id) ?? []) };
  }

  async task(id: string): Promise<TaskRow | null> {
    return (await this.taskRows(Prisma.sql`WHERE t.id = ${id}`, Prisma.empty, 1, 0))[0] ?? null;
  }

  /** Live task ids of an app, oldest first (the aggregated log view follows them). */
  async liveTaskIds(appId: string, limit: number): Promise<string[]> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      SELECT id FROM tasks WHERE app_id = ${appId} AND state NOT IN ${TERMINAL_SQL} ORDER BY created_at ASC LIMIT ${limit}`;
    return rows.map((r) => r.id);
  }

  private async taskRows(where: Prisma.Sql, order: Prisma.Sql, limit: number, offset: number): Promise<TaskRow[]> {
    const rows = await this.db.$queryRaw<{
      id: string; app_id: string | null; agent_id: string; hostname: string | null; address: string | null; state: TaskState;
      healthy: boolean | null; ready: boolean | null; reason: string | null; message: string | null; exit_code: number | null;
      ports: number[] | null; cpus: number | null; mem: number | null; disk: number | null; version: string | null;
      created_at: Date; started_at: Date | null; updated_at: Date; kill_requested_at: Date | null;
    }[]>`
      SELECT t.id, t.app_id, t.agent_id, a.hostname, a.address, t.state, t.healthy, t.ready, t.reason, t.message, t.exit_code,
             ARRAY(SELECT jsonb_array_elements_text(COALESCE(t.spec->'resources'->'ports', '[]'::jsonb))::int) AS ports,
             (t.spec->'resources'->>'cpus')::float8 AS cpus, (t.spec->'resources'->>'mem')::float8 AS mem,
             (t.spec->'resources'->>'disk')::float8 AS disk,
             COALESCE(t.spec->>'appVersion', t.config_version) AS version,
             t.created_at, t.started_at, t.updated_at, t.kill_requested_at
      FROM tasks t LEFT JOIN agents a ON a.id = t.agent_id
      ${where} ${order} LIMIT ${limit} OFFSET ${offset}`;
    return rows.map((r) => ({
      id: r.id, appId: r.app_id, agentId: r.agent_id, hostname: r.hostname, host: r.address, state: r.state, healthy: r.healthy, ready: r.ready,
      reason: r.reason, message: r.message, exitCode: r.exit_code, ports: r.ports ?? [], cpus: r.cpus ?? 0, mem: r.mem ?? 0, disk: r.disk ?? 0,
      version: r.version, stagedAt: r.created_at, startedAt: r.started_at, updatedAt: r.updated_at, killRequestedAt: r.kill_requested_at,
    }));
  }

  // ── nodes ─────────────────────────────────────────────────────────────────

  async nodesPage(filter: NodeFilter, sort: NodeSort, dir: Dir, offset: number, limit: number): Promise<{ total: number; rows: (NodeRow & { tasks: number })[] }> {
    const where = nodeWhere(filter);
    const direction = dir === 'desc' ? Prisma.sql`DESC` : Prisma.sql`ASC`;
    // Sorting by share of capacity held is what an operator looks for ("which nodes are full").
    const column = {
      hostname: Prisma.sql`a.hostname`, state: Prisma.sql`a.state::text || a.mode::text`,
      cpus: Prisma.sql`COALESCE((a.used->>'cpus')::float8 / NULLIF((a.resources->>'cpus')::float8, 0), 0)`,
      mem: Prisma.sql`COALESCE((a.used->>'mem')::float8 / NULLIF((a.resources->>'mem')::float8, 0), 0)`,
      disk: Prisma.sql`COALESCE((a.used->>'disk')::float8 / NULLIF((a.resources->>'disk')::float8, 0), 0)`,
      tasks: Prisma.sql`COALESCE(tc.n, 0)`,
      heartbeat: Prisma.sql`a.last_heartbeat_at`,
    }[sort];
    const counted = sort === 'tasks'
      ? Prisma.sql`LEFT JOIN (SELECT agent_id, count(*) AS n FROM tasks WHERE state NOT IN ${TERMINAL_SQL} GROUP BY agent_id) tc ON tc.agent_id = a.id`
      : Prisma.empty;
    // As tasksPage: the page's ids first (narrow rows sorted), then their columns.
    const [count, ids] = await Promise.all([
      this.db.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM agents a ${where}`,
      this.db.$queryRaw<{ id: string }[]>`SELECT a.id FROM agents a ${counted} ${where} ORDER BY ${column} ${direction}, a.hostname ASC, a.id ASC LIMIT ${limit} OFFSET ${offset}`,
    ]);
    const order = ids.map((r) => r.id);
    const found = order.length === 0 ? [] : await this.db.$queryRaw<(Omit<NodeRow, 'agentVersion' | 'registeredAt' | 'lastHeartbeatAt'> & { agent_version: string; registered_at: Date; last_heartbeat_at: Date })[]>`
        SELECT a.id, a.hostname, a.address, a.state::text AS state, a.mode::text AS mode, a.resources, a.used, a.attributes,
               a.agent_version, a.registered_at, a.last_heartbeat_at
        FROM agents a WHERE a.id = ANY(${order}::text[])`;
    const byId = new Map(found.map((r) => [r.id, r]));
    const rows = order.flatMap((id) => byId.get(id) ?? []);
    const counts = await this.liveTasksOnAgents(rows.map((r) => r.id));
    return {
      total: Number(count[0]?.n ?? 0),
      rows: rows.map((r) => ({
        id: r.id, hostname: r.hostname, address: r.address, state: r.state, mode: r.mode, resources: r.resources, used: r.used,
        attributes: r.attributes, agentVersion: r.agent_version, registeredAt: r.registered_at, lastHeartbeatAt: r.last_heartbeat_at,
        tasks: counts.get(r.id) ?? 0,
      })),
    };
  }

  async node(id: string): Promise<NodeRow | null> {
    const row = await this.db.agent.findUnique({
      where: { id },
      select: { id: true, hostname: true, address: true, state: true, mode: true, resources: true, used: true, attributes: true, agentVersion: true, registeredAt: true, lastHeartbeatAt: true },
    });
    return row ? { ...row, resources: row.resources as NodeRow['resources'], used: row.used as NodeRow['used'], attributes: row.attributes as NodeRow['attributes'] } : null;
  }

  async liveTasksOnAgents(agentIds: readonly string[]): Promise<Map<string, number>> {
    if (agentIds.length === 0) return new Map();
    const rows = await this.db.$queryRaw<{ agent_id: string; n: bigint }[]>`
      SELECT agent_id, count(*) AS n FROM tasks WHERE agent_id = ANY(${[...agentIds]}::text[]) AND state NOT IN ${TERMINAL_SQL} GROUP BY agent_id`;
    return new Map(rows.map((r) => [r.agent_id, Number(r.n)]));
  }

  /** Nodes per state and mode. */
  async nodeCounts(): Promise<{ state: 'ACTIVE' | 'UNREACHABLE'; mode: 'UP' | 'DRAINING'; count: number }[]> {
    const rows = await this.db.$queryRaw<{ state: 'ACTIVE' | 'UNREACHABLE'; mode: 'UP' | 'DRAINING'; n: bigint }[]>`
      SELECT state::text AS state, mode::text AS mode, count(*) AS n FROM agents GROUP BY state, mode`;
    return rows.map((r) => ({ state: r.state, mode: r.mode, count: Number(r.n) }));
  }

  /** What reachable nodes offer and what their tasks hold, summed in Postgres. */
  async capacityTotals(): Promise<CapacityTotals> {
    const [row] = await this.db.$queryRaw<{ n: bigint; cc: number | null; cm: number | null; cd: number | null; ac: number | null; am: number | null; ad: number | null }[]>`
      SELECT count(*) AS n,
             sum((resources->>'cpus')::float8) AS cc, sum((resources->>'mem')::float8) AS cm, sum((resources->>'disk')::float8) AS cd,
             sum((used->>'cpus')::float8) AS ac, sum((used->>'mem')::float8) AS am, sum((used->>'disk')::float8) AS ad
      FROM agents WHERE state = 'ACTIVE'`;
    return {
      nodes: Number(row?.n ?? 0),
      capacity: { cpus: row?.cc ?? 0, mem: row?.cm ?? 0, disk: row?.cd ?? 0 },
      allocated: { cpus: row?.ac ?? 0, mem: row?.am ?? 0, disk: row?.ad ?? 0 },
    };
  }

  /** Reachable agent ids (whose usage reports the metrics history sums). */
  async activeAgentIds(): Promise<string[]> {
    return (await this.db.agent.findMany({ where: { state: 'ACTIVE' }, select: { id: true } })).map((a) => a.id);
  }
}

function taskWhere(filter: TaskFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [Prisma.sql`t.app_id IS NOT NULL`];
  if (filter.readable) parts.push(Prisma.sql`t.app_id = ANY(${[...filter.readable]}::text[])`);
  const state = filter.state ?? 'live';
  if (state === 'live') parts.push(Prisma.sql`t.state NOT IN ${TERMINAL_SQL}`);
  else if (state === 'failed') parts.push(Prisma.sql`t.state IN ${FAILED_SQL} AND t.kill_requested_at IS NULL`);
  else if (state !== 'all') parts.push(Prisma.sql`t.state = ${state}::"TaskState"`);
  if (filter.appId) parts.push(Prisma.sql`t.app_id = ${filter.appId}`);
  if (filter.appPrefix && filter.appPrefix !== '/') parts.push(Prisma.sql`(t.app_id = ${filter.appPrefix} OR t.app_id LIKE ${`${filter.appPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`})`);
  if (filter.agentId) parts.push(Prisma.sql`t.agent_id = ${filter.agentId}`);
  if (filter.search) {
    const pattern = like(filter.search);
    parts.push(Prisma.sql`(t.id ILIKE ${pattern} OR t.app_id ILIKE ${pattern} OR a.hostname ILIKE ${pattern} OR a.address ILIKE ${pattern})`);
  }
  return Prisma.sql`WHERE ${Prisma.join(parts, ' AND ')}`;
}

function nodeWhere(filter: NodeFilter): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  if (filter.state === 'DRAINING') parts.push(Prisma.sql`a.mode = 'DRAINING'`);
  else if (filter.state) parts.push(Prisma.sql`a.state = ${filter.state}::"NodeState"`);
  if (filter.search) {
    const pattern = like(filter.search);
    parts.push(Prisma.sql`(a.hostname ILIKE ${pattern} OR a.address ILIKE ${pattern} OR a.id ILIKE ${pattern} OR a.attributes::text ILIKE ${pattern})`);
  }
  return parts.length ? Prisma.sql`WHERE ${Prisma.join(parts, ' AND ')}` : Prisma.empty;
}

export { TERMINAL as TERMINAL_STATES };
