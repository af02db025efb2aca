'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { Dialog } from '../../../../../components/dialog';
import type { ChangeOutcome } from '../../../../../lib/api-types';
import { appHref, groupHref } from '../../../../../lib/links';
import { useTRPC } from '../../../../../lib/trpc';

/** What the last change did, shown until the next: the deployment it started, or why it was refused. */
export interface ChangeReport {
  what: string;
  outcome: ChangeOutcome | { ok: false; status: number; message: string; details: { path: string; errors: string[] }[]; deployments: string[] };
}

export function ChangeBanner({ id, report, onDismiss }: { id: string; report: ChangeReport | null; onDismiss: () => void }) {
  if (!report) return null;
  const { outcome } = report;
  return (
    <div className={outcome.ok ? 'banner ok' : 'banner'} role={outcome.ok ? 'status' : 'alert'} data-testid="change-result">
      <div>
        {outcome.ok ? (
          <>
            <strong>{report.what}</strong>: deployment{' '}
            <Link href={`${appHref(id, 'deployments')}#deployment-${outcome.deploymentId}`}><code>{outcome.deploymentId}</code></Link> started.
          </>
        ) : (
          <>
            <strong>{report.what} was refused</strong>: {outcome.message}
            {outcome.details.length > 0 && <ul>{outcome.details.map((d) => <li key={d.path}><code>{d.path}</code>: {d.errors.join('; ')}</li>)}</ul>}
          </>
        )}
      </div>
      <button type="button" onClick={onDismiss} aria-label="Dismiss this message">Dismiss</button>
    </div>
  );
}

type Action = 'scale' | 'restart' | 'suspend' | 'resume' | 'delete';

/**
 * Scale, restart, suspend (scale to 0), resume and delete, each confirmed in a dialog
 * that says what will happen; a change refused because a deployment is under way
 * (409) can be forced from the same dialog, as Marathon's `?force=true`.
 */
