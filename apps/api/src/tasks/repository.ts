import { isTerminal, TERMINAL_TASK_STATES, type KnownTask, type TaskSpec, type TaskState, type TaskStatus } from '@gantry/specs';
import { Prisma } from '../generated/prisma/client.js';
import type { Db } from '../db/prisma.js';
import { fenced, type Tx } from '../db/fenced.js';
import type { ClusterEvent } from '../events/cluster-event.js';
import { EVENTS_CHANNEL, notify } from '../events/notify.js';

/** Everything the API reads and writes about tasks. The only place Prisma sees them. */

const taskSelect = {
  id: true, agentId: true, appId: true, state: true, reason: true, message: true, healthy: true, ready: true,
  pid: true, exitCode: true, createdAt: true, updatedAt: true,
  configVersion: true, role: true, startedAt: true, unreachableSince: true, killRequestedAt: true, healthFailures: true,
} as const;

const TERMINAL_SQL = Prisma.sql`('TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE')`;

/**
 * The writing transaction's id: every UPDATE of a task row sets `txid` to it (inserts get
 * it from the column's default), so the scheduler's reads of what changed miss nothing
 * (see liveChanges and the migration task_change_txid). Every write of tasks is in this file.
 */
const TXID = Prisma.sql`(pg_current_xact_id())::text::bigint`;

export interface TaskView {
  id: string;
  agentId: string;
  appId: string | null;
  state: TaskState;
  reason: string | null;
  message: string | null;
  healthy: boolean | null;
  ready: boolean | null;
  pid: number | null;
  exitCode: number | null;
  createdAt: Date;
  updatedAt: Date;
  configVersion: string | null;
  role: string | null;
  startedAt: Date | null;
  unreachableSince: Date | null;
  killRequestedAt: Date | null;
  /** Consecutive failures of its worst health check (0 when healthy or unchecked). */
  healthFailures: number;
}

/** A task with what it was launched with (its ports, its app version). */
export interface TaskWithSpec extends TaskView {
  spec: TaskSpec;
}

/** A live task with what the services framework needs to reconcile and account for it (of its spec: its resources and app version). */
export interface LiveTask extends TaskView {
  spec: Pick<TaskSpec, 'resources' | 'appVersion'>;
}

/**
 * Tasks for the leader's in-memory view, and the horizon to read from next time: every
 * row written by a transaction at or after `horizon` (the oldest still running when
 * this was read) may not have been seen yet.
 */
export interface TaskChanges {
  tasks: LiveTask[];
  horizon: bigint;
}

type LiveRow = Omit<LiveTask, 'spec'> & { resources: TaskSpec['resources'] | null; appVersion: string | null; horizon: bigint };

/** A task to stage: launched on `agentId` with `spec`, running the app config `configVersion`. */
export interface Staging {
  agentId: string;
  spec: TaskSpec;
  configVersion?: string;
  role?: string;
}

export class TaskExistsError extends Error {
  override name = 'TaskExistsError';
}

export type StatusOutcome = 'applied' | 'duplicate' | 'stale';

export class TaskRepository {
  constructor(private readonly db: Db) {}

  async get(taskId: string): Promise<TaskView | null> {
    return this.db.task.findUnique({ where: { id: taskId }, select: taskSelect });
  }

  /** One page of every task (or the live ones) by task id, after `after` (see GET /v1/tasks). */
  async page(options: { after: string | null; limit: number; liveOnly?: boolean }): Promise<TaskView[]> {
    return this.db.task.findMany({
      where: {
        ...(options.after !== null ? { id: { gt: options.after } } : {}),
        ...(options.liveOnly ? { state: { notIn: [...TERMINAL_TASK_STATES] } } : {}),
      },
      select: taskSelect, orderBy: { id: 'asc' }, take: options.limit,
    });
  }

  async listByAgent(agentId: string): Promise<TaskView[]> {
    return this.db.task.findMany({ where: { agentId }, select: taskSelect, orderBy: { createdAt: 'asc' } });
  }

  /** How many updates of `taskId` were applied (for tests and diagnostics). */
  async appliedUpdates(taskId: string): Promise<{ uuid: string; state: TaskState }[]> {
    return this.db.taskStatusUpdate.findMany({ where: { taskId }, select: { uuid: true, state: true }, orderBy: { receivedAt: 'asc' } });
  }

