'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { diffLines } from 'diff';
import { useState } from 'react';
import { Dialog } from '../../../../../components/dialog';
import { QueryError } from '../../../../../components/query-error';
import { formatTime } from '../../../../../lib/format';
import { useTRPC } from '../../../../../lib/trpc';
import type { ChangeReport } from './service-actions';

/** Keys in a stable order, so a diff shows what changed, not how the JSON was written. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}

/**
 * Every version the app had (newest first), a line diff between any two, and
 * rollback to one (Marathon's PUT with only `{version}`), confirmed.
 */
export function VersionsTab({ id, current, onReport }: { id: string; current: string | undefined; onReport: (r: ChangeReport) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const versions = useQuery(trpc.services.versions.queryOptions({ id }));
  const list = versions.data?.versions ?? [];
  const [pair, setPair] = useState<{ from?: string; to?: string }>({});
  const to = pair.to ?? list[0];
  const from = pair.from ?? list[1] ?? list[0];
  const a = useQuery({ ...trpc.services.version.queryOptions({ id, version: from ?? '' }), enabled: !!from, staleTime: Infinity });
  const b = useQuery({ ...trpc.services.version.queryOptions({ id, version: to ?? '' }), enabled: !!to, staleTime: Infinity });
  const [rollbackTo, setRollbackTo] = useState<string | null>(null);
  const [force, setForce] = useState(false);
  const rollback = useMutation(trpc.services.rollback.mutationOptions({
    onSuccess: (outcome, v) => {
      if (!outcome.ok && outcome.status === 409) return setForce(true);
      setRollbackTo(null);
      setForce(false);
      onReport({ what: `Roll back to ${formatTime(v.version)}`, outcome });
      void queryClient.invalidateQueries({ queryKey: trpc.services.versions.queryKey({ id }) });
      void queryClient.invalidateQueries({ queryKey: trpc.services.app.queryKey({ id }) });
    },
    onError: (error) => onReport({ what: 'Roll back', outcome: { ok: false, status: 0, message: error.message, details: [], deployments: [] } }),
  }));

  if (versions.isError) return <QueryError error={versions.error} onRetry={() => void versions.refetch()} />;
  const changes = a.data && b.data ? diffLines(JSON.stringify(canonical(a.data.definition), null, 2) + '\n', JSON.stringify(canonical(b.data.definition), null, 2) + '\n') : null;
  const added = changes?.filter((c) => c.added).reduce((s, c) => s + (c.count ?? 0), 0) ?? 0;
  const removed = changes?.filter((c) => c.removed).reduce((s, c) => s + (c.count ?? 0), 0) ?? 0;

  return (
    <div className="versions">
      <table aria-label="Versions">
        <thead><tr><th scope="col">Version</th><th scope="col">Compare</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {list.map((v) => (
            <tr key={v}>
              <th scope="row"><time dateTime={v}>{formatTime(v)}</time>{v === current && <span className="chip">current</span>}</th>
              <td>
                <label><input type="radio" name="diff-from" checked={v === from} onChange={() => setPair({ from: v, to })} /> from</label>{' '}
                <label><input type="radio" name="diff-to" checked={v === to} onChange={() => setPair({ from, to: v })} /> to</label>
              </td>
              <td>{v !== current && <button type="button" onClick={() => { setForce(false); setRollbackTo(v); }} aria-label={`Roll back to the version of ${formatTime(v)}`}>Roll back to this version</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2 id="diff-title">Changes from {formatTime(from)} to {formatTime(to)}</h2>
      {changes ? (
        <>
          <p className="muted">{added} {added === 1 ? 'line' : 'lines'} added, {removed} removed{added + removed === 0 ? ': the two versions are the same' : ''}.</p>
          <pre className="code diff" aria-labelledby="diff-title" tabIndex={0}>
            {changes.flatMap((c, i) => c.value.replace(/\n$/, '').split('\n').map((line, j) => (
              <span key={`${i}-${j}`} className={c.added ? 'add' : c.removed ? 'del' : undefined}>
                <span className="sr-only">{c.added ? 'added: ' : c.removed ? 'removed: ' : ''}</span>
                <span aria-hidden="true">{c.added ? '+ ' : c.removed ? '- ' : '  '}</span>{line}{'\n'}
              </span>
            )))}
          </pre>
        </>
      ) : <p className="muted" role="status">Loading the two versions…</p>}
      <Dialog open={rollbackTo !== null} title={`Roll ${id} back`} confirm={force ? 'Force the rollback' : 'Roll back'} busy={rollback.isPending}
        onClose={() => setRollbackTo(null)} onConfirm={() => rollbackTo && rollback.mutate({ id, version: rollbackTo, force })}>
        <p>The service returns to its definition of {formatTime(rollbackTo)}; a deployment applies it.</p>
        {force && <p className="field-error" role="alert">A deployment is under way for this service: confirm to force the rollback over it.</p>}
      </Dialog>
    </div>
  );
}
