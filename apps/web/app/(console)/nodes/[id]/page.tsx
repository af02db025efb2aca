import { prefetch, serverTrpc } from '../../../../lib/server-trpc';
import { NodeDetail } from './node-detail';

export const dynamic = 'force-dynamic';

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: `Node ${decodeURIComponent((await params).id)} · Gantry` };
}

export default async function NodePage({ params }: { params: Promise<{ id: string }> }) {
  const id = decodeURIComponent((await params).id);
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.cluster.node.query({ id }));
  return <NodeDetail id={id} initial={initial} />;
}
