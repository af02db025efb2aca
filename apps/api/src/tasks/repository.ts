import { isTerminal, type KnownTask, type TaskSpec, type TaskState, type TaskStatus } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import { fenced, type Tx } from '../db/fenced.js';
import { notify } from '../events/notify.js';

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

  /**
   * Applies one status update exactly once, keyed by its uuid, in one fenced
   * transaction; the caller acknowledges only after this returns (so an ack always
   * means "durably recorded"). A duplicate changes nothing and is acknowledged again.
   * An update never moves a task out of a terminal state (a late duplicate of an
   * older stream position must not resurrect it).
   */
  async recordStatus(epoch: number, agentId: string, status: TaskStatus, now: Date): Promise<StatusOutcome> {
    return fenced(this.db, epoch, async (tx) => {
      const fresh = await tx.$executeRaw`
        INSERT INTO task_status_updates (uuid, task_id, state, received_at)
        VALUES (${status.uuid}, ${status.taskId}, ${status.state}::"TaskState", ${now})
        ON CONFLICT (uuid) DO NOTHING`;
      if (fresh === 0) return 'duplicate';
      const current = await tx.task.findUnique({ where: { id: status.taskId }, select: { state: true } });
      if (current && isTerminal(current.state) && current.state !== status.state) return 'stale';
      const fields = {
        agentId, state: status.state, reason: status.reason ?? null, message: status.message ?? null,
        healthy: status.healthy ?? null, ready: status.ready ?? null, pid: status.pid ?? null,
        exitCode: status.exitCode ?? null, updatedAt: now, epoch,
      };
      await tx.task.upsert({
        where: { id: status.taskId },
        // A task the master never staged (an agent reporting one from an older master's era).
        create: { id: status.taskId, ...fields, spec: {}, createdAt: now },
        update: fields,
      });
      await this.announce(tx, status.taskId, agentId, status.state, status.healthy, status.ready);
      return 'applied';
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
