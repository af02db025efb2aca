import { LogFile } from '@gantry/specs';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import { AgentUnavailableError, CommandFailedError, type AgentCommands } from './agent-commands.js';
import type { TaskRepository } from './repository.js';

// DC/OS guards sandbox files with `dcos:mesos:agent:sandbox`; ours is its counterpart.
// (Narrowing it to the task's service path needs the task looked up first: issue 5's
// services framework brings the app ↔ permission mapping.)
const sandboxRead = { resource: 'gantry:agent:sandbox', action: 'read' } as const;

/**
 * `GET /v1/tasks/:taskId` and its logs, Mesos' `/files/read` shape:
 * `GET /v1/tasks/:taskId/logs/stdout?offset=0&length=65536` → `{offset, data, size}`;
 * with `follow=true` the answer is a plain-text stream of everything from `offset` on,
 * kept open while the task runs (for the console and `gantry task log -f`).
 */
export function taskRoutes(tasks: TaskRepository, commands: AgentCommands): Route[] {
  return [
    {
      method: 'GET', path: '/v1/tasks/:taskId', access: { resource: 'gantry:task', action: 'read' },
      handle: async ({ res, params }) => {
        const task = await tasks.get(params.taskId!);
        if (!task) return sendError(res, 404, { message: `task ${params.taskId} does not exist` });
        sendJson(res, 200, task);
      },
    },
    {
      method: 'GET', path: '/v1/tasks/:taskId/logs/:file', access: sandboxRead,
      handle: async ({ req, res, params }) => {
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
          if (!(await tasks.get(params.taskId!))) return sendError(res, 404, { message: `task ${params.taskId} does not exist` });
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
