import { mayReadTask } from '@gantry/auth';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { TaskRepository, TaskView } from './repository.js';

const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

/**
 * `GET /v1/tasks?limit=500&after=<taskId>&live=true`: every task, paged by task id (a
 * keyset: each page is one index range, however deep the listing goes), in the shape of
 * `GET /v1/tasks/:taskId`. The answer is `{tasks, next}`; `next` is the `after` of the
 * next page, null after the last. `live=true` leaves out tasks that ended.
 *
 * Marathon's `GET /v2/tasks` has no paging (it answers every task at once); this is
 * Gantry's own, for the console and for tools that walk 100k tasks.
 *
 * Lists are filtered, not refused: a principal sees the tasks it may read (read on the
 * task's service, or on `gantry:task`); the others are left out without a trace. Hence
 * `next` is always the id of a task the principal was shown: were it the last id looked
 * at, it would name another tenant's task (task ids carry the app's name). A page is
 * filled by reading on past what may not be seen, until `limit` tasks or the end; for an
 * operator (who may read every task) that is one read, for a tenant that sees a small
 * share of the cluster one request may read through much of the table.
 */
export function taskListRoutes(tasks: TaskRepository): Route[] {
  return [
    {
      method: 'GET', path: '/v1/tasks', access: 'authenticated',
      handle: async ({ req, res, principal }) => {
        const query = new URL(req.url ?? '/', 'http://x').searchParams;
        const limit = Number(query.get('limit') ?? DEFAULT_LIMIT);
        if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
          return sendError(res, 400, { message: `limit must be a whole number between 1 and ${MAX_LIMIT}` });
        }
        const live = query.get('live');
        if (live !== null && live !== 'true' && live !== 'false') return sendError(res, 400, { message: 'live must be true or false' });
        const grants = principal!.grants;
        const shown: TaskView[] = [];
        let after = query.get('after') ?? null;
        // The first read asks for what the page needs; later ones (tasks were left out) for the most a read may.
        for (let want = limit; ; want = MAX_LIMIT) {
          const read = await tasks.page({ after, limit: want, liveOnly: live === 'true' });
          for (const task of read) {
            if (shown.length === limit) break;
            if (mayReadTask(grants, task.appId)) shown.push(task);
          }
          if (shown.length === limit || read.length < want) break;
          after = read[read.length - 1]!.id;
        }
        sendJson(res, 200, { tasks: shown, next: shown.length === limit ? shown[shown.length - 1]!.id : null });
      },
    },
  ];
}
