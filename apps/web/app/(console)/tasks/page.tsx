import { param, type SearchParams } from '../../../lib/params';
import { prefetch, serverTrpc } from '../../../lib/server-trpc';
import { TASK_DEFAULTS, taskListInput, type TaskView } from '../../../lib/task-query';
import { TasksView } from './tasks-view';

export const metadata = { title: 'Tasks · Gantry' };
export const dynamic = 'force-dynamic';

export default async function TasksPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const view = Object.fromEntries(Object.entries(TASK_DEFAULTS).map(([k, v]) => [k, param(sp[k], v)])) as TaskView;
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.tasks.list.query(taskListInput(view)));
  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <TasksView initial={initial} initialView={view} />
    </section>
  );
}
