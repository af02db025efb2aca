'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useCallback, useMemo } from 'react';
import { HealthBadge, StatusBadge } from '../../../components/badges';
import { LiveMark } from '../../../components/live-updates';
import { useNow } from '../../../components/now';
import { QueryError } from '../../../components/query-error';
import { SearchBox } from '../../../components/search-box';
import { VirtualTable, type Column } from '../../../components/virtual-table';
import type { ServicePage, ServiceRow } from '../../../lib/api-types';
import { appHref } from '../../../lib/links';
import { formatAgo, formatCount, formatCpus, formatMiB } from '../../../lib/format';
import { SERVICE_DEFAULTS, SERVICE_PAGE, serviceListInput, type ServiceView } from '../../../lib/service-query';
import { useTRPC } from '../../../lib/trpc';
import { useUrlState } from '../../../lib/url-state';

const STATUS_OPTIONS = [['', 'Any status'], ['running', 'Running'], ['deploying', 'Deploying'], ['waiting', 'Waiting'], ['delayed', 'Delayed'], ['suspended', 'Suspended']] as const;
const HEALTH_OPTIONS = [['', 'Any health'], ['healthy', 'Healthy'], ['unhealthy', 'Unhealthy'], ['unknown', 'Health unknown'], ['none', 'No health checks']] as const;

/**
 * DC/OS' Services table: one level of the group tree (groups first, each summing its
 * apps), or with a search or filter every matching app at any depth. All of it in the
 * URL; paged on the server; virtualised; live.
 */
