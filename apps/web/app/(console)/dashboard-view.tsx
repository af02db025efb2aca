'use client';
import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import Link from 'next/link';
import { HealthBadge, StatusBadge, TaskStateBadge } from '../../components/badges';
import { LiveMark } from '../../components/live-updates';
import { useNow } from '../../components/now';
import { QueryError } from '../../components/query-error';
import type { CapacityHistory, DashboardSummary } from '../../lib/api-types';
import { formatAgo, formatCount, formatCpus, formatMiB, formatPercent, formatTaskState, shortTaskId } from '../../lib/format';
import { appHref, taskHref } from '../../lib/links';
import { useTRPC } from '../../lib/trpc';

// recharts is only needed here, and only in the browser: the figures are server-rendered beside it.
const CapacityChart = dynamic(() => import('./capacity-chart'), { ssr: false, loading: () => <div className="chart-placeholder" aria-hidden="true" /> });

const RESOURCES = [
  { key: 'cpus', label: 'CPUs', format: (n: number) => formatCpus(n) },
  { key: 'mem', label: 'Memory', format: formatMiB },
  { key: 'disk', label: 'Disk', format: formatMiB },
] as const;

const LIVE_STATES = ['TASK_RUNNING', 'TASK_STAGING', 'TASK_STARTING', 'TASK_KILLING', 'TASK_UNREACHABLE', 'TASK_UNKNOWN'] as const;
const ENDED_STATES = ['TASK_FAILED', 'TASK_ERROR', 'TASK_FINISHED', 'TASK_KILLED', 'TASK_GONE', 'TASK_DROPPED'] as const;
const STATUS_ORDER = ['running', 'deploying', 'waiting', 'delayed', 'suspended'] as const;
const HEALTH_ORDER = ['healthy', 'unhealthy', 'unknown', 'none'] as const;

