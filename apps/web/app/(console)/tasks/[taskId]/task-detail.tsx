'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { TaskHealth, TaskStateBadge } from '../../../../components/badges';
import { Dialog } from '../../../../components/dialog';
import { LiveMark } from '../../../../components/live-updates';
import { useNow } from '../../../../components/now';
import { QueryError } from '../../../../components/query-error';
import { TaskLog } from '../../../../components/task-logs';
import type { ApiOut } from '../../../../lib/api-types';
import { formatCpus, formatDuration, formatMiB, formatTime } from '../../../../lib/format';
import { appHref, nodeHref } from '../../../../lib/links';
import { useTRPC } from '../../../../lib/trpc';
import { PortLinks } from '../../services/app/[...id]/tab-tasks';

const ENDED = ['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'];

/** One task: where it runs and how it is doing, and its stdout/stderr live. */
export function TaskDetail({ id, initial }: { id: string; initial: ApiOut['tasks']['get'] | undefined }) {
  const trpc = useTRPC();
  const now = useNow();
  const query = useQuery({ ...trpc.tasks.get.queryOptions({ id }), ...(initial ? { initialData: initial } : {}) });
  const [kill, setKill] = useState<null | 'kill' | 'scale'>(null);
  const [killed, setKilled] = useState<string | null>(null);
  const mutation = useMutation(trpc.services.killTasks.mutationOptions({
    onSuccess: (o, v) => {
      setKill(null);
      setKilled(o.ok ? (v.scale ? `Killed; the service scales down by one${o.deploymentId ? ` (deployment ${o.deploymentId})` : ''}.` : 'Killed; the scheduler starts a replacement.') : o.message);
      void query.refetch();
    },
    onError: (e) => setKilled(e.message),
  }));
  if (query.isError && !query.data) {
    return <section aria-labelledby="task-title"><h1 id="task-title">Task {id}</h1><QueryError error={query.error} onRetry={() => void query.refetch()} /></section>;
  }
  const task = query.data?.task;
  const ended = task ? ENDED.includes(task.state) : false;
  return (
    <section aria-labelledby="task-title">
      <nav aria-label="Breadcrumb" className="crumbs">
        <ol>
          <li><Link href="/tasks">Tasks</Link></li>
          {task?.appId && <li><Link href={appHref(task.appId)}>{task.appId}</Link></li>}
        </ol>
      </nav>
      <div className="title-row">
        <h1 id="task-title" className="mono wrap">{id}</h1>
        <div className="badges">{task && <><TaskStateBadge state={task.state} healthy={task.healthy} /> <TaskHealth healthy={task.healthy} checked={task.healthy !== null} /></>}<LiveMark /></div>
      </div>
      {task && (
        <dl className="facts-grid">
          <dt>Service</dt><dd>{task.appId ? <Link href={appHref(task.appId)}>{task.appId}</Link> : '—'}</dd>
          <dt>Host</dt><dd><Link href={nodeHref(task.agentId)}>{task.hostname ?? task.agentId}</Link> ({task.host})</dd>
          <dt>Ports</dt><dd><PortLinks task={task} /></dd>
          <dt>Resources</dt><dd>{formatCpus(task.cpus)}, {formatMiB(task.mem)} memory, {formatMiB(task.disk)} disk</dd>
          <dt>Started</dt><dd>{task.startedAt ? <>{formatTime(task.startedAt)} (up {formatDuration((ended ? Date.parse(task.updatedAt) : now) - Date.parse(task.startedAt))})</> : 'not yet'}</dd>
          <dt>Version</dt><dd>{formatTime(task.version)}</dd>
          {(task.message || task.reason || task.exitCode !== null) && (
            <><dt>Last word</dt><dd>{task.message ?? ''}{task.reason && <> <code>{task.reason}</code></>}{task.exitCode !== null && <> (exit code {task.exitCode})</>}</dd></>
          )}
        </dl>
      )}
      {task?.appId && !ended && (
        <div className="actions">
          <button type="button" onClick={() => setKill('kill')}>Kill (replace)</button>
          <button type="button" className="danger" onClick={() => setKill('scale')}>Kill and scale down</button>
        </div>
      )}
      {killed && <p role="status" className="banner ok">{killed}</p>}
      <h2>Logs</h2>
      {query.data && !query.data.logsReadable ? (
        <div className="empty" role="status"><p>Reading this task’s logs needs read on <code>gantry:agent:sandbox:{task?.appId}</code>, or update on the service.</p></div>
      ) : <TaskLog taskId={id} />}
      <Dialog open={kill !== null} title={kill === 'scale' ? 'Kill the task and scale down' : 'Kill the task'} danger confirm={kill === 'scale' ? 'Kill and scale down by one' : 'Kill it'}
        busy={mutation.isPending} onClose={() => setKill(null)}
        onConfirm={() => task?.appId && mutation.mutate({ id: task.appId, taskIds: [id], scale: kill === 'scale' })}>
        <p>{kill === 'scale' ? 'The task stops and the service wants one instance fewer.' : 'The task stops; the scheduler starts a replacement to keep the wanted count.'}</p>
      </Dialog>
    </section>
  );
}
