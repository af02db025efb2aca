'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { NodeStateBadge, TaskHealth, TaskStateBadge } from '../../../../components/badges';
import { Dialog } from '../../../../components/dialog';
import { LiveMark } from '../../../../components/live-updates';
import { useNow } from '../../../../components/now';
import { QueryError } from '../../../../components/query-error';
import { UsageBar } from '../../../../components/usage-bar';
import { VirtualTable, type Column } from '../../../../components/virtual-table';
import type { ApiOut, TaskItem } from '../../../../lib/api-types';
import { formatAgo, formatCpus, formatDuration, formatMiB, formatPorts, formatTime, shortTaskId } from '../../../../lib/format';
import { appHref, taskHref } from '../../../../lib/links';
import { useTRPC } from '../../../../lib/trpc';
import { PortLinks } from '../../services/app/[...id]/tab-tasks';

const PAGE = 100;
const cores = (n: number) => formatCpus(n);

/** One node: what it offers and what is held of it, its attributes and health, its tasks; drain and reactivate. */
export function NodeDetail({ id, initial }: { id: string; initial: ApiOut['cluster']['node'] | undefined }) {
  const trpc = useTRPC();
  const now = useNow();
  const query = useQuery({ ...trpc.cluster.node.queryOptions({ id }), ...(initial ? { initialData: initial } : {}) });
  const [confirm, setConfirm] = useState<'drain' | 'reactivate' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const after = (what: string) => ({ onSuccess: () => { setConfirm(null); setDone(what); void query.refetch(); }, onError: (e: { message: string }) => { setConfirm(null); setDone(e.message); } });
  const drain = useMutation(trpc.nodes.drain.mutationOptions(after('The node is draining: it gets no new tasks, and its tasks are being replaced elsewhere.')));
  const reactivate = useMutation(trpc.nodes.reactivate.mutationOptions(after('The node is back in service: new tasks may land on it.')));

  const columns = useMemo((): Column<TaskItem>[] => [
              { key: 'id', header: 'Task', width: 'minmax(8rem, 1fr)', cell: (t) => <Link prefetch={false} href={taskHref(t.id)} className="mono" title={t.id}>{shortTaskId(t.id)}</Link> },
              { key: 'app', header: 'Service', width: 'minmax(12rem, 2fr)', cell: (t) => (t.appId ? <Link prefetch={false} href={appHref(t.appId)}>{t.appId}</Link> : '—') },
              { key: 'state', header: 'State', width: '8rem', cell: (t) => <TaskStateBadge state={t.state} healthy={t.healthy} /> },
              { key: 'health', header: 'Health', width: '9.5rem', cell: (t) => <TaskHealth healthy={t.healthy} checked={t.healthy !== null} /> },
              { key: 'ports', header: 'Ports', width: '7rem', cell: (t) => <PortLinks task={t} /> },
              { key: 'res', header: 'CPU / memory', width: '12rem', align: 'end', cell: (t) => `${formatCpus(t.cpus)} / ${formatMiB(t.mem)}` },
  ], []);
  if (query.isError && !query.data) {
    return <section aria-labelledby="node-title"><h1 id="node-title">Node {id}</h1><QueryError error={query.error} onRetry={() => void query.refetch()} /></section>;
  }
  const n = query.data?.node;
  const usage = query.data?.usage;
  return (
    <section aria-labelledby="node-title">
      <nav aria-label="Breadcrumb" className="crumbs"><ol><li><Link prefetch={false} href="/nodes">Nodes</Link></li></ol></nav>
      <div className="title-row">
        <h1 id="node-title">{n?.hostname ?? id}</h1>
        <div className="badges">{n && <NodeStateBadge state={n.state} mode={n.mode} />}<LiveMark /></div>
      </div>
      {n && (
        <>
          <div className="actions">
            {n.mode === 'DRAINING'
              ? <button type="button" onClick={() => setConfirm('reactivate')}>Reactivate</button>
              : <button type="button" className="danger" onClick={() => setConfirm('drain')}>Drain</button>}
          </div>
          {done && <p role="status" className="banner ok">{done}</p>}
          <div className="cards">
            <section className="card" aria-labelledby="node-resources">
              <h2 id="node-resources">Resources (allocated / offered)</h2>
              <dl className="facts-grid">
                <dt>CPUs</dt><dd><UsageBar used={n.used.cpus} total={n.resources.cpus} label="CPUs" format={cores} /></dd>
                <dt>Memory</dt><dd><UsageBar used={n.used.mem} total={n.resources.mem} label="Memory" format={formatMiB} /></dd>
                <dt>Disk</dt><dd><UsageBar used={n.used.disk} total={n.resources.disk} label="Disk" format={formatMiB} /></dd>
                <dt>Ports</dt><dd>{formatPorts(n.resources.ports)} ({n.used.ports.length > 6 ? `${n.used.ports.length} ranges` : formatPorts(n.used.ports) === '—' ? 'none' : formatPorts(n.used.ports)} in use)</dd>
                {usage && <><dt>In use now</dt><dd>{formatMiB(usage.memMiB)} memory resident, {formatMiB(usage.diskMiB)} disk in sandboxes (reported {formatAgo(usage.at, now)})</dd></>}
              </dl>
            </section>
            <section className="card" aria-labelledby="node-health">
              <h2 id="node-health">Health</h2>
              <dl className="facts-grid">
                <dt>State</dt><dd>{n.state === 'ACTIVE' ? 'Heartbeats on time' : `Silent since ${formatTime(n.lastHeartbeatAt)}`}</dd>
                <dt>Mode</dt><dd>{n.mode === 'DRAINING' ? 'Draining: offered nothing' : 'Up'}</dd>
                <dt>Address</dt><dd>{n.address}</dd>
                <dt>Agent</dt><dd>{n.agentVersion}, registered {formatTime(n.registeredAt)} (up {formatDuration(now - Date.parse(n.registeredAt))})</dd>
                <dt>Id</dt><dd className="mono">{n.id}</dd>
                <dt>Attributes</dt><dd>{Object.entries(n.attributes).length ? Object.entries(n.attributes).map(([k, v]) => <span key={k} className="chip">{k}:{v}</span>) : 'none'}</dd>
              </dl>
            </section>
          </div>
          <h2>Tasks on this node ({n.tasks})</h2>
          <VirtualTable<TaskItem>
            label={`Tasks on ${n.hostname}`}
            pageSize={PAGE}
            height="min(50vh, 440px)"
            page={(i) => trpc.cluster.nodeTasks.queryOptions({ id, offset: i * PAGE, limit: PAGE })}
            rowKey={(t) => t.id}
            rowHref={(t) => taskHref(t.id)}
            columns={columns}
            empty={<p>No task runs here{n.mode === 'DRAINING' ? ' (the node is draining)' : ''}.</p>}
          />
          <Dialog open={confirm === 'drain'} title={`Drain ${n.hostname}`} danger confirm="Drain the node" busy={drain.isPending}
            onClose={() => setConfirm(null)} onConfirm={() => drain.mutate({ id })}>
            <p>No new task will be placed on it, and its {n.tasks} {n.tasks === 1 ? 'task is' : 'tasks are'} killed and replaced on other nodes.</p>
          </Dialog>
          <Dialog open={confirm === 'reactivate'} title={`Reactivate ${n.hostname}`} confirm="Reactivate the node" busy={reactivate.isPending}
            onClose={() => setConfirm(null)} onConfirm={() => reactivate.mutate({ id })}>
            <p>The node takes new tasks again.</p>
          </Dialog>
        </>
      )}
    </section>
  );
}
