'use client';
import Link from 'next/link';
import { TaskHealth, TaskStateBadge } from '../../../../../components/badges';
import { useNow } from '../../../../../components/now';
import { useMemo } from 'react';
import { VirtualTable, type Column } from '../../../../../components/virtual-table';
import type { TaskItem } from '../../../../../lib/api-types';
import { formatDuration, formatTime, shortTaskId } from '../../../../../lib/format';
import { nodeHref, taskHref } from '../../../../../lib/links';
import { useTRPC } from '../../../../../lib/trpc';

const PAGE = 100;

/** Each port a link to where the task answers (host networking: the node's address). */
export function PortLinks({ task }: { task: TaskItem }) {
  if (!task.ports.length) return <span className="muted">—</span>;
  return (
    <span className="ports">
      {task.ports.map((p) => (
        <a key={p} href={`http://${task.host ?? task.hostname}:${p}/`} target="_blank" rel="noreferrer" aria-label={`Port ${p} of ${shortTaskId(task.id)}, opens in a new tab`}>{p}</a>
      ))}
    </span>
  );
}

export function TasksTab({ id, initial, checked }: { id: string; initial: { total: number; rows: TaskItem[] } | undefined; checked: boolean }) {
  const trpc = useTRPC();
  const now = useNow();
  const columns = useMemo((): Column<TaskItem>[] => [
        { key: 'id', header: 'Task', width: 'minmax(12rem, 2fr)', cell: (t) => <Link prefetch={false} href={taskHref(t.id)} title={t.id} className="mono">{shortTaskId(t.id)}</Link> },
        { key: 'state', header: 'State', width: '8rem', cell: (t) => <TaskStateBadge state={t.state} healthy={t.healthy} /> },
        { key: 'host', header: 'Host', width: 'minmax(9rem, 1.5fr)', cell: (t) => <Link prefetch={false} href={nodeHref(t.agentId)} title={t.hostname ?? t.agentId}>{t.hostname ?? t.agentId}</Link> },
        { key: 'ports', header: 'Ports', width: '8rem', cell: (t) => <PortLinks task={t} /> },
        { key: 'health', header: 'Health', width: '10rem', cell: (t) => <span title={t.message ?? undefined}><TaskHealth healthy={t.healthy} checked={checked} /></span> },
        { key: 'uptime', header: 'Uptime', width: '8rem', align: 'end', cell: (t) => (t.startedAt ? formatDuration(now - Date.parse(t.startedAt)) : <span className="muted">not started</span>) },
        { key: 'version', header: 'Version', width: '12rem', cell: (t) => <time dateTime={t.version ?? undefined}>{formatTime(t.version)}</time> },
  ], [now, checked]);
  return (
    <VirtualTable<TaskItem>
      label={`Tasks of ${id}`}
      testId="service-tasks"
      pageSize={PAGE}
      initial={initial}
      page={(i) => trpc.services.tasks.queryOptions({ id, state: 'live', offset: i * PAGE, limit: PAGE })}
      rowKey={(t) => t.id}
      rowHref={(t) => taskHref(t.id)}
      height="min(60vh, 520px)"
      columns={columns}
      empty={<p>No instance is running. Scale the service up, or see the Debug tab for why instances are not placed.</p>}
    />
  );
}
