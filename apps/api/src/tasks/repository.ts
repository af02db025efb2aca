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
  configVersion: true, role: true, startedAt: true, unreachableSince: true, killRequestedAt: true,
} as const;

const TERMINAL_SQL = Prisma.sql`('TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE')`;

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
}

/** A task with what it was launched with (its ports, its app version). */
export interface TaskWithSpec extends TaskView {
  spec: TaskSpec;
}

/** A live task with what the services framework needs to reconcile and account for it. */
export type LiveTask = TaskWithSpec;

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
        UPDATE tasks SET kill_requested_at = to_timestamp(0)
        WHERE id = ANY(${[...taskIds]}::text[]) AND state NOT IN ${TERMINAL_SQL}`;
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
      UPDATE tasks SET kill_requested_at = ${now}, epoch = ${epoch} WHERE id = ANY(${[...taskIds]}::text[])`);
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
               message = 'unreachable past the app''s expungeAfterSeconds', updated_at = ${now}, epoch = ${epoch}
        WHERE id = ANY(${[...taskIds]}::text[]) AND state NOT IN ${TERMINAL_SQL}
        RETURNING id, agent_id, app_id`;
      for (const r of rows) await this.announce(tx, r.id, r.agent_id, 'TASK_GONE', r.app_id);
    });
  }

  /** One update; see recordStatuses. */
  async recordStatus(epoch: number, agentId: string, status: TaskStatus, now: Date): Promise<StatusOutcome> {
    return (await this.recordStatuses(epoch, [{ agentId, status }], now))[0]!;
  }

  /**
   * Applies status updates exactly once each, keyed by uuid, in one fenced transaction
   * of three statements whatever the batch size (one row-commit per update would cap
   * the cluster at Postgres' single-commit rate). The caller acknowledges an update
   * only after this returns, so an ack always means "durably recorded". A duplicate
   * changes nothing and is acknowledged again; an update never moves a task out of a
   * terminal state (a late update must not resurrect it). Outcomes are in input order.
   */
  async recordStatuses(epoch: number, updates: readonly { agentId: string; status: TaskStatus }[], now: Date): Promise<StatusOutcome[]> {
    if (updates.length === 0) return [];
    // One row per uuid: the same update twice in one batch is a duplicate of itself.
    const unique = [...new Map(updates.map((u) => [u.status.uuid, u])).values()];
    const col = <T>(pick: (u: { agentId: string; status: TaskStatus }) => T) => unique.map(pick);
    const uuids = col((u) => u.status.uuid);
    const taskIds = col((u) => u.status.taskId);
    const states = col((u) => u.status.state);
    return fenced(this.db, epoch, async (tx) => {
      const fresh = new Set((await tx.$queryRaw<{ uuid: string }[]>`
        INSERT INTO task_status_updates (uuid, task_id, state, received_at)
        SELECT u, t, s::"TaskState", ${now} FROM unnest(${uuids}::text[], ${taskIds}::text[], ${states}::text[]) AS v(u, t, s)
        ON CONFLICT (uuid) DO NOTHING RETURNING uuid`).map((r) => r.uuid));
      // The agent keeps one update per task in flight, so a batch has at most one fresh update per task;
      // should it ever hold more, the last one wins (its stream order).
      const latest = new Map<string, { agentId: string; status: TaskStatus }>();
      for (const u of unique) if (fresh.has(u.status.uuid)) latest.set(u.status.taskId, u);
      const apply = [...latest.values()];
      const applied = new Set<string>();
      if (apply.length) {
        const a = <T>(pick: (u: { agentId: string; status: TaskStatus }) => T) => apply.map(pick);
        const rows = await tx.$queryRaw<{ id: string; agent_id: string; app_id: string | null; state: TaskState; healthy: boolean | null; ready: boolean | null; ports: number[] | null; version: string | null }[]>`
          INSERT INTO tasks AS t (id, agent_id, state, reason, message, healthy, ready, pid, exit_code, spec, created_at, updated_at, epoch)
          SELECT id, agent, st::"TaskState", reason, message, healthy, ready, pid, code, '{}'::jsonb, ${now}, ${now}, ${epoch}
          FROM unnest(${a((u) => u.status.taskId)}::text[], ${a((u) => u.agentId)}::text[], ${a((u) => u.status.state)}::text[],
                      ${a((u) => u.status.reason ?? null)}::text[], ${a((u) => u.status.message ?? null)}::text[],
                      ${a((u) => u.status.healthy ?? null)}::bool[], ${a((u) => u.status.ready ?? null)}::bool[],
                      ${a((u) => u.status.pid ?? null)}::int[], ${a((u) => u.status.exitCode ?? null)}::int[])
               AS v(id, agent, st, reason, message, healthy, ready, pid, code)
          ON CONFLICT (id) DO UPDATE SET
            agent_id = EXCLUDED.agent_id, state = EXCLUDED.state, reason = EXCLUDED.reason, message = EXCLUDED.message,
            healthy = EXCLUDED.healthy, ready = EXCLUDED.ready, pid = EXCLUDED.pid, exit_code = EXCLUDED.exit_code,
            updated_at = EXCLUDED.updated_at, epoch = EXCLUDED.epoch,
            started_at = COALESCE(t.started_at, CASE WHEN EXCLUDED.state = 'TASK_RUNNING' THEN EXCLUDED.updated_at END),
            -- Heard from again: no longer unreachable (unless this very update says so).
            unreachable_since = CASE WHEN EXCLUDED.state = 'TASK_UNREACHABLE' THEN COALESCE(t.unreachable_since, EXCLUDED.updated_at) END
          WHERE t.state NOT IN ${TERMINAL_SQL}
             OR t.state = EXCLUDED.state
          RETURNING t.id, t.agent_id, t.app_id, t.state, t.healthy, t.ready, t.spec->'resources'->'ports' AS ports, t.spec->>'appVersion' AS version`;
        const payloads = rows.map((r) => {
          applied.add(r.id);
          return JSON.stringify({
            type: 'task', taskId: r.id, agentId: r.agent_id, state: r.state, ...(r.app_id ? { appId: r.app_id } : {}),
            ...(r.ports ? { ports: r.ports } : {}), ...(r.version ? { version: r.version } : {}),
            ...(r.healthy !== null ? { healthy: r.healthy } : {}), ...(r.ready !== null ? { ready: r.ready } : {}),
          } satisfies ClusterEvent);
        });
        // NOTIFY is transactional: subscribers hear these only once the batch has committed.
        if (payloads.length) await tx.$executeRaw`SELECT count(pg_notify(${EVENTS_CHANNEL}, p)) FROM unnest(${payloads}::text[]) AS p`;
      }
      return updates.map(({ status }): StatusOutcome => {
        if (!fresh.has(status.uuid) || latest.get(status.taskId)?.status.uuid !== status.uuid) return 'duplicate';
        return applied.has(status.taskId) ? 'applied' : 'stale';
      });
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
    return fenced(this.db, epoch, async (tx) => {
      const rows = await tx.task.findMany({ where: { agentId }, select: { id: true, state: true, appId: true } });
      const reported = new Map(known.map((t) => [t.taskId, t]));
      for (const row of rows) {
        if (isTerminal(row.state)) continue;
        const report = reported.get(row.id);
        if (report) {
          if (row.state !== 'TASK_UNREACHABLE' || isTerminal(report.state)) continue;
          await tx.task.update({
            where: { id: row.id },
            data: {
              state: report.state, unreachableSince: null, updatedAt: now, epoch,
              ...(report.healthy !== undefined ? { healthy: report.healthy } : {}), ...(report.ready !== undefined ? { ready: report.ready } : {}),
            },
          });
          await this.announce(tx, row.id, agentId, report.state, row.appId, report.healthy, report.ready);
          continue;
        }
        const state: TaskState = row.state === 'TASK_STAGING' ? 'TASK_DROPPED' : 'TASK_GONE';
        await tx.task.update({
          where: { id: row.id },
          data: { state, reason: 'REASON_RECONCILIATION', message: 'the agent re-registered without this task', updatedAt: now, epoch },
        });
        await this.announce(tx, row.id, agentId, state, row.appId);
      }
      const wanted = new Map(rows.map((r) => [r.id, r.state]));
      return known
        .filter((t) => !isTerminal(t.state) && t.state !== 'TASK_KILLING')
        .filter((t) => !wanted.has(t.taskId) || isTerminal(wanted.get(t.taskId)!))
        .map((t) => t.taskId);
    });
  }

  /**
   * Mesos marks the tasks of an unreachable agent TASK_UNREACHABLE (partition-aware
   * frameworks): the services framework replaces them per the app's unreachableStrategy.
   */
  async markAgentTasksUnreachable(tx: Tx, epoch: number, agentIds: readonly string[], now: Date): Promise<void> {
    const rows = await tx.$queryRaw<{ id: string; agent_id: string; app_id: string | null }[]>`
      UPDATE tasks SET state = 'TASK_UNREACHABLE', unreachable_since = ${now}, updated_at = ${now}, epoch = ${epoch},
             reason = NULL, message = 'its agent stopped heartbeating'
      WHERE agent_id = ANY(${[...agentIds]}::text[]) AND state NOT IN ${TERMINAL_SQL} AND state <> 'TASK_UNREACHABLE'
      RETURNING id, agent_id, app_id`;
    for (const r of rows) await this.announce(tx, r.id, r.agent_id, 'TASK_UNREACHABLE', r.app_id);
  }

  private async announce(tx: Tx, taskId: string, agentId: string, state: TaskState, appId: string | null, healthy?: boolean, ready?: boolean): Promise<void> {
    await notify(tx, {
      type: 'task', taskId, agentId, state, ...(appId ? { appId } : {}),
      ...(healthy !== undefined ? { healthy } : {}), ...(ready !== undefined ? { ready } : {}),
    });
  }
}
