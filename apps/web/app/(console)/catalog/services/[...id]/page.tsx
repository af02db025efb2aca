import { prefetch, serverTrpc } from '../../../../../lib/server-trpc';
import { StatefulDetail } from './stateful-detail';

export const dynamic = 'force-dynamic';

const idOf = async (params: Promise<{ id: string[] }>) => '/' + (await params).id.map(decodeURIComponent).join('/');

export async function generateMetadata({ params }: { params: Promise<{ id: string[] }> }) {
  return { title: `${await idOf(params)} · Catalog · Gantry` };
}

/** A stateful service: its plans as phases and steps, its pods with their nodes and volumes, and the operator's verbs. */
export default async function StatefulPage({ params }: { params: Promise<{ id: string[] }> }) {
  const id = await idOf(params);
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.catalog.stateful.get.query({ id }));
  return <StatefulDetail id={id} initial={initial} />;
}
