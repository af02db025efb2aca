'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { HealthBadge, StatusBadge } from '../../../../../components/badges';
import { LiveMark } from '../../../../../components/live-updates';
import { QueryError } from '../../../../../components/query-error';
import type { AppDetail, TaskItem } from '../../../../../lib/api-types';
import { formatCpus, formatMiB } from '../../../../../lib/format';
import { groupHref } from '../../../../../lib/links';
import { TAB_LABELS, TABS, type Tab } from '../../../../../lib/service-tabs';
import { useTRPC } from '../../../../../lib/trpc';
import { useUrlState } from '../../../../../lib/url-state';
import { ChangeBanner, ServiceActions, type ChangeReport } from './service-actions';
import { ConfigurationTab } from './tab-configuration';
import { DebugTab } from './tab-debug';
import { DeploymentsTab } from './tab-deployments';
import { LogsTab } from './tab-logs';
import { TasksTab } from './tab-tasks';
import { VersionsTab } from './tab-versions';

const TAB_DEFAULTS = { tab: 'tasks', deployment: '' };

/** DC/OS' service page: what it is and how it is doing, its tasks, configuration and versions, deployments, Debug and logs. */
export function ServiceDetail({ id, tab: serverTab, initialApp, initialTasks }: {
  id: string;
  tab: Tab;
  initialApp: AppDetail | undefined;
  initialTasks: { total: number; rows: TaskItem[] } | undefined;
}) {
  const trpc = useTRPC();
  const [view, setView] = useUrlState(TAB_DEFAULTS);
  const shown = ((TABS as readonly string[]).includes(view.tab) ? view.tab : serverTab) as Tab;
  // The tab asked for is marked at once; its panel follows after the next paint (useUrlState).
  const [pending, setPending] = useState<Tab | null>(null);
  if (pending === shown) setPending(null);
  const marked = pending ?? shown;
  const tab = shown;
  // A change made on another page (the editor) names its deployment in the URL.
  const [report, setReport] = useState<ChangeReport | null>(() =>
    view.deployment ? { what: 'The definition was accepted', outcome: { ok: true, deploymentId: view.deployment, version: '' } } : null);
  const app = useQuery({ ...trpc.services.app.queryOptions({ id }), ...(initialApp ? { initialData: initialApp } : {}) });
  const parent = id.slice(0, id.lastIndexOf('/')) || '/';

  const heading = (
    <nav aria-label="Group" className="crumbs">
      <ol>
        <li><Link href="/services">All services</Link></li>
        {parent !== '/' && parent.split('/').slice(1).map((_, i, parts) => {
          const g = `/${parts.slice(0, i + 1).join('/')}`;
          return <li key={g}><Link href={groupHref(g)}>{parts[i]}</Link></li>;
        })}
      </ol>
    </nav>
  );
  if (app.isError && !app.data) {
    return (
      <section aria-labelledby="service-title">
        {heading}
        <h1 id="service-title">{id}</h1>
        <QueryError error={app.error} onRetry={() => void app.refetch()} />
      </section>
    );
  }
  const data = app.data;
  const row = data?.row;
  return (
    <section aria-labelledby="service-title">
      {heading}
      <div className="title-row">
        <h1 id="service-title">{id}</h1>
        <div className="badges">
          {row ? <><StatusBadge status={row.status} /> <HealthBadge health={row.health} /></> : <span className="skeleton" style={{ width: '12rem' }} />}
          <LiveMark />
        </div>
      </div>
      <p className="facts" aria-label="Summary">
        {row && data ? (
          <>
            <span><strong>{row.running}</strong> of <strong>{row.instances}</strong> instances running{row.staged ? `, ${row.staged} launching` : ''}</span>
            <span>{formatCpus(Number(data.definition.cpus ?? 0))} and {formatMiB(Number(data.definition.mem ?? 0))} each</span>
            {row.healthy + row.unhealthy > 0 && <span>{row.healthy} healthy, {row.unhealthy} unhealthy</span>}
          </>
        ) : '\u00a0'}
      </p>
      {data && row && <ServiceActions id={id} instances={Number(data.definition.instances ?? 0)} suspended={row.status === 'suspended'} onReport={setReport} />}
      <ChangeBanner id={id} report={report} onDismiss={() => { setReport(null); setView({ deployment: undefined }); }} />
      <nav aria-label="Service sections" className="tabs">
        <ul>
          {TABS.map((t) => (
            <li key={t}>
              <Link href={`?tab=${t}`} aria-current={t === marked ? 'page' : undefined} scroll={false} prefetch={false}
                onClick={(e) => { e.preventDefault(); setPending(t); setView({ tab: t }, { push: true }); }}>{TAB_LABELS[t]}</Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="tab-panel" aria-label={TAB_LABELS[tab]} role="region">
        {tab === 'tasks' && <TasksTab id={id} initial={initialTasks} checked={Array.isArray(data?.definition.healthChecks) && (data.definition.healthChecks as unknown[]).length > 0} />}
        {tab === 'configuration' && data && <ConfigurationTab app={data} />}
        {tab === 'versions' && <VersionsTab id={id} current={data?.version} onReport={setReport} />}
        {tab === 'deployments' && <DeploymentsTab id={id} onReport={setReport} />}
        {tab === 'debug' && <DebugTab id={id} />}
        {tab === 'logs' && <LogsTab id={id} />}
      </div>
    </section>
  );
}
