'use client';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { NodeStateBadge } from '../../../components/badges';
import { LiveMark } from '../../../components/live-updates';
import { useNow } from '../../../components/now';
import { QueryError } from '../../../components/query-error';
import { SearchBox } from '../../../components/search-box';
import { UsageBar } from '../../../components/usage-bar';
import { VirtualTable, type Column } from '../../../components/virtual-table';
import type { ApiOut, NodeItem } from '../../../lib/api-types';
import { formatAgo, formatCount, formatCpus, formatMiB, formatPorts } from '../../../lib/format';
import { nodeHref } from '../../../lib/links';
import { NODE_DEFAULTS, NODE_PAGE, nodeListInput, type NodeViewState } from '../../../lib/node-query';
import { useTRPC } from '../../../lib/trpc';
import { useUrlState } from '../../../lib/url-state';

type NodePage = ApiOut['cluster']['nodes'];

const cpus = (n: number) => formatCpus(n).replace(' cores', '').replace(' core', '');

/** DC/OS' Nodes page: a list or a grid of every agent, searchable and sortable in the URL, paged on the server, live. */
export function NodesView({ initial, initialView }: { initial: NodePage | undefined; initialView: NodeViewState }) {
  const trpc = useTRPC();
  const now = useNow();
  const [view, setView] = useUrlState(NODE_DEFAULTS);
  const commitSearch = useCallback((q: string) => setView({ q }), [setView]);
  const input = nodeListInput(view);
  const sameAsServer = JSON.stringify(nodeListInput(initialView)) === JSON.stringify(input);
  const first = useQuery({ ...trpc.cluster.nodes.queryOptions(input), ...(sameAsServer && initial ? { initialData: initial } : {}) });
  const counts = first.data?.counts;
  const onSort = (key: string) => setView({ sort: key, dir: view.sort === key && view.dir === 'asc' ? 'desc' : 'asc' });

  const columns = useMemo((): Column<NodeItem>[] => [
    { key: 'hostname', header: 'Hostname', width: 'minmax(13rem, 2fr)', sort: 'hostname', rowHeader: true, cell: (n) => <Link prefetch={false} href={nodeHref(n.id)} title={n.id}>{n.hostname}</Link> },
    { key: 'state', header: 'State', width: '9.5rem', sort: 'state', cell: (n) => <NodeStateBadge state={n.state} mode={n.mode} /> },
    { key: 'address', header: 'Address', width: '8rem', cell: (n) => n.address },
    { key: 'attributes', header: 'Attributes', width: 'minmax(9rem, 1.5fr)', cell: (n) => <span title={Object.entries(n.attributes).map(([k, v]) => `${k}:${v}`).join(' ')}>{Object.entries(n.attributes).map(([k, v]) => <span key={k} className="chip">{k}:{v}</span>)}</span> },
    { key: 'cpus', header: 'CPUs (cores)', width: '9rem', sort: 'cpus', cell: (n) => <UsageBar used={n.used.cpus} total={n.resources.cpus} label="CPUs" format={cpus} /> },
    { key: 'mem', header: 'Memory', width: '10rem', sort: 'mem', cell: (n) => <UsageBar used={n.used.mem} total={n.resources.mem} label="Memory" format={formatMiB} /> },
    { key: 'disk', header: 'Disk', width: '10rem', sort: 'disk', cell: (n) => <UsageBar used={n.used.disk} total={n.resources.disk} label="Disk" format={formatMiB} /> },
    { key: 'tasks', header: 'Tasks', width: '5rem', sort: 'tasks', align: 'end', cell: (n) => n.tasks },
    { key: 'ports', header: 'Ports', width: '8rem', cell: (n) => formatPorts(n.resources.ports) },
    { key: 'heartbeat', header: 'Heartbeat', width: '9rem', sort: 'heartbeat', cell: (n) => (n.state === 'ACTIVE' ? 'on time' : <>silent since <time dateTime={n.lastHeartbeatAt}>{formatAgo(n.lastHeartbeatAt, now)}</time></>) },
  ], [now]);

  return (
    <>
      <div className="toolbar" role="search">
        <SearchBox value={view.q} onCommit={commitSearch} label="Search nodes" placeholder="hostname, address or attribute" />
        <label className="field">
          <span>State</span>
          <select value={view.state} onChange={(e) => setView({ state: e.target.value })} aria-label="Filter by state">
            <option value="">Any state</option><option value="ACTIVE">Active</option><option value="DRAINING">Draining</option><option value="UNREACHABLE">Unreachable</option>
          </select>
        </label>
        <fieldset className="segmented">
          <legend className="sr-only">Show as</legend>
          {(['list', 'grid'] as const).map((v) => (
            <label key={v} className={view.view === v ? 'on' : undefined}>
              <input type="radio" name="node-view" value={v} checked={view.view === v} onChange={() => setView({ view: v })} /> {v === 'list' ? 'List' : 'Grid'}
            </label>
          ))}
        </fieldset>
      </div>
      <p className="summary" aria-live="polite">
        {counts ? <>{formatCount(counts.all, 'node')}, {counts.active} active{counts.draining ? `, ${counts.draining} draining` : ''}{counts.unreachable ? `, ${counts.unreachable} unreachable` : ''}{first.data && first.data.total !== counts.all ? ` · ${formatCount(first.data.total, 'match', 'match')}` : ''}</> : '\u00a0'}
        <LiveMark />
      </p>
      {first.isError && !first.data ? (
        <QueryError error={first.error} onRetry={() => void first.refetch()} />
      ) : first.data && counts?.all === 0 ? (
        <div className="empty" role="status">
          <p>No agents have registered yet.</p>
          <p className="muted">Start one with <code>gantry-agent --master {'<API URL>'} --attributes zone:a</code>; it appears here at once.</p>
        </div>
      ) : view.view === 'grid' ? (
        <NodeGrid view={view} initial={sameAsServer ? initial : undefined} />
      ) : (
        <VirtualTable<NodeItem>
          label="Nodes"
          testId="nodes-table"
          columns={columns}
          pageSize={NODE_PAGE}
          rowHeight={44}
          initial={sameAsServer ? initial : undefined}
          page={(i) => trpc.cluster.nodes.queryOptions(nodeListInput(view, i * NODE_PAGE))}
          rowKey={(n) => n.id}
          rowHref={(n) => nodeHref(n.id)}
          sort={{ key: view.sort, dir: view.dir === 'desc' ? 'desc' : 'asc', onSort }}
          empty={<p>No node matches. <button type="button" className="link" onClick={() => setView({ q: '', state: '' })}>Clear the search</button></p>}
        />
      )}
    </>
  );
}

