import { isTerminal, type KnownTask, type TaskSpec, type TaskState, type TaskStatus } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import { fenced, type Tx } from '../db/fenced.js';
import type { ClusterEvent } from '../events/cluster-event.js';
import { EVENTS_CHANNEL, notify } from '../events/notify.js';

/** Everything the API reads and writes about tasks. The only place Prisma sees them. */

const taskSelect = {
  id: true, agentId: true, appId: true, state: true, reason: true, message: true, healthy: true, ready: true,
  pid: true, exitCode: true, createdAt: true, updatedAt: true,
} as const;

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

  /**
   * Persists the task as STAGING before anything is sent to the agent (ARCHITECTURE
   * step 5): a launch the master forgets can't exist. Task ids are never reused.
   */
  async stage(epoch: number, agentId: string, spec: TaskSpec, now: Date): Promise<void> {
    await fenced(this.db, epoch, async (tx) => {
      const inserted = await tx.$executeRaw`
        INSERT INTO tasks (id, agent_id, app_id, state, spec, created_at, updated_at, epoch)
        VALUES (${spec.taskId}, ${agentId}, ${spec.appId ?? null}, 'TASK_STAGING', ${JSON.stringify(spec)}::jsonb, ${now}, ${now}, ${epoch})
        ON CONFLICT (id) DO NOTHING`;
      if (inserted === 0) throw new TaskExistsError(`task ${spec.taskId} already exists; task ids are never reused`);
      await notify(tx, { type: 'task', taskId: spec.taskId, agentId, state: 'TASK_STAGING' });
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
        const rows = await tx.$queryRaw<{ id: string; agent_id: string; state: TaskState; healthy: boolean | null; ready: boolean | null }[]>`
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
            updated_at = EXCLUDED.updated_at, epoch = EXCLUDED.epoch
          WHERE t.state NOT IN ('TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE')
             OR t.state = EXCLUDED.state
          RETURNING t.id, t.agent_id, t.state, t.healthy, t.ready`;
        const payloads = rows.map((r) => {
          applied.add(r.id);
          return JSON.stringify({
            type: 'task', taskId: r.id, agentId: r.agent_id, state: r.state,
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
   * otherwise. Returns the live tasks the agent runs that the master does not want
   * (unknown here, or already terminal here): the caller kills them, as Mesos does.
   */
  async reconcile(epoch: number, agentId: string, known: readonly KnownTask[], now: Date): Promise<string[]> {
    return fenced(this.db, epoch, async (tx) => {
      const rows = await tx.task.findMany({ where: { agentId }, select: { id: true, state: true } });
      const reported = new Map(known.map((t) => [t.taskId, t]));
      for (const row of rows) {
        if (isTerminal(row.state) || reported.has(row.id)) continue;
        const state: TaskState = row.state === 'TASK_STAGING' ? 'TASK_DROPPED' : 'TASK_GONE';
        await tx.task.update({
          where: { id: row.id },
          data: { state, reason: 'REASON_RECONCILIATION', message: 'the agent re-registered without this task', updatedAt: now, epoch },
        });
        await this.announce(tx, row.id, agentId, state);
      }
      const wanted = new Map(rows.map((r) => [r.id, r.state]));
      return known
        .filter((t) => !isTerminal(t.state) && t.state !== 'TASK_KILLING')
        .filter((t) => !wanted.has(t.taskId) || isTerminal(wanted.get(t.taskId)!))
        .map((t) => t.taskId);
    });
  }

  private async announce(tx: Tx, taskId: string, agentId: string, state: TaskState, healthy?: boolean, ready?: boolean): Promise<void> {
    await notify(tx, {
      type: 'task', taskId, agentId, state,
      ...(healthy !== undefined ? { healthy } : {}), ...(ready !== undefined ? { ready } : {}),
    });
  }
}