export function ServiceActions({ id, instances, suspended, onReport }: {
  id: string;
  instances: number;
  suspended: boolean;
  onReport: (report: ChangeReport) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const router = useRouter();
  const [open, setOpen] = useState<Action | null>(null);
  const [count, setCount] = useState(String(instances));
  const [typed, setTyped] = useState('');
  const [conflict, setConflict] = useState<string[] | null>(null);

  const settle = (what: string, outcome: ChangeReport['outcome'], after?: () => void) => {
    if (!outcome.ok && outcome.status === 409) {
      setConflict(outcome.deployments);
      return;
    }
    setOpen(null);
    setConflict(null);
    onReport({ what, outcome });
    void queryClient.invalidateQueries({ queryKey: trpc.services.app.queryKey({ id }) });
    void queryClient.invalidateQueries({ queryKey: trpc.services.deployments.queryKey({ id }) });
    void queryClient.invalidateQueries({ queryKey: trpc.services.list.queryKey() });
    if (outcome.ok) after?.();
  };
  const onError = (what: string) => (error: { message: string }) => settle(what, { ok: false, status: 0, message: error.message, details: [], deployments: [] });

  const scale = useMutation(trpc.services.scale.mutationOptions({ onSuccess: (o, v) => settle(`Scale to ${v.instances}`, o), onError: onError('Scale') }));
  const restart = useMutation(trpc.services.restart.mutationOptions({ onSuccess: (o) => settle('Restart', o), onError: onError('Restart') }));
  const suspend = useMutation(trpc.services.suspend.mutationOptions({ onSuccess: (o) => settle('Suspend', o), onError: onError('Suspend') }));
  const resume = useMutation(trpc.services.resume.mutationOptions({ onSuccess: (o) => settle(o.ok ? `Resume with ${o.instances} instances` : 'Resume', o), onError: onError('Resume') }));
  const remove = useMutation(trpc.services.delete.mutationOptions({
    onSuccess: (o) => settle('Delete', o, () => router.push(groupHref(id.slice(0, id.lastIndexOf('/')) || '/'))),
    onError: onError('Delete'),
  }));

  const force = conflict !== null;
  const close = () => {
    setOpen(null);
    setConflict(null);
  };
  const show = (action: Action) => {
    setConflict(null);
    setCount(String(instances || 1));
    setTyped('');
    setOpen(action);
  };
  const conflictNote = conflict && (
    <p className="field-error" role="alert">
      A deployment is under way for this service ({conflict.join(', ')}). Confirm again to force this change: it replaces that deployment.
    </p>
  );
  const target = Number(count);
  const validCount = Number.isInteger(target) && target >= 0 && count.trim() !== '';

  return (
    <div className="actions" role="group" aria-label="Service actions">
      <Link className="button" href={`/services/edit${id}`}>Edit</Link>
      <button type="button" onClick={() => show('scale')}>Scale</button>
      <button type="button" onClick={() => show('restart')}>Restart</button>
      {suspended ? <button type="button" onClick={() => show('resume')}>Resume</button> : <button type="button" onClick={() => show('suspend')}>Suspend</button>}
      <button type="button" className="danger" onClick={() => show('delete')}>Delete</button>

      <Dialog open={open === 'scale'} title={`Scale ${id}`} confirm={validCount ? `Scale to ${target} ${target === 1 ? 'instance' : 'instances'}` : 'Scale'}
        busy={scale.isPending} confirmDisabled={!validCount} onClose={close} onConfirm={() => scale.mutate({ id, instances: target, force })}>
        <label className="field">
          <span>Instances</span>
          <input type="number" min={0} step={1} value={count} onChange={(e) => setCount(e.target.value)} aria-describedby="scale-now" autoFocus
            aria-invalid={!validCount} />
        </label>
        <p id="scale-now" className="muted">Now {instances}. Scaling starts or stops instances; running ones are kept.</p>
        {!validCount && <p className="field-error">A whole number of instances, 0 or more.</p>}
        {conflictNote}
      </Dialog>
      <Dialog open={open === 'restart'} title={`Restart ${id}`} confirm="Restart every instance" busy={restart.isPending} onClose={close} onConfirm={() => restart.mutate({ id, force })}>
        <p>Every instance is replaced by a new one, honouring the upgrade strategy (new instances must be healthy before old ones stop).</p>
        {conflictNote}
      </Dialog>
      <Dialog open={open === 'suspend'} title={`Suspend ${id}`} confirm="Suspend: scale to 0" danger busy={suspend.isPending} onClose={close} onConfirm={() => suspend.mutate({ id, force })}>
        <p>All {instances} instances stop. The definition stays; resume brings them back.</p>
        {conflictNote}
      </Dialog>
      <Dialog open={open === 'resume'} title={`Resume ${id}`} confirm={validCount && target > 0 ? `Resume with ${target} ${target === 1 ? 'instance' : 'instances'}` : 'Resume'}
        busy={resume.isPending} confirmDisabled={!validCount || target < 1} onClose={close} onConfirm={() => resume.mutate({ id, instances: target, force })}>
        <label className="field">
          <span>Instances</span>
          <input type="number" min={1} step={1} value={count} onChange={(e) => setCount(e.target.value)} autoFocus />
        </label>
        {conflictNote}
      </Dialog>
      <Dialog open={open === 'delete'} title={`Delete ${id}`} confirm="Delete the service" danger busy={remove.isPending} confirmDisabled={typed !== id}
        onClose={close} onConfirm={() => remove.mutate({ id, force })}>
        <p>Its instances stop and its versions are forgotten. This cannot be undone.</p>
        <label className="field">
          <span>Type <code>{id}</code> to confirm</span>
          <input value={typed} onChange={(e) => setTyped(e.target.value)} autoFocus autoComplete="off" aria-label={`Type ${id} to confirm`} />
        </label>
        {conflictNote}
      </Dialog>
    </div>
  );
}
