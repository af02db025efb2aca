import { param, type SearchParams } from '../../../../../lib/params';
import { prefetch, serverTrpc } from '../../../../../lib/server-trpc';
import { TABS, type Tab } from '../../../../../lib/service-tabs';
import { ServiceDetail } from './service-detail';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string[] }> }) {
  const { id } = await params;
  return { title: `/${id.map(decodeURIComponent).join('/')} · Services · Gantry` };
}

/** One service: its header and the tab the URL names are rendered with the page. */
export default async function ServicePage({ params, searchParams }: { params: Promise<{ id: string[] }>; searchParams: SearchParams }) {
  const id = `/${(await params).id.map(decodeURIComponent).join('/')}`;
  const tab = param((await searchParams).tab, 'tasks') as Tab;
  const trpc = await serverTrpc();
  const [app, tasks] = await Promise.all([
    prefetch(() => trpc.services.app.query({ id })),
    tab === 'tasks' ? prefetch(() => trpc.services.tasks.query({ id, state: 'live', offset: 0, limit: 100 })) : Promise.resolve(undefined),
  ]);
  return <ServiceDetail id={id} tab={(TABS as readonly string[]).includes(tab) ? tab : 'tasks'} initialApp={app} initialTasks={tasks} />;
}
