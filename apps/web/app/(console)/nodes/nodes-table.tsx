'use client';
import type { NodeView } from '@gantry/specs';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useTRPC } from '../../../lib/trpc';
import { formatCpus, formatMiB, formatPorts } from '../../../lib/format';

/**
 * The node list, kept live by the `nodes.changes` event stream: each change
 * invalidates exactly this query, nothing is refetched on a timer.
 */
export function NodesTable({ initial }: { initial: NodeView[] | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const list = useQuery({ ...trpc.nodes.list.queryOptions(), initialData: initial ? { nodes: initial } : undefined });
  const changes = useSubscription(
    trpc.nodes.changes.subscriptionOptions(undefined, {
      onData: () => void queryClient.invalidateQueries({ queryKey: trpc.nodes.list.queryKey() }),
    }),
  );

  if (list.isError && !list.data) {
    return (
      <div className="banner" role="alert">
        The Gantry API is unreachable: {list.error.message}
        <button type="button" onClick={() => void list.refetch()}>Retry</button>
      </div>
    );
  }
  const nodes = list.data?.nodes;
  if (!nodes) return <p className="muted" role="status">Loading nodes…</p>;
  if (nodes.length === 0) {
    return (
      <div className="empty" role="status">
        <p>No agents have registered yet.</p>
        <p className="muted">
          Start one with <code>gantry-agent --master {'<API URL>'} --attributes zone:a</code>; it appears here at once.
        </p>
      </div>
    );
  }
  const active = nodes.filter((n) => n.state === 'ACTIVE').length;
  return (
    <div className="table-scroll">
    <table aria-describedby="nodes-summary">
      <caption id="nodes-summary">
        {nodes.length} {nodes.length === 1 ? 'node' : 'nodes'}, {active} active
        <span className="live" role="status">
          {changes.status === 'pending' ? '● live' : changes.status === 'error' ? 'live updates interrupted, reconnecting…' : ''}
        </span>
      </caption>
      <thead>
        <tr>
          <th scope="col">Hostname</th>
          <th scope="col">State</th>
          <th scope="col">Address</th>
          <th scope="col">Attributes</th>
          <th scope="col" className="num">CPUs</th>
          <th scope="col" className="num">Memory</th>
          <th scope="col" className="num">Disk</th>
          <th scope="col">Ports</th>
          <th scope="col">Heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr key={n.id} data-testid={`node-${n.hostname}`}>
            <th scope="row" title={n.id}>{n.hostname}</th>
            <td><span className={`state state-${n.state}`}>{n.state}</span></td>
            <td>{n.address}</td>
            <td>
              {Object.entries(n.attributes).map(([k, v]) => (
                <span key={k} className="chip">{k}:{v}</span>
              ))}
            </td>
            <td className="num">{Number(n.used.cpus.toFixed(2))} / {formatCpus(n.resources.cpus)}</td>
            <td className="num">{formatMiB(n.used.mem)} / {formatMiB(n.resources.mem)}</td>
            <td className="num">{formatMiB(n.used.disk)} / {formatMiB(n.resources.disk)}</td>
            <td>{formatPorts(n.resources.ports)}</td>
            <td>
              {n.state === 'ACTIVE' ? (
                'on time'
              ) : (
                <>silent since <time dateTime={n.lastHeartbeatAt}>{new Date(n.lastHeartbeatAt).toLocaleTimeString()}</time></>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}
