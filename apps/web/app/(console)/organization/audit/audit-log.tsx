'use client';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { QueryState } from '../../../../components/iam-query-state';
import styles from '../../../../components/iam.module.css';
import type { AuditEntry } from '../../../../lib/iam-api';
import { useCan } from '../../../../lib/iam-permissions';
import { rest } from '../../../../lib/rest';

const PAGE = 50;

/**
 * The append-only audit log: every write and every denied request — who, what, which
 * resource the permission check named, when, from where, and how it ended. Newest
 * first, searchable by actor, paged by the id of the last entry shown.
 */
export function AuditLog({ actor }: { actor: string }) {
  const can = useCan();
  const router = useRouter();
  const [search, setSearch] = useState(actor);
  // The ids each page started before: the stack "Newer" walks back through.
  const [cursors, setCursors] = useState<string[]>([]);
  const before = cursors.at(-1);
  const mayRead = can('gantry:audit', 'read');
  const page = useQuery({
    queryKey: ['iam', 'audit', actor, before ?? null],
    queryFn: () => rest<{ entries: AuditEntry[] }>('GET', `audit?${new URLSearchParams({ limit: String(PAGE), ...(actor ? { actor } : {}), ...(before ? { before } : {}) })}`),
    enabled: mayRead,
  });
  if (!mayRead) return <div className="empty" role="status"><p>You may not read the audit log: it needs read on gantry:audit.</p></div>;
  const entries = page.data?.entries ?? [];
  return (
    <div className="org">
      <section aria-labelledby="audit-title">
        <h2 id="audit-title">Audit log</h2>
        <form
          className="inline-form"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            setCursors([]);
            router.push(search ? `/organization/audit?actor=${encodeURIComponent(search)}` : '/organization/audit');
          }}
        >
          <label>Actor<input value={search} onChange={(e) => setSearch(e.target.value)} placeholder="anyone" /></label>
          <button type="submit">Search</button>
        </form>
        {page.isError ? <QueryState error={page.error} what="the audit log" retry={() => void page.refetch()} /> : (
          <table aria-busy={page.isFetching || undefined}>
            <caption className="sr-only">Audit entries, newest first{actor ? `, by ${actor}` : ''}</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">From</th></tr></thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td><time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time></td>
                  <th scope="row">{e.actor ?? <span className="muted">anonymous</span>}</th>
                  <td><code>{e.action}</code></td>
                  <td>{e.target ? <code>{e.target}</code> : <span className="muted">—</span>}</td>
                  <td><span className={e.outcome === 'allowed' ? undefined : styles.over}>{e.outcome}</span> <span className="muted">{e.status}</span></td>
                  <td>{e.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {page.isSuccess && entries.length === 0 && <p className="muted">No entries{actor ? ` by ${actor}` : ''}.</p>}
        <div className={styles.pager}>
          <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>Newer entries</button>
          <button type="button" disabled={entries.length < PAGE} onClick={() => setCursors([...cursors, entries.at(-1)!.id])}>Older entries</button>
        </div>
      </section>
    </div>
  );
}
