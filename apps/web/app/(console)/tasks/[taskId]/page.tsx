import { prefetch, serverTrpc } from '../../../../lib/server-trpc';
import { TaskDetail } from './task-detail';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ taskId: string }> }) {
  return { title: `Task ${decodeURIComponent((await params).taskId)} · Gantry` };
}

export default async function TaskPage({ params }: { params: Promise<{ taskId: string }> }) {
  const id = decodeURIComponent((await params).taskId);
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.tasks.get.query({ id }));
  return <TaskDetail id={id} initial={initial} />;
}
