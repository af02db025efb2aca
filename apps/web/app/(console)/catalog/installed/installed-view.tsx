'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { Dialog } from '../../../../components/dialog';
import { QueryError } from '../../../../components/query-error';
import { formatTime } from '../../../../lib/format';
import { appHref } from '../../../../lib/links';
import { useTRPC } from '../../../../lib/trpc';
import { packageHref, statefulHref, StatusWord, type InstallRow } from '../catalog-types';

/** Every installed package the user may see, with its service's state; update and uninstall. */
export function InstalledView({ initial }: { initial: { installs: InstallRow[] } | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery({ ...trpc.catalog.installs.queryOptions(), refetchInterval: 3000, ...(initial ? { initialData: initial } : {}) });
  const stateful = useQuery({ ...trpc.catalog.stateful.list.queryOptions(), refetchInterval: 3000 });
  const [removing, setRemoving] = useState<InstallRow | null>(null);
  const [destroyData, setDestroyData] = useState(false);
  const [report, setReport] = useState<{ ok: boolean; text: string } | null>(null);
  const uninstall = useMutation(trpc.catalog.uninstall.mutationOptions({
    onSuccess: (o) => {
      setRemoving(null);
      setReport(o.ok ? { ok: true, text: [o.message, o.postUninstallNotes].filter(Boolean).join(' — ') } : { ok: false, text: o.message });
      void queryClient.invalidateQueries({ queryKey: trpc.catalog.installs.queryKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.catalog.stateful.list.queryKey() });
    },
    onError: (e) => {
      setRemoving(null);
      setReport({ ok: false, text: e.message });
    },
  }));
  const rows = query.data?.installs ?? [];
  return (
    <>
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      {report && <div className={report.ok ? 'banner ok' : 'banner'} role={report.ok ? 'status' : 'alert'}><div>{report.text}</div><button type="button" onClick={() => setReport(null)}>Dismiss</button></div>}
      {query.isSuccess && rows.length === 0 && <p>No packages are installed. <Link href="/catalog">Browse the catalog</Link>.</p>}
      {rows.length > 0 && (
        <div className="table-scroll">
          <table aria-label="Installed packages">
            <thead><tr><th scope="col">Service</th><th scope="col">Package</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Installed</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <th scope="row"><Link href={r.kind === 'STATEFUL' ? statefulHref(r.id) : appHref(r.id)}>{r.id}</Link></th>
                  <td>
                    <Link href={packageHref(r.name, r.version)}>{r.name} {r.version}</Link>
                    {r.newerVersion && <> · <Link href={`${packageHref(r.name, r.newerVersion)}&update=${encodeURIComponent(r.id)}`}>{r.newerVersion} available</Link></>}
                  </td>
                  <td>{r.kind === 'STATEFUL' ? 'Stateful service' : 'Service'}</td>
                  <td>{r.status ? <StatusWord status={r.status} /> : <span className="muted">gone</span>}</td>
                  <td>{formatTime(r.createdAt)}</td>
                  <td>
                    <div className="actions">
                      <Link href={`${packageHref(r.name, r.version)}&update=${encodeURIComponent(r.id)}`}>Change options</Link>
                      <button type="button" className="danger" onClick={() => { setDestroyData(false); setRemoving(r); }}>Uninstall</button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(stateful.data?.services.length ?? 0) > 0 && (
        <section aria-labelledby="stateful-title">
          <h2 id="stateful-title">Stateful services</h2>
          <p className="muted">Every stateful service you may see, installed from the catalog or not — one being uninstalled stays here until its tasks have ended (and, when asked, its volumes are destroyed).</p>
          <div className="table-scroll">
            <table aria-label="Stateful services">
              <thead><tr><th scope="col">Service</th><th scope="col">Status</th><th scope="col">Pods</th><th scope="col">Volumes held</th></tr></thead>
              <tbody>
                {stateful.data!.services.map((s) => (
                  <tr key={s.id}>
                    <th scope="row"><Link href={statefulHref(s.id)}>{s.id}</Link></th>
                    <td><StatusWord status={s.status} />{s.uninstall && <span className="muted"> {s.uninstall.destroyData ? '(destroying its data)' : '(keeping its data)'}</span>}</td>
                    <td>{s.pods.length}</td>
                    <td>{s.pods.reduce((n, p) => n + (p.reservation?.volumes.length ?? 0) + p.retired.reduce((m, r) => m + r.volumes.length, 0), 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      <Dialog
        open={removing !== null}
        title={`Uninstall ${removing?.id ?? ''}`}
        confirm={removing?.kind === 'STATEFUL' && destroyData ? 'Uninstall and destroy its data' : 'Uninstall'}
        danger
        busy={uninstall.isPending}
        onClose={() => setRemoving(null)}
        onConfirm={() => removing && uninstall.mutate({ id: removing.id, destroyData })}
      >
        <p>Every task of {removing?.id} is killed.</p>
        {removing?.kind === 'STATEFUL' && (
          <>
            <p>Its persistent volumes and reservations stay on their nodes unless you ask for them to be destroyed: nothing of its data is lost until you decide.</p>
            <label><input type="checkbox" checked={destroyData} onChange={(e) => setDestroyData(e.target.checked)} /> Also destroy its data: its volumes are deleted and its reservations released, on every node</label>
          </>
        )}
      </Dialog>
    </>
  );
}