  /** Tasks of these apps (every app when null), live ones only unless asked, oldest first. */
  async listByApps(appIds: readonly string[] | null, options: { liveOnly?: boolean } = {}): Promise<TaskWithSpec[]> {
    const rows = await this.db.task.findMany({
      where: {
        ...(appIds ? { appId: { in: [...appIds] } } : { appId: { not: null } }),
        ...(options.liveOnly ? { state: { notIn: [...TERMINAL_TASK_STATES] } } : {}),
      },
      select: { ...taskSelect, spec: true },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => ({ ...r, spec: r.spec as TaskSpec }));
  }

  async byIds(taskIds: readonly string[]): Promise<TaskWithSpec[]> {
    if (taskIds.length === 0) return [];
    const rows = await this.db.task.findMany({ where: { id: { in: [...taskIds] } }, select: { ...taskSelect, spec: true } });
    return rows.map((r) => ({ ...r, spec: r.spec as TaskSpec }));
  }

  /**
   * A user asks for tasks to be killed (any replica may take the request): the kill is
   * recorded as long overdue, so the leader's next pass sends it at once — the same
   * path that retries kills nobody answered — and counts the tasks as going.
   */
  async requestKill(taskIds: readonly string[], tx?: Tx): Promise<void> {
    if (taskIds.length === 0) return;
    const write = async (t: Tx) => {
      await t.$executeRaw`
        UPDATE tasks SET kill_requested_at = to_timestamp(0), txid = ${TXID}
        WHERE id IN (SELECT id FROM tasks WHERE id = ANY(${[...taskIds]}::text[]) ORDER BY id FOR NO KEY UPDATE) AND state NOT IN ${TERMINAL_SQL}`;
      await notify(t, { type: 'desired' });
    };
    if (tx) await write(tx);
    else await this.db.$transaction(write);
  }

  /** Marathon's lastTaskFailure: the app's most recent task that ended without being asked to. */
  async lastFailure(appId: string): Promise<TaskWithSpec | null> {
    const row = await this.db.task.findFirst({
      where: { appId, state: { in: ['TASK_FAILED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_FINISHED'] }, killRequestedAt: null },
      select: { ...taskSelect, spec: true },
      orderBy: { updatedAt: 'desc' },
    });
    return row && { ...row, spec: row.spec as TaskSpec };
  }

  /** Every task that is not terminal, oldest first: what the scheduler reconciles. */
  async listLive(): Promise<LiveTask[]> {
    const rows = await this.db.task.findMany({
      where: { state: { notIn: [...TERMINAL_TASK_STATES] } },
      select: { ...taskSelect, spec: true },
      orderBy: { createdAt: 'asc' },
    });
    return rows.map((r) => ({ ...r, spec: r.spec as TaskSpec }));
  }

  /**
   * The scheduler's reads (see the migration task_change_txid): with `since` null every
   * live task; otherwise every task, terminal ones included, written by a transaction no
   * older than `since` — what may have changed since the read that returned that horizon.
   * The horizon comes from the same statement's snapshot, so no write falls between.
   * Only the columns the scheduler uses are read (of the spec: resources and version).
   */
  async liveChanges(since: bigint | null): Promise<TaskChanges> {
    const where = since === null ? Prisma.sql`t.state NOT IN ${TERMINAL_SQL}` : Prisma.sql`t.txid >= ${since}`;
    const rows = await this.db.$queryRaw<(LiveRow | { horizon: bigint; id: null })[]>`
      SELECT h.horizon, c.* FROM (SELECT (pg_snapshot_xmin(pg_current_snapshot()))::text::bigint AS horizon) h
      LEFT JOIN LATERAL (
        SELECT t.id, t.agent_id AS "agentId", t.app_id AS "appId", t.state::text AS state, t.reason, t.message, t.healthy, t.ready,
               t.pid, t.exit_code AS "exitCode", t.created_at AS "createdAt", t.updated_at AS "updatedAt",
               t.config_version AS "configVersion", t.role, t.started_at AS "startedAt", t.unreachable_since AS "unreachableSince",
               t.kill_requested_at AS "killRequestedAt", t.health_failures AS "healthFailures",
               t.spec->'resources' AS resources, t.spec->>'appVersion' AS "appVersion"
        FROM tasks t WHERE ${where} ORDER BY t.created_at
      ) c ON true`;
    const tasks: LiveTask[] = [];
    for (const row of rows) {
      if (row.id === null) continue;
      const { horizon: _h, resources, appVersion, ...task } = row as LiveRow;
      tasks.push({ ...task, spec: { resources: resources ?? { cpus: 0, mem: 0, disk: 0, ports: [] }, ...(appVersion !== null ? { appVersion } : {}) } });
    }
    return { tasks, horizon: BigInt(rows[0]!.horizon) };
  }

  /**
   * Persists the task as STAGING before anything is sent to the agent (ARCHITECTURE
   * step 5): a launch the master forgets can't exist. Task ids are never reused.
   */
  async stage(epoch: number, agentId: string, spec: TaskSpec, now: Date): Promise<void> {
    await this.stageMany(epoch, [{ agentId, spec }], now);
  }

  /**
   * Stages many tasks in one fenced transaction of two statements (the scheduler places
   * thousands per second; one commit each would cap it at Postgres' commit rate).
   * All or nothing: a reused task id fails the whole batch.
   */
  async stageMany(epoch: number, tasks: readonly Staging[], now: Date): Promise<void> {
    if (tasks.length === 0) return;
    const col = <T>(pick: (t: Staging) => T) => tasks.map(pick);
    await fenced(this.db, epoch, async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO tasks (id, agent_id, app_id, state, spec, config_version, role, created_at, updated_at, epoch)
        SELECT id, agent, app, 'TASK_STAGING', spec, config, role, ${now}, ${now}, ${epoch}
        FROM unnest(${col((t) => t.spec.taskId)}::text[], ${col((t) => t.agentId)}::text[], ${col((t) => t.spec.appId ?? null)}::text[],
                    ${col((t) => JSON.stringify(t.spec))}::jsonb[], ${col((t) => t.configVersion ?? null)}::text[], ${col((t) => t.role ?? null)}::text[])
             AS v(id, agent, app, spec, config, role)
        ON CONFLICT (id) DO NOTHING`;
      if (inserted !== tasks.length) throw new TaskExistsError(`${tasks.length - inserted} of ${tasks.length} task ids already exist; task ids are never reused`);
      const payloads = tasks.map((t) => JSON.stringify({
        type: 'task', taskId: t.spec.taskId, agentId: t.agentId, state: 'TASK_STAGING', ...(t.spec.appId ? { appId: t.spec.appId } : {}),
      } satisfies ClusterEvent));
      await tx.$executeRaw`SELECT count(pg_notify(${EVENTS_CHANNEL}, p)) FROM unnest(${payloads}::text[]) AS p`;
    });
  }

  /** How tasks that are no longer live ended (the scheduler's backoff counts failures). */
  async endings(taskIds: readonly string[]): Promise<{ id: string; appId: string | null; state: TaskState; killRequestedAt: Date | null }[]> {
    if (taskIds.length === 0) return [];
    return this.db.task.findMany({ where: { id: { in: [...taskIds] } }, select: { id: true, appId: true, state: true, killRequestedAt: true } });
  }

  /**
   * Records that kills were sent (again, for a retry), so the scheduler never counts
   * these tasks as capacity again and knows when to retry.
   */
  async markKillRequested(epoch: number, taskIds: readonly string[], now: Date): Promise<void> {
    if (taskIds.length === 0) return;
    await fenced(this.db, epoch, (tx) => tx.$executeRaw`
      UPDATE tasks SET kill_requested_at = ${now}, epoch = ${epoch}, txid = ${TXID}
      WHERE id IN (SELECT id FROM tasks WHERE id = ANY(${[...taskIds]}::text[]) ORDER BY id FOR NO KEY UPDATE)`);
  }

  /**
   * Marathon's expunge: an unreachable task past its `expungeAfterSeconds` is forgotten
   * (TASK_GONE). Should its agent come back with it, reconciliation kills it.
   */
  async expunge(epoch: number, taskIds: readonly string[], now: Date): Promise<void> {
    if (taskIds.length === 0) return;
    await fenced(this.db, epoch, async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; agent_id: string; app_id: string | null }[]>`
        UPDATE tasks SET state = 'TASK_GONE', reason = 'REASON_EXPUNGED',
               message = 'unreachable past the app''s expungeAfterSeconds', updated_at = ${now}, epoch = ${epoch}, txid = ${TXID}
        WHERE id IN (SELECT id FROM tasks WHERE id = ANY(${[...taskIds]}::text[]) ORDER BY id FOR NO KEY UPDATE) AND state NOT IN ${TERMINAL_SQL}
        RETURNING id, agent_id, app_id`;
      await notifyAll(tx, rows.map((r) => taskEvent(r.id, r.agent_id, 'TASK_GONE', r.app_id)));
    });
  }

  /** One update; see recordStatuses. */
  async recordStatus(epoch: number, agentId: string, status: TaskStatus, now: Date): Promise<StatusOutcome> {
    return (await this.recordStatuses(epoch, [{ agentId, status }], now))[0]!;
  }

  /**
   * Applies status updates exactly once each, keyed by uuid, in one fenced transaction
   * of one statement whatever the batch size (one row-commit per update would cap
   * the cluster at Postgres' single-commit rate). The caller acknowledges an update
   * only after this returns, so an ack always means "durably recorded". A duplicate
   * changes nothing and is acknowledged again; an update never moves a task out of a
   * terminal state (a late update must not resurrect it). Outcomes are in input order.
   */
  async recordStatuses(epoch: number, updates: readonly { agentId: string; status: TaskStatus }[], now: Date): Promise<StatusOutcome[]> {
    if (updates.length === 0) return [];
    // One row per uuid, where it first appears: the same update twice in one batch is a duplicate of itself.
    const unique = [...new Map(updates.map((u) => [u.status.uuid, u])).values()];
    const col = <T>(pick: (u: { agentId: string; status: TaskStatus }) => T) => unique.map(pick);
    // One statement: record the uuids, apply each task's last fresh update (the agent keeps
    // one update per task in flight, so a batch holds at most one fresh update per task;
    // should it hold more, the last one wins, its stream order), announce what changed.
    // Rows are upserted in task id order, as every multi-row task write locks them (no
    // deadlocks between them). NOTIFY is transactional: heard only once the batch commits.
    const [result] = await fenced(this.db, epoch, (tx) => tx.$queryRaw<{ fresh: string[]; applied: string[] }[]>`
      WITH v AS (
        SELECT * FROM unnest(${col((u) => u.status.uuid)}::text[], ${col((u) => u.status.taskId)}::text[], ${col((u) => u.agentId)}::text[],
                             ${col((u) => u.status.state)}::text[], ${col((u) => u.status.reason ?? null)}::text[], ${col((u) => u.status.message ?? null)}::text[],
                             ${col((u) => u.status.healthy ?? null)}::bool[], ${col((u) => u.status.ready ?? null)}::bool[],
                             ${col((u) => u.status.pid ?? null)}::int[], ${col((u) => u.status.exitCode ?? null)}::int[],
                             ${col((u) => u.status.consecutiveHealthFailures ?? null)}::int[])
               WITH ORDINALITY AS v(uuid, task_id, agent_id, st, reason, message, healthy, ready, pid, code, failures, ord)
      ),
      fresh AS (
        INSERT INTO task_status_updates (uuid, task_id, state, received_at)
        SELECT uuid, task_id, st::"TaskState", ${now} FROM v ORDER BY ord
        ON CONFLICT (uuid) DO NOTHING RETURNING uuid
      ),
      latest AS (
        SELECT DISTINCT ON (v.task_id) v.* FROM v JOIN fresh USING (uuid) ORDER BY v.task_id, v.ord DESC
      ),
      applied AS (
        INSERT INTO tasks AS t (id, agent_id, state, reason, message, healthy, ready, pid, exit_code, health_failures, spec, created_at, updated_at, epoch)
        SELECT task_id, agent_id, st::"TaskState", reason, message, healthy, ready, pid, code, coalesce(failures, 0), '{}'::jsonb, ${now}, ${now}, ${epoch}
        FROM latest ORDER BY task_id
        ON CONFLICT (id) DO UPDATE SET
          agent_id = EXCLUDED.agent_id, state = EXCLUDED.state, reason = EXCLUDED.reason, message = EXCLUDED.message,
          healthy = EXCLUDED.healthy, ready = EXCLUDED.ready, pid = EXCLUDED.pid, exit_code = EXCLUDED.exit_code,
          health_failures = EXCLUDED.health_failures,
          updated_at = EXCLUDED.updated_at, epoch = EXCLUDED.epoch, txid = ${TXID},
          started_at = COALESCE(t.started_at, CASE WHEN EXCLUDED.state = 'TASK_RUNNING' THEN EXCLUDED.updated_at END),
          -- Heard from again: no longer unreachable (unless this very update says so).
          unreachable_since = CASE WHEN EXCLUDED.state = 'TASK_UNREACHABLE' THEN COALESCE(t.unreachable_since, EXCLUDED.updated_at) END
        WHERE t.state NOT IN ${TERMINAL_SQL}
           OR t.state = EXCLUDED.state
        RETURNING t.id, t.agent_id, t.app_id, t.state, t.healthy, t.ready, t.spec->'resources'->'ports' AS ports, t.spec->>'appVersion' AS version
      ),
      announced AS (
        -- The ClusterEvent of each applied update (absent fields left out, as its schema has them optional).
        SELECT count(pg_notify(${EVENTS_CHANNEL}, json_strip_nulls(json_build_object(
          'type', 'task', 'taskId', id, 'agentId', agent_id, 'state', state, 'appId', app_id,
          'ports', ports, 'version', version, 'healthy', healthy, 'ready', ready))::text)) AS n
        FROM applied
      )
      SELECT (SELECT coalesce(array_agg(uuid), '{}') FROM fresh) AS fresh,
             (SELECT coalesce(array_agg(id), '{}') FROM applied) AS applied,
             (SELECT n FROM announced) AS announced`);
    const fresh = new Set(result!.fresh);
    const applied = new Set(result!.applied);
    // The update each task's row took: its last fresh one in the batch (as the statement chose).
    const latest = new Map<string, string>();
    for (const { status } of unique) if (fresh.has(status.uuid)) latest.set(status.taskId, status.uuid);
    return updates.map(({ status }): StatusOutcome => {
      if (!fresh.has(status.uuid) || latest.get(status.taskId) !== status.uuid) return 'duplicate';
      return applied.has(status.taskId) ? 'applied' : 'stale';
    });
  }

  /**
   * Mesos' agent re-registration, the master's side: the agent lists what it runs.
   * A task the master believes live on that agent but the agent does not know is
   * gone — TASK_DROPPED if it never got past STAGING (the launch was lost), TASK_GONE
   * otherwise. A task the master had marked TASK_UNREACHABLE that the agent still runs
   * takes the state the agent reports (the partition healed). Returns the live tasks
   * the agent runs that the master does not want (unknown here, or already terminal
   * here, e.g. expunged): the caller kills them, as Mesos does.
   */
  async reconcile(epoch: number, agentId: string, known: readonly KnownTask[], now: Date): Promise<string[]> {
    return (await this.reconcileMany(epoch, [{ agentId, known }], now))[0]!;
  }

  /**
   * Several agents' task lists reconciled in one fenced transaction of at most four
   * statements (thousands of agents re-register after a failover; one transaction each
   * would take seconds). The same as reconciling them one after another in input order:
   * an agent listed twice is reconciled twice, the second time against the first's result.
   * Returns each list's unwanted task ids, in input order.
   */
  async reconcileMany(epoch: number, lists: readonly { agentId: string; known: readonly KnownTask[] }[], now: Date): Promise<string[][]> {
    if (lists.length === 0) return [];
    const agentIds = [...new Set(lists.map((l) => l.agentId))];
    return fenced(this.db, epoch, async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; agent_id: string; state: TaskState; app_id: string | null }[]>`
        SELECT id, agent_id, state::text AS state, app_id FROM tasks WHERE agent_id = ANY(${agentIds}::text[])`;
      const byAgent = new Map<string, Map<string, { state: TaskState; appId: string | null }>>();
      for (const r of rows) {
        let tasks = byAgent.get(r.agent_id);
        if (!tasks) byAgent.set(r.agent_id, (tasks = new Map()));
        tasks.set(r.id, { state: r.state, appId: r.app_id });
      }
      // What each changed row becomes (the last decision wins) and the events, in decision order.
      // `clear`: heard from again, no longer unreachable; `gone`: reconciled away (reason and message say so).
      type Change = { state: TaskState; clear: boolean; gone: boolean; healthy?: boolean; ready?: boolean };
      const changes = new Map<string, Change>();
      const events: ClusterEvent[] = [];
      const unwanted = lists.map(({ agentId, known }) => {
        const tasks = byAgent.get(agentId) ?? new Map<string, { state: TaskState; appId: string | null }>();
        const reported = new Map(known.map((t) => [t.taskId, t]));
        for (const [id, row] of tasks) {
          if (isTerminal(row.state)) continue;
          const report = reported.get(id);
          if (report) {
            // A task the master had marked unreachable that the agent still runs: the partition healed.
            if (row.state !== 'TASK_UNREACHABLE' || isTerminal(report.state)) continue;
            const before = changes.get(id);
            changes.set(id, {
              ...before, state: report.state, clear: true, gone: before?.gone ?? false,
              ...(report.healthy !== undefined ? { healthy: report.healthy } : {}), ...(report.ready !== undefined ? { ready: report.ready } : {}),
            });
            row.state = report.state;
            events.push(taskEvent(id, agentId, report.state, row.appId, report.healthy, report.ready));
            continue;
          }
          // Not on the agent: the launch was lost (never past STAGING) or the task is gone.
          const state: TaskState = row.state === 'TASK_STAGING' ? 'TASK_DROPPED' : 'TASK_GONE';
          const before = changes.get(id);
          changes.set(id, { ...before, state, clear: before?.clear ?? false, gone: true });
          row.state = state;
          events.push(taskEvent(id, agentId, state, row.appId));
        }
        return known
          .filter((t) => !isTerminal(t.state) && t.state !== 'TASK_KILLING')
          .filter((t) => !tasks.has(t.taskId) || isTerminal(tasks.get(t.taskId)!.state))
          .map((t) => t.taskId);
      });
      if (changes.size) {
        // Rows are locked in id order, as every multi-row task write does (no deadlocks between them).
        const ids = [...changes.keys()].sort();
        const c = <T>(pick: (change: Change) => T) => ids.map((id) => pick(changes.get(id)!));
        await tx.$executeRaw`
          UPDATE tasks AS t SET
            state = v.state::"TaskState", updated_at = ${now}, epoch = ${epoch}, txid = ${TXID},
            unreachable_since = CASE WHEN v.clear THEN NULL ELSE t.unreachable_since END,
            reason = CASE WHEN v.gone THEN 'REASON_RECONCILIATION' ELSE t.reason END,
            message = CASE WHEN v.gone THEN 'the agent re-registered without this task' ELSE t.message END,
            healthy = COALESCE(v.healthy, t.healthy), ready = COALESCE(v.ready, t.ready)
          FROM unnest(${ids}::text[], ${c((x) => x.state)}::text[], ${c((x) => x.clear)}::bool[], ${c((x) => x.gone)}::bool[],
                      ${c((x) => x.healthy ?? null)}::bool[], ${c((x) => x.ready ?? null)}::bool[]) AS v(id, state, clear, gone, healthy, ready)
          WHERE t.id = v.id AND t.id IN (SELECT id FROM tasks WHERE id = ANY(${ids}::text[]) ORDER BY id FOR NO KEY UPDATE)`;
        await notifyAll(tx, events);
      }
      return unwanted;
    });
  }

  /**
   * Mesos marks the tasks of an unreachable agent TASK_UNREACHABLE (partition-aware
   * frameworks): the services framework replaces them per the app's unreachableStrategy.
   */
  async markAgentTasksUnreachable(tx: Tx, epoch: number, agentIds: readonly string[], now: Date): Promise<void> {
    const rows = await tx.$queryRaw<{ id: string; agent_id: string; app_id: string | null }[]>`
      UPDATE tasks SET state = 'TASK_UNREACHABLE', unreachable_since = ${now}, updated_at = ${now}, epoch = ${epoch}, txid = ${TXID},
             reason = NULL, message = 'its agent stopped heartbeating'
      WHERE id IN (
        SELECT id FROM tasks WHERE agent_id = ANY(${[...agentIds]}::text[]) AND state NOT IN ${TERMINAL_SQL} AND state <> 'TASK_UNREACHABLE'
        ORDER BY id FOR NO KEY UPDATE)
        AND state NOT IN ${TERMINAL_SQL} AND state <> 'TASK_UNREACHABLE'
      RETURNING id, agent_id, app_id`;
    await notifyAll(tx, rows.map((r) => taskEvent(r.id, r.agent_id, 'TASK_UNREACHABLE', r.app_id)));
  }

}

function taskEvent(taskId: string, agentId: string, state: TaskState, appId: string | null, healthy?: boolean, ready?: boolean): ClusterEvent {
  return {
    type: 'task', taskId, agentId, state, ...(appId ? { appId } : {}),
    ...(healthy !== undefined ? { healthy } : {}), ...(ready !== undefined ? { ready } : {}),
  };
}

/** Many events in one statement (NOTIFY is transactional: heard once the transaction commits, in this order). */
async function notifyAll(tx: Tx, events: readonly ClusterEvent[]): Promise<void> {
  if (events.length === 0) return;
  if (events.length === 1) return notify(tx, events[0]!);
  const payloads = events.map((e) => JSON.stringify(e));
  await tx.$executeRaw`SELECT count(pg_notify(${EVENTS_CHANNEL}, p)) FROM unnest(${payloads}::text[]) WITH ORDINALITY AS u(p, n)`;
}