/** Capacity now and over the last hour, and the counts that say where to look; every figure links to its list. */
export function DashboardView({ initialSummary, initialCapacity }: { initialSummary: DashboardSummary | undefined; initialCapacity: CapacityHistory | undefined }) {
  const trpc = useTRPC();
  const now = useNow();
  const summary = useQuery({ ...trpc.dashboard.summary.queryOptions(), ...(initialSummary ? { initialData: initialSummary } : {}) });
  const capacity = useQuery({ ...trpc.dashboard.capacity.queryOptions(), ...(initialCapacity ? { initialData: initialCapacity } : {}), retry: false });
  const s = summary.data;
  const samples = capacity.data?.samples ?? [];
  const latest = samples.at(-1);
  const capacityRefused = capacity.error && /forbidden/i.test(capacity.error.message);

  return (
    <div className="dashboard">
      <p className="summary"><LiveMark /></p>
      {summary.isError && !s && <QueryError error={summary.error} onRetry={() => void summary.refetch()} />}

      <section aria-labelledby="capacity-title" className="card wide">
        <h2 id="capacity-title">Capacity</h2>
        {capacityRefused ? (
          <p className="muted">Cluster capacity needs read on <code>gantry:node</code>.</p>
        ) : capacity.isError && !capacity.data ? (
          <QueryError error={capacity.error} onRetry={() => void capacity.refetch()} />
        ) : (
          <div className="capacity">
            {RESOURCES.map((r) => {
              const cap = latest?.capacity[r.key] ?? 0;
              const alloc = latest?.allocated[r.key] ?? 0;
              const used = latest?.used?.[r.key];
              return (
                <figure key={r.key} className="resource" aria-labelledby={`cap-${r.key}`}>
                  <figcaption id={`cap-${r.key}`}>
                    <strong>{r.label}</strong>
                    <span className="big">{latest ? formatPercent(alloc, cap) : '—'}</span> allocated
                    <span className="muted block">
                      {latest ? <>{r.format(alloc)} of {r.format(cap)}{used !== undefined && <>, {r.format(used)} used</>}</> : 'no sample yet'}
                    </span>
                  </figcaption>
                  <div className="chart" role="img" aria-label={`${r.label} over the last ${Math.round((samples.length * (capacity.data?.intervalMs ?? 10_000)) / 60_000)} minutes: capacity, allocated and used`}>
                    {samples.length > 0 ? <CapacityChart samples={samples} resource={r.key} format={r.format} /> : <div className="chart-placeholder" />}
                  </div>
                </figure>
              );
            })}
            <p className="muted">Capacity: what reachable nodes offer; allocated: what tasks hold; used: what their processes consume, as the agents report it. Sampled every {Math.round((capacity.data?.intervalMs ?? 10_000) / 1000)} s{latest ? `, ${latest.nodes} nodes` : ''}.</p>
          </div>
        )}
      </section>

      <section aria-labelledby="tasks-title" className="card">
        <h2 id="tasks-title">Tasks</h2>
        {s ? (
          <ul className="counts">
            {LIVE_STATES.filter((st) => st === 'TASK_RUNNING' || s.tasks.live[st] > 0).map((st) => (
              <li key={st}><Link prefetch={false} href={`/tasks?state=${st}`}><span className="count">{s.tasks.live[st].toLocaleString('en-US')}</span> <TaskStateBadge state={st} /></Link></li>
            ))}
            <li><Link prefetch={false} href="/tasks?state=TASK_RUNNING"><span className="count">{s.tasks.unhealthy.toLocaleString('en-US')}</span> running but unhealthy</Link></li>
            {ENDED_STATES.filter((st) => s.tasks.ended.byState[st] > 0).map((st) => (
              <li key={st}><Link prefetch={false} href={`/tasks?state=${st}`}><span className="count">{s.tasks.ended.byState[st].toLocaleString('en-US')}</span> {formatTaskState(st).toLowerCase()} in the last {s.tasks.ended.windowMinutes} min</Link></li>
            ))}
          </ul>
        ) : <Placeholder />}
      </section>

      <section aria-labelledby="services-title" className="card">
        <h2 id="services-title">Services</h2>
        {s ? (
          s.services.total === 0 ? (
            <p>No services yet. <Link prefetch={false} href="/services/new">Deploy one</Link>.</p>
          ) : (
            <>
              <ul className="counts">
                {STATUS_ORDER.filter((st) => st === 'running' || s.services.byStatus[st] > 0).map((st) => (
                  <li key={st}><Link prefetch={false} href={`/services?status=${st}`}><span className="count">{s.services.byStatus[st]}</span> <StatusBadge status={st} /></Link></li>
                ))}
              </ul>
              <ul className="counts">
                {HEALTH_ORDER.filter((h) => s.services.byHealth[h] > 0).map((h) => (
                  <li key={h}><Link prefetch={false} href={`/services?health=${h}`}><span className="count">{s.services.byHealth[h]}</span> <HealthBadge health={h} /></Link></li>
                ))}
              </ul>
            </>
          )
        ) : <Placeholder />}
      </section>

      <section aria-labelledby="nodes-title" className="card">
        <h2 id="nodes-title">Nodes</h2>
        {s ? (
          s.nodes ? (
            <ul className="counts">
              <li><Link prefetch={false} href="/nodes?state=ACTIVE"><span className="count">{s.nodes.active}</span> active</Link></li>
              <li><Link prefetch={false} href="/nodes?state=DRAINING"><span className="count">{s.nodes.draining}</span> draining</Link></li>
              <li><Link prefetch={false} href="/nodes?state=UNREACHABLE" className={s.nodes.unreachable ? 'bad' : undefined}><span className="count">{s.nodes.unreachable}</span> unreachable</Link></li>
              <li><Link prefetch={false} href="/nodes"><span className="count">{s.nodes.total}</span> in all</Link></li>
            </ul>
          ) : <p className="muted">Nodes need read on <code>gantry:node</code>.</p>
        ) : <Placeholder />}
      </section>

      <section aria-labelledby="deployments-title" className="card">
        <h2 id="deployments-title">Recent deployments</h2>
        {s ? (
          s.deployments.length ? (
            <ul className="list">
              {s.deployments.map((d) => (
                <li key={d.id}>
                  <Link prefetch={false} href={`${appHref(d.affectedApps[0] ?? '/', 'deployments')}#deployment-${d.id}`}>{d.affectedApps.join(', ')}</Link>{' '}
                  <span className={d.status === 'ACTIVE' ? 'badge status-deploying' : d.status === 'CANCELED' ? 'badge tone-muted' : 'badge tone-ok'}>{d.status === 'ACTIVE' ? `step ${Math.min(d.currentStep + 1, d.steps.length)} of ${d.steps.length}` : d.status.toLowerCase()}</span>{' '}
                  <span className="muted">{d.steps.flat().map((a) => a.action.replace('Application', '')).join(', ')} · {formatAgo(d.createdAt, now)}</span>
                </li>
              ))}
            </ul>
          ) : <p className="muted">None yet.</p>
        ) : <Placeholder />}
      </section>

      <section aria-labelledby="failures-title" className="card">
        <h2 id="failures-title">Recent failures</h2>
        {s ? (
          s.failures.length ? (
            <ul className="list">
              {s.failures.map((f) => (
                <li key={f.id}>
                  <Link prefetch={false} href={taskHref(f.id)} className="mono">{shortTaskId(f.id)}</Link> of {f.appId ? <Link prefetch={false} href={appHref(f.appId, 'debug')}>{f.appId}</Link> : '—'}:{' '}
                  {formatTaskState(f.state).toLowerCase()} {formatAgo(f.updatedAt, now)}{f.message ? ` — ${f.message}` : ''}
                </li>
              ))}
            </ul>
          ) : <p className="muted">No task has failed.</p>
        ) : <Placeholder />}
      </section>
      {s && <p className="muted">{formatCount(s.services.total, 'service')} wanting {formatCount(s.services.instances, 'instance')}.</p>}
    </div>
  );
}

function Placeholder() {
  return <div className="placeholder-lines" aria-hidden="true"><span className="skeleton" /><span className="skeleton" /><span className="skeleton" /></div>;
}