export function ServicesView({ initial, initialView }: { initial: ServicePage | undefined; initialView: ServiceView }) {
  const trpc = useTRPC();
  const now = useNow();
  const [view, setView] = useUrlState(SERVICE_DEFAULTS);
  const commitSearch = useCallback((q: string) => setView({ q }), [setView]);

  const input = serviceListInput(view);
  const sameAsServer = JSON.stringify(serviceListInput(initialView)) === JSON.stringify(input);
  const first = useQuery({ ...trpc.services.list.queryOptions(input), ...(sameAsServer && initial ? { initialData: initial } : {}) });
  const page = first.data;
  const flat = page?.flat ?? false;

  const columns = useMemo((): Column<ServiceRow>[] => [
    {
      key: 'name', header: 'Name', width: 'minmax(12rem, 3fr)', sort: 'name',
      cell: (r) => r.kind === 'group' ? (
        <Link prefetch={false} href={`/services?group=${encodeURIComponent(r.id)}`} className="name" onClick={(e) => { e.preventDefault(); setView({ group: r.id, q: '', status: '', health: '' }, { push: true }); }}>
          <span aria-hidden="true" className="folder">▸</span> {r.name}<span className="sr-only"> (group of {formatCount(r.apps, 'app')})</span>
        </Link>
      ) : (
        <Link prefetch={false} href={appHref(r.id)} className="name" title={r.id}>{r.name}</Link>
      ),
    },
    { key: 'status', header: 'Status', width: '9rem', sort: 'status', cell: (r) => <StatusBadge status={r.status} /> },
    {
      key: 'instances', header: 'Instances', width: '9rem', sort: 'instances', align: 'end',
      cell: (r) => <span title={`${r.running} running of ${r.instances} wanted${r.staged ? `, ${r.staged} launching` : ''}`}>{r.running} / {r.instances}</span>,
    },
    { key: 'health', header: 'Health', width: '10rem', sort: 'health', cell: (r) => <HealthBadge health={r.health} /> },
    { key: 'cpus', header: 'CPU', width: '9rem', sort: 'cpus', align: 'end', cell: (r) => formatCpus(r.cpus) },
    { key: 'mem', header: 'Memory', width: '8rem', sort: 'mem', align: 'end', cell: (r) => formatMiB(r.mem) },
    { key: 'lastChange', header: 'Last change', width: '10rem', sort: 'lastChange', cell: (r) => <time dateTime={r.lastChange} title={r.lastChange}>{formatAgo(r.lastChange, now)}</time> },
  ], [now, setView]);

  const crumbs = view.group === '/' ? [] : view.group.split('/').slice(1).map((_, i, parts) => `/${parts.slice(0, i + 1).join('/')}`);
  const onSort = (key: string) => setView({ sort: key, dir: view.sort === key && view.dir === 'asc' ? 'desc' : 'asc' });

  return (
    <>
      <nav aria-label="Group" className="crumbs">
        <ol>
          <li><Link prefetch={false} href="/services" onClick={(e) => { e.preventDefault(); setView({ group: '/' }, { push: true }); }} aria-current={view.group === '/' ? 'page' : undefined}>All services</Link></li>
          {crumbs.map((c) => (
            <li key={c}>
              <Link prefetch={false} href={`/services?group=${encodeURIComponent(c)}`} aria-current={c === view.group ? 'page' : undefined}
                onClick={(e) => { e.preventDefault(); setView({ group: c }, { push: true }); }}>{c.slice(c.lastIndexOf('/') + 1)}</Link>
            </li>
          ))}
        </ol>
      </nav>
      <div className="toolbar">
        <div role="search" className="toolbar-search">
        <SearchBox value={view.q} onCommit={commitSearch} label="Search services" placeholder="id, command or label:value" />
        <label className="field">
          <span>Status</span>
          <select value={view.status} onChange={(e) => setView({ status: e.target.value })} aria-label="Filter by status">
            {STATUS_OPTIONS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </label>
        <label className="field">
          <span>Health</span>
          <select value={view.health} onChange={(e) => setView({ health: e.target.value })} aria-label="Filter by health">
            {HEALTH_OPTIONS.map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </label>
        </div>
        <Link className="button primary" href={`/services/new${view.group !== '/' ? `?group=${encodeURIComponent(view.group)}` : ''}`}>Deploy a service</Link>
      </div>
      <p className="summary" aria-live="polite">
        {page ? (
          <>
            {flat ? `${formatCount(page.total, 'matching service')}` : formatCount(page.total, 'item')} in {view.group === '/' ? 'all services' : view.group}
            {page.byStatus.deploying + page.byStatus.waiting + page.byStatus.delayed > 0 && (
              <> · {page.byStatus.deploying} deploying, {page.byStatus.waiting} waiting, {page.byStatus.delayed} delayed</>
            )}
            {page.byHealth.unhealthy > 0 && <> · <span className="bad">{page.byHealth.unhealthy} unhealthy</span></>}
          </>
        ) : '\u00a0'}
        <LiveMark />
      </p>
      {first.isError && !page ? (
        <QueryError error={first.error} onRetry={() => void first.refetch()} />
      ) : page && !page.exists ? (
        <div className="empty" role="status">
          <p>There is no group {view.group} you may see.</p>
          <p><Link prefetch={false} href="/services" onClick={(e) => { e.preventDefault(); setView({ group: '/' }, { push: true }); }}>Back to all services</Link></p>
        </div>
      ) : (
        <VirtualTable<ServiceRow>
          label={view.group === '/' ? 'Services' : `Services in ${view.group}`}
          testId="services-table"
          columns={columns}
          pageSize={SERVICE_PAGE}
          initial={sameAsServer ? initial : undefined}
          page={(i) => trpc.services.list.queryOptions(serviceListInput(view, i * SERVICE_PAGE))}
          rowKey={(r) => r.id}
          rowHref={(r) => (r.kind === 'app' ? appHref(r.id) : `/services?group=${encodeURIComponent(r.id)}`)}
          sort={{ key: view.sort, dir: view.dir === 'desc' ? 'desc' : 'asc', onSort }}
          empty={flat ? (
            <p>No service matches. <button type="button" className="link" onClick={() => setView({ q: '', status: '', health: '' })}>Clear the search and filters</button></p>
          ) : (
            <div>
              <p>No services {view.group === '/' ? 'yet' : 'in this group'}.</p>
              <p><Link prefetch={false} href={`/services/new${view.group !== '/' ? `?group=${encodeURIComponent(view.group)}` : ''}`}>Deploy a service</Link> from a form or a Marathon JSON definition.</p>
            </div>
          )}
        />
      )}
    </>
  );
}
