import { authorize, mayReadSandbox, mayReadTask, type Grant } from '@gantry/auth';
import { LogFile } from '@gantry/specs';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import { AgentUnavailableError, CommandFailedError, type AgentCommands } from './agent-commands.js';
import type { TaskRepository, TaskView } from './repository.js';

/**
 * Tasks are authorized per tenant, on the task's app: the task is looked up first, then
 * `mayReadTask` / `mayReadSandbox` of packages/auth decide (read on `gantry:service:<app>`
 * for the task; update on it, or read on `gantry:agent:sandbox:<app>`, for its logs —
 * DC/OS's `dcos:mesos:agent:sandbox:app_id:<path>`). Operators' grants on `gantry:task`
 * and `gantry:agent:sandbox` cover every task, those of no app too.
 *
 * No existence leak: a task the principal may not read, and one that does not exist,
 * get the same 403 with the same message, which names neither the task's app nor
 * whether it exists. Only a principal holding the operator-wide grant learns "404".
 */
const operatorWide = (grants: readonly Grant[], resource: 'gantry:task' | 'gantry:agent:sandbox') =>
  authorize(grants, { resource, action: 'read' }).allowed;
const TASK_FORBIDDEN = 'forbidden: reading this task needs read on its service (gantry:service:<app>) or on gantry:task';
const LOGS_FORBIDDEN = 'forbidden: reading this task\'s logs needs update on its service (gantry:service:<app>), or read on gantry:agent:sandbox:<app> or gantry:agent:sandbox';

/**
 * `GET /v1/tasks/:taskId` and its logs, Mesos' `/files/read` shape:
 * `GET /v1/tasks/:taskId/logs/stdout?offset=0&length=65536` → `{offset, data, size}`;
 * with `follow=true` the answer is a plain-text stream of everything from `offset` on,
 * kept open while the task runs (for the console and `gantry task log -f`).
 */
export function taskRoutes(tasks: TaskRepository, commands: AgentCommands): Route[] {
  /** The task when the principal may read it (or its logs); why not otherwise, as an HTTP answer. */
  const visible = async (grants: readonly Grant[], taskId: string, what: 'task' | 'logs'): Promise<TaskView | { status: 403 | 404; message: string }> => {
    const task = await tasks.get(taskId);
    const allowed = what === 'task' ? mayReadTask : mayReadSandbox;
    if (task && allowed(grants, task.appId)) return task;
    const wide = operatorWide(grants, what === 'task' ? 'gantry:task' : 'gantry:agent:sandbox');
    if (!task && wide) return { status: 404, message: `task ${taskId} does not exist` };
    return { status: 403, message: what === 'task' ? TASK_FORBIDDEN : LOGS_FORBIDDEN };
  };
  return [
    {
      method: 'GET', path: '/v1/tasks/:taskId', access: 'authenticated',
      handle: async ({ res, params, principal }) => {
        const task = await visible(principal!.grants, params.taskId!, 'task');
        if ('status' in task) return sendError(res, task.status, { message: task.message });
        sendJson(res, 200, task);
      },
    },
    {
      method: 'GET', path: '/v1/tasks/:taskId/logs/:file', access: 'authenticated',
      handle: async ({ req, res, params, principal }) => {
        const task = await visible(principal!.grants, params.taskId!, 'logs');
        if ('status' in task) return sendError(res, task.status, { message: task.message });
        const file = LogFile.safeParse(params.file);
        if (!file.success) return sendError(res, 404, { message: `no log "${params.file}": use stdout or stderr` });
        const query = new URL(req.url ?? '/', 'http://x').searchParams;
        const offset = Number(query.get('offset') ?? 0);
        const length = Number(query.get('length') ?? 65_536);
        if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(length) || length < 1 || length > 1024 * 1024) {
          return sendError(res, 400, { message: 'offset must be a whole number ≥ 0 and length between 1 and 1048576' });
        }
        try {
          if (query.get('follow') !== 'true') return sendJson(res, 200, await commands.readLog(params.taskId!, file.data, offset, length));
          // Headers go out at once: a client waits on them before it reads anything.
          const controller = new AbortController();
          res.on('close', () => controller.abort());
          res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
          res.flushHeaders();
          for await (const chunk of commands.streamLog(params.taskId!, file.data, { offset, follow: true, signal: controller.signal })) res.write(chunk);
          res.end();
        } catch (error) {
          if (res.headersSent) return void res.destroy();
          if (error instanceof CommandFailedError) return sendError(res, 404, { message: error.message });
          if (error instanceof AgentUnavailableError) return sendError(res, 503, { message: error.message });
          throw error;
        }
      },
    },
  ];
}
