import { param, type SearchParams } from '../../../lib/params';
import { NODE_DEFAULTS, nodeListInput, type NodeViewState } from '../../../lib/node-query';
import { prefetch, serverTrpc } from '../../../lib/server-trpc';
import { NodesView } from './nodes-view';

export const metadata = { title: 'Nodes · Gantry' };
export const dynamic = 'force-dynamic';

/** Server-rendered with the first page (no empty flash, no layout shift), then paged and live. */
export default async function NodesPage({ searchParams }: { searchParams: SearchParams }) {
  const sp = await searchParams;
  const view = Object.fromEntries(Object.entries(NODE_DEFAULTS).map(([k, v]) => [k, param(sp[k], v)])) as NodeViewState;
  const trpc = await serverTrpc();
  const initial = await prefetch(() => trpc.cluster.nodes.query(nodeListInput(view)));
  return (
    <section aria-labelledby="nodes-title">
      <h1 id="nodes-title">Nodes</h1>
      <NodesView initial={initial} initialView={view} />
    </section>
  );
}
