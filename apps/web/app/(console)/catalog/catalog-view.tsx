'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { QueryError } from '../../../components/query-error';
import { useTRPC } from '../../../lib/trpc';
import { installedHref, packageHref, type PackageSummary } from './catalog-types';
import styles from './catalog.module.css';

/** Search as you type (the query is kept in the URL, so a search can be shared and reloaded). */
export function CatalogView({ initial, initialQuery }: { initial: { packages: PackageSummary[] } | undefined; initialQuery: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const [text, setText] = useState(initialQuery);
  const [q, setQ] = useState(initialQuery);
  useEffect(() => {
    const wanted = text.trim();
    // Only a changed search touches the URL: replacing it with the same one just after a
    // load would cancel a link the user clicked in the meantime.
    if (wanted === q) return;
    const timer = setTimeout(() => {
      setQ(wanted);
      router.replace(wanted ? `${pathname}?q=${encodeURIComponent(wanted)}` : pathname, { scroll: false });
    }, 200);
    return () => clearTimeout(timer);
  }, [text, q, pathname, router]);
  const query = useQuery({
    ...trpc.catalog.search.queryOptions({ q }),
    placeholderData: keepPreviousData,
    ...(initial && q === initialQuery ? { initialData: initial } : {}),
  });
  const packages = query.data?.packages ?? [];
  return (
    <>
      <div className="toolbar">
        <label className="field grow">
          Search packages
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="name, description or tag (e.g. database)" />
        </label>
        <Link href={installedHref} className={styles.linkButton}>Installed packages</Link>
      </div>
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      <p className="muted" aria-live="polite">{query.isSuccess ? `${packages.length} ${packages.length === 1 ? 'package' : 'packages'}${q ? ` matching “${q}”` : ''}` : 'Loading…'}</p>
      <ul className={styles.grid} aria-label="Packages">
        {packages.map((p) => (
          <li key={p.name} className={`card ${styles.package}`}>
            <h2><Link href={packageHref(p.name)}>{p.name}</Link> <span className="muted">{p.version}</span></h2>
            <p>{p.description}</p>
            <div className={styles.tags}>
              <span className={`badge ${p.kind === 'stateful' ? 'tone-warn' : 'tone-ok'}`}>{p.kind === 'stateful' ? 'Stateful service' : 'Service'}</span>
              {p.selected && <span className="badge tone-muted">Certified</span>}
              {p.tags.map((t) => <span key={t} className={styles.tag}>{t}</span>)}
            </div>
            {p.repository !== 'builtin' && <p className="muted">from {p.repository}</p>}
          </li>
        ))}
      </ul>
    </>
  );
}
