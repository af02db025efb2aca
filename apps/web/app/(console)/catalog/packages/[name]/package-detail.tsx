'use client';
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { QueryError } from '../../../../../components/query-error';
import { useTRPC } from '../../../../../lib/trpc';
import { installedHref, packageHref, type PackageDescription } from '../../catalog-types';
import styles from '../../catalog.module.css';
import { InstallForm } from './install-form';

export function PackageDetail({ name, version, updateId, initial }: { name: string; version: string | undefined; updateId: string | undefined; initial: PackageDescription | undefined }) {
  const trpc = useTRPC();
  const router = useRouter();
  const query = useQuery({ ...trpc.catalog.describe.queryOptions({ name, ...(version ? { version } : {}) }), ...(initial ? { initialData: initial } : {}) });
  const installs = useQuery({ ...trpc.catalog.installs.queryOptions(), enabled: updateId !== undefined });
  const installed = updateId !== undefined ? installs.data?.installs.find((i) => i.id === updateId) : undefined;
  const crumbs = (
    <nav aria-label="Breadcrumb" className="crumbs"><ol><li><Link href="/catalog">Catalog</Link></li>{updateId && <li><Link href={installedHref}>Installed</Link></li>}</ol></nav>
  );
  if (query.isError && !query.data) {
    return <section aria-labelledby="package-title">{crumbs}<h1 id="package-title">{name}</h1><QueryError error={query.error} onRetry={() => void query.refetch()} /></section>;
  }
  const p = query.data;
  return (
    <section aria-labelledby="package-title">
      {crumbs}
      <div className="title-row">
        <h1 id="package-title">{name} {p && <span className="muted">{p.version}</span>}</h1>
        {p && (
          <label className="field">
            Version
            <select value={p.version} onChange={(e) => router.replace(`${packageHref(name, e.target.value)}${updateId ? `&update=${encodeURIComponent(updateId)}` : ''}`)}>
              {[...p.versions].reverse().map((v) => <option key={v} value={v}>{v}</option>)}
            </select>
          </label>
        )}
      </div>
      {p && (
        <>
          <p>{p.description}</p>
          <div className="cards">
            <section className="card" aria-labelledby="package-facts">
              <h2 id="package-facts">About</h2>
              <dl className="facts-grid">
                <dt>Kind</dt><dd>{p.kind === 'stateful' ? 'Stateful service (pods with persistent volumes, deployed by plans)' : 'Service (a Marathon app)'}</dd>
                <dt>Repository</dt><dd>{p.repository}</dd>
                <dt>Maintainer</dt><dd>{p.maintainer}</dd>
                <dt>Tags</dt><dd>{p.tags.join(', ') || '—'}</dd>
                {p.website && <><dt>Website</dt><dd><a href={p.website}>{p.website}</a></dd></>}
                {p.licenses.length > 0 && <><dt>Licenses</dt><dd>{p.licenses.map((l) => l.name).join(', ')}</dd></>}
                <dt>Needs on the host</dt><dd>{[...p.requires, ...p.binaries].join(', ') || 'nothing beyond the agent'}</dd>
              </dl>
            </section>
            {(p.preInstallNotes || p.postInstallNotes) && (
              <section className="card" aria-labelledby="package-notes">
                <h2 id="package-notes">Notes</h2>
                {p.preInstallNotes && <><h3>Before installing</h3><p className={styles.notes}>{p.preInstallNotes}</p></>}
                {p.postInstallNotes && <><h3>After installing</h3><p className={styles.notes}>{p.postInstallNotes}</p></>}
              </section>
            )}
          </div>
          {p.missing.length > 0 && (
            <div className="banner" role="alert" data-testid="missing-programs">
              <div>
                <strong>{p.name} cannot be installed on this cluster yet</strong>
                <ul>{p.missing.map((m) => <li key={m.program}>{m.message}</li>)}</ul>
              </div>
            </div>
          )}
          {updateId !== undefined && installs.isSuccess && !installed && <div className="banner" role="alert">{updateId} is not an installed package you may see.</div>}
          {(updateId === undefined || installed) && (
            <InstallForm key={`${p.name}@${p.version}:${updateId ?? ''}`} pkg={p} installed={installed} />
          )}
        </>
      )}
    </section>
  );
}
