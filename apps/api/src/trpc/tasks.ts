import { mayReadSandbox, mayReadTask } from '@gantry/auth';
import { LogFile, TaskState } from '@gantry/specs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { consoleOf } from '../console/console.js';
import { TASK_SORTS, type TaskRow } from '../console/console-repository.js';
import type { Principal } from '../iam/authenticator.js';
import { AgentUnavailableError, CommandFailedError } from '../tasks/agent-commands.js';
import { taskItem } from './console-views.js';
import { AppId, perAppProcedure, readableApps, readsEveryApp } from './per-app.js';
import type { Context } from './trpc.js';
import { router } from './trpc.js';

/**
 * Tasks and their logs for the console, with REST's rule (`/v1/tasks`), which
 * packages/auth states once: a task is seen with `mayReadTask` (read on
 * `gantry:service:<its app>`, or on `gantry:task`), and one the principal may not read
 * answers "does not exist", so no other team's task ids leak; its logs need
 * `mayReadSandbox` (read on `gantry:agent:sandbox:<its app>` — DC/OS'
 * `dcos:mesos:agent:sandbox:app_id` — or update on its service). The console lists
 * only tasks of services.
 */

const TaskId = z.string().min(1).max(200);
const MAX_FOLLOWED = 50;

const ListInput = z.object({
  state: z.union([z.enum(['live', 'all', 'failed']), TaskState]).default('live'),
  appId: AppId.optional(),
  /** Every app under this group. */
  group: z.string().max(512).optional(),
  agentId: z.string().max(64).optional(),
  search: z.string().max(200).optional(),
  sort: z.enum(TASK_SORTS).default('app'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.int().min(0).default(0),
  limit: z.int().min(1).max(500).default(100),
});
export type TaskListInput = z.input<typeof ListInput>;

/** The task if the principal may read it; "does not exist" otherwise, alike. */
async function visibleTask(ctx: Context & { principal: Principal }, id: string): Promise<TaskRow & { appId: string }> {
  const task = await consoleOf(ctx.agents).repository.task(id);
  if (!task?.appId || !mayReadTask(ctx.principal.grants, task.appId)) throw new TRPCError({ code: 'NOT_FOUND', message: `task ${id} does not exist` });
  return task as TaskRow & { appId: string };
}

function requireSandbox(principal: Principal, appId: string): void {
  if (!mayReadSandbox(principal.grants, appId)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `reading this task's logs needs read on gantry:agent:sandbox:${appId}, or update on gantry:service:${appId}` });
  }
}

/** Agent errors as the console says them: the log lives on an agent this replica must reach. */
function logError(error: unknown): never {
  if (error instanceof TRPCError) throw error;
  if (error instanceof CommandFailedError) throw new TRPCError({ code: 'NOT_FOUND', message: error.message });
  if (error instanceof AgentUnavailableError) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: `${error.message}: logs are read through the leader from the task's agent` });
  throw error;
}

export const tasksRouter = router({
  /** Every task the principal may read, filtered, sorted and paged in Postgres. */
  list: perAppProcedure.input(ListInput).query(async ({ ctx, input }) => {
    const { repository } = consoleOf(ctx.agents);
    const readable = readsEveryApp(ctx.principal) ? null : readableApps(ctx.principal, await repository.appIds());
    const page = await repository.tasksPage(
      { readable, state: input.state, appId: input.appId, appPrefix: input.group, agentId: input.agentId, search: input.search || undefined },
      input.sort, input.dir, input.offset, input.limit,
    );
    return { total: page.total, rows: page.rows.map(taskItem) };
  }),

  get: perAppProcedure.input(z.object({ id: TaskId })).query(async ({ ctx, input }) => {
    const task = await visibleTask(ctx, input.id);
    return { task: taskItem(task), logsReadable: mayReadSandbox(ctx.principal.grants, task.appId) };
  }),

  /**
   * Mesos' `/files/read`: up to `length` bytes of stdout or stderr from `offset`; with
   * no offset, the last `length` bytes (the tail a log view opens on).
   */
  log: perAppProcedure
    .input(z.object({ id: TaskId, file: LogFile, offset: z.int().min(0).optional(), length: z.int().min(1).max(1024 * 1024).default(64 * 1024) }))
    .query(async ({ ctx, input }) => {
      const task = await visibleTask(ctx, input.id);
      requireSandbox(ctx.principal, task.appId);
      try {
        let offset = input.offset;
        if (offset === undefined) {
          const { size } = await ctx.commands.readLog(input.id, input.file, 0, 1);
          offset = Math.max(0, size - input.length);
        }
        return await ctx.commands.readLog(input.id, input.file, offset, input.length);
      } catch (error) {
        logError(error);
      }
    }),

  /** What the task writes from `offset` on, as it writes it (the live tail). */
  follow: perAppProcedure
    .input(z.object({ id: TaskId, file: LogFile, offset: z.int().min(0) }))
    .subscription(async function* ({ ctx, input, signal }) {
      const task = await visibleTask(ctx, input.id);
      requireSandbox(ctx.principal, task.appId);
      let offset = input.offset;
      try {
        for await (const data of ctx.commands.streamLog(input.id, input.file, { offset, follow: true, signal })) {
          yield { offset, data };
          offset += Buffer.byteLength(data);
        }
      } catch (error) {
        if (signal?.aborted) return;
        logError(error);
      }
    }),

  /**
   * Every live instance's log at once, each chunk with its task id (the console puts
   * it on every line): the last `tail` bytes of each, then what they write next.
   */
  followApp: perAppProcedure
    .input(z.object({ appId: AppId, file: LogFile, tail: z.int().min(0).max(256 * 1024).default(8 * 1024) }))
    .subscription(async function* ({ ctx, input, signal }) {
      ctx.services.require(ctx.principal, input.appId, 'read');
      requireSandbox(ctx.principal, input.appId);
      const ids = await consoleOf(ctx.agents).repository.liveTaskIds(input.appId, MAX_FOLLOWED);
      yield { taskId: null, data: '', tasks: ids };
      const queue: { taskId: string; data: string }[] = [];
      let wake: (() => void) | null = null;
      let running = ids.length;
      const pump = async (taskId: string) => {
        try {
          const { size } = await ctx.commands.readLog(taskId, input.file, 0, 1);
          for await (const data of ctx.commands.streamLog(taskId, input.file, { offset: Math.max(0, size - input.tail), follow: true, signal })) {
            queue.push({ taskId, data });
            wake?.();
          }
        } catch (error) {
          if (!signal?.aborted) queue.push({ taskId, data: `\n[gantry: this task's log cannot be read: ${(error as Error).message}]\n` });
        } finally {
          running--;
          wake?.();
        }
      };
      for (const id of ids) void pump(id);
      while (!signal?.aborted && (running > 0 || queue.length > 0)) {
        if (queue.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          wake = null;
          continue;
        }
        yield { ...queue.shift()!, tasks: null };
      }
    }),
});
