import { NodeList, type NodeView } from '@gantry/specs';
import { apiToken } from '../../../lib/api-token';
import { apiUrl } from '../../../lib/api-url';
import { NodesTable } from './nodes-table';

export const metadata = { title: 'Nodes · Gantry' };
export const dynamic = 'force-dynamic';

/** Server-rendered with the current list (no empty flash, no layout shift), then live. */
export default async function NodesPage() {
  let initial: NodeView[] | undefined;
  try {
    const token = await apiToken();
    const response = await fetch(`${apiUrl()}/v1/nodes`, { cache: 'no-store', headers: { authorization: `Bearer ${token}` } });
    if (response.ok) initial = NodeList.parse(await response.json()).nodes;
  } catch {
    initial = undefined; // the client shows the unreachable state and retries
  }
  return (
    <section aria-labelledby="nodes-title">
      <h1 id="nodes-title">Nodes</h1>
      <NodesTable initial={initial} />
    </section>
  );
}
