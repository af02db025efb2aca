'use client';
import Link from 'next/link';
import { useCallback, useMemo, useState } from 'react';
import { TaskHealth, TaskStateBadge } from '../../../components/badges';
import { LiveMark } from '../../../components/live-updates';
import { useNow } from '../../../components/now';
import { SearchBox } from '../../../components/search-box';
import { VirtualTable, type Column, type Page } from '../../../components/virtual-table';
import type { TaskItem } from '../../../lib/api-types';
import { formatAgo, formatCount, formatCpus, formatMiB, shortTaskId } from '../../../lib/format';
import { appHref, nodeHref, taskHref } from '../../../lib/links';
import { TASK_DEFAULTS, TASK_PAGE, TASK_STATE_OPTIONS, taskListInput, type TaskView } from '../../../lib/task-query';
import { useTRPC } from '../../../lib/trpc';
import { useUrlState } from '../../../lib/url-state';
import { PortLinks } from '../services/app/[...id]/tab-tasks';

/** Every task one may read (50,000 of them scroll like 50): filtered, sorted and paged by the API. */
export function TasksView({ initial, initialView }: { initial: Page<TaskItem> | undefined; initialView: TaskView }) {
  const trpc = useTRPC();
  const now = useNow();
  const [view, setView] = useUrlState(TASK_DEFAULTS);
  const commitSearch = useCallback((q: string) => setView({ q }), [setView]);
  const input = taskListInput(view);
  const sameAsServer = JSON.stringify(taskListInput(initialView)) === JSON.stringify(input);
  const [total, setTotal] = useState<number | null>(initial?.total ?? null);
  const columns = useMemo((): Column<TaskItem>[] => [
    { key: 'id', header: 'Task', width: 'minmax(8rem, 1fr)', sort: 'id', cell: (t) => <Link prefetch={false} href={taskHref(t.id)} className="mono" title={t.id}>{shortTaskId(t.id)}</Link> },
    { key: 'app', header: 'Service', width: 'minmax(12rem, 2fr)', sort: 'app', cell: (t) => (t.appId ? <Link prefetch={false} href={appHref(t.appId)}>{t.appId}</Link> : '—') },
    { key: 'state', header: 'State', width: '8rem', sort: 'state', cell: (t) => <TaskStateBadge state={t.state} healthy={t.healthy} /> },
    { key: 'health', header: 'Health', width: '9.5rem', cell: (t) => <TaskHealth healthy={t.healthy} checked={t.healthy !== null || t.state !== 'TASK_RUNNING'} /> },
    { key: 'host', header: 'Host', width: 'minmax(10rem, 1.5fr)', sort: 'host', cell: (t) => <Link prefetch={false} href={nodeHref(t.agentId)}>{t.hostname ?? t.agentId}</Link> },
    { key: 'ports', header: 'Ports', width: '7rem', cell: (t) => <PortLinks task={t} /> },
    { key: 'res', header: 'CPU / memory', width: '12rem', align: 'end', cell: (t) => `${formatCpus(t.cpus)} / ${formatMiB(t.mem)}` },
    { key: 'started', header: 'Started', width: '10rem', sort: 'started', cell: (t) => <time dateTime={t.startedAt ?? undefined}>{formatAgo(t.startedAt, now)}</time> },
  ], [now]);
  const onSort = (key: string) => setView({ sort: key, dir: view.sort === key && view.dir === 'asc' ? 'desc' : 'asc' });

  return (
    <>
      <div className="toolbar" role="search">
        <SearchBox value={view.q} onCommit={commitSearch} label="Search tasks" placeholder="task id, app or host" />
        <label className="field">
          <span>State</span>
          <select value={view.state} onChange={(e) => setView({ state: e.target.value })} aria-label="Filter by state">
            {TASK_STATE_OPTIONS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </label>
        {(view.app || view.group || view.node) && (
          <button type="button" onClick={() => setView({ app: '', group: '', node: '' })}>
            Showing {view.app ? `app ${view.app}` : view.group ? `group ${view.group}` : `node ${view.node}`} only — show all
          </button>
        )}
      </div>
      <p className="summary" aria-live="polite">{total === null ? '\u00a0' : formatCount(total, 'task')}<LiveMark /></p>
      <VirtualTable<TaskItem>
        label="Tasks"
        testId="tasks-table"
        columns={columns}
        pageSize={TASK_PAGE}
        initial={sameAsServer ? initial : undefined}
        page={(i) => trpc.tasks.list.queryOptions(taskListInput(view, i * TASK_PAGE))}
        onTotal={setTotal}
        rowKey={(t) => t.id}
        rowHref={(t) => taskHref(t.id)}
        sort={{ key: view.sort, dir: view.dir === 'desc' ? 'desc' : 'asc', onSort }}
        empty={<p>No task matches. {view.state !== 'live' || view.q ? <button type="button" className="link" onClick={() => setView({ q: '', state: 'live' })}>Show every live task</button> : 'Deploy a service to start some.'}</p>}
      />
    </>
  );
}