const TILE_W = 232;
const TILE_H = 132;

/** The same nodes as tiles, rows of as many as fit, virtualised by row. */
function NodeGrid({ view, initial }: { view: NodeViewState; initial: NodePage | undefined }) {
  const trpc = useTRPC();
  const body = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(1000);
  useEffect(() => {
    const el = body.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  const perRow = Math.max(1, Math.floor(width / TILE_W));
  const [total, setTotal] = useState(initial?.total ?? 0);
  const rows = Math.ceil(total / perRow);
  const virtualizer = useVirtualizer({ count: rows, getScrollElement: () => body.current, estimateSize: () => TILE_H, overscan: 3, initialRect: { width: 1000, height: 640 }, useFlushSync: false });
  const items = virtualizer.getVirtualItems();
  const pages = items.length ? [...new Set(items.flatMap((r) => [Math.floor((r.index * perRow) / NODE_PAGE), Math.floor(((r.index + 1) * perRow - 1) / NODE_PAGE)]))] : [0];
  const results = useQueries({
    queries: pages.map((p) => ({ gcTime: 15_000, ...trpc.cluster.nodes.queryOptions(nodeListInput(view, p * NODE_PAGE)), ...(p === 0 && initial ? { initialData: initial } : {}) })),
  });
  const seen = results.find((r) => r.data)?.data?.total;
  if (seen !== undefined && seen !== total) setTotal(seen);
  const nodeAt = (i: number) => results[pages.indexOf(Math.floor(i / NODE_PAGE))]?.data?.rows[i % NODE_PAGE];
  return (
    <div ref={body} className="grid-body" role="list" aria-label={`Nodes as tiles, ${total}`} tabIndex={0}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((r) => (
          <div key={r.key} className="tile-row" style={{ transform: `translateY(${r.start}px)` }}>
            {Array.from({ length: perRow }, (_, k) => r.index * perRow + k).filter((i) => i < total).map((i) => {
              const n = nodeAt(i);
              return n ? (
                <Link prefetch={false} key={n.id} href={nodeHref(n.id)} role="listitem" className={`tile tile-${n.state === 'UNREACHABLE' ? 'bad' : n.mode === 'DRAINING' ? 'warn' : 'ok'}`}
                  aria-label={`${n.hostname}, ${n.state === 'UNREACHABLE' ? 'unreachable' : n.mode === 'DRAINING' ? 'draining' : 'active'}, ${n.tasks} tasks`}>
                  <strong>{n.hostname}</strong>
                  <NodeStateBadge state={n.state} mode={n.mode} />
                  <UsageBar used={n.used.cpus} total={n.resources.cpus} label="CPUs" format={cpus} />
                  <UsageBar used={n.used.mem} total={n.resources.mem} label="Memory" format={formatMiB} />
                  <span className="muted">{n.tasks} tasks · {Object.entries(n.attributes).map(([k, v]) => `${k}:${v}`).join(' ')}</span>
                </Link>
              ) : <div key={i} className="tile placeholder" role="listitem" aria-label="loading"><span className="skeleton" /></div>;
            })}
          </div>
        ))}
      </div>
    </div>
  );
}
