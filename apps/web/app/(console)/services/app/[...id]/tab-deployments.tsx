'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Dialog } from '../../../../../components/dialog';
import { useNow } from '../../../../../components/now';
import { QueryError } from '../../../../../components/query-error';
import type { DeploymentItem } from '../../../../../lib/api-types';
import { formatAgo, formatDuration, formatTime } from '../../../../../lib/format';
import { useTRPC } from '../../../../../lib/trpc';
import type { ChangeReport } from './service-actions';

const ACTION_TEXT: Record<string, string> = {
  StartApplication: 'Start', ScaleApplication: 'Scale', RestartApplication: 'Restart (replace every instance)', StopApplication: 'Stop',
};

/** Steps of one deployment: done, under way, or to come (Marathon's plan). */
export function DeploymentSteps({ d }: { d: DeploymentItem }) {
  return (
    <ol className="steps">
      {d.steps.map((actions, i) => {
        const state = d.status === 'SUCCEEDED' || i < d.currentStep ? 'done' : i === d.currentStep && d.status === 'ACTIVE' ? 'current' : d.status === 'CANCELED' ? 'canceled' : 'pending';
        return (
          <li key={i} className={`step step-${state}`}>
            <span className="step-mark" aria-hidden="true">{state === 'done' ? '✓' : state === 'current' ? '◐' : state === 'canceled' ? '✕' : '○'}</span>
            <span>
              Step {i + 1} of {d.steps.length} <span className="sr-only">({state})</span>:{' '}
              {actions.map((a) => `${ACTION_TEXT[a.action] ?? a.action} ${a.app}`).join(', ')}
              <span className="muted"> — {state === 'current' ? 'under way' : state}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}

/** Deployments touching the app, newest first, each with its steps; an active one can be rolled back or abandoned. */
export function DeploymentsTab({ id, onReport }: { id: string; onReport: (r: ChangeReport) => void }) {
  const trpc = useTRPC();
  const now = useNow();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.services.deployments.queryOptions({ id }));
  const [cancel, setCancel] = useState<{ id: string; force: boolean } | null>(null);
  const mutation = useMutation(trpc.services.cancelDeployment.mutationOptions({
    onSuccess: (outcome, v) => {
      setCancel(null);
      const report: ChangeReport['outcome'] = outcome.ok && outcome.deploymentId
        ? { ok: true, deploymentId: outcome.deploymentId, version: '' }
        : outcome.ok ? { ok: false, status: 200, message: 'the deployment was abandoned where it stood; nothing rolls back', details: [], deployments: [] } : outcome;
      onReport({ what: v.force ? 'Stop the deployment' : 'Roll the deployment back', outcome: report });
      void queryClient.invalidateQueries({ queryKey: trpc.services.deployments.queryKey({ id }) });
    },
    onError: (error) => onReport({ what: 'Cancel the deployment', outcome: { ok: false, status: 0, message: error.message, details: [], deployments: [] } }),
  }));
  if (list.isError) return <QueryError error={list.error} onRetry={() => void list.refetch()} />;
  const items = list.data?.deployments ?? [];
  if (list.data && items.length === 0) return <div className="empty" role="status"><p>No deployment has touched this service yet.</p></div>;
  return (
    <div className="deployments">
      {items.map((d) => (
        <article key={d.id} id={`deployment-${d.id}`} className={`card deployment deployment-${d.status}`} aria-labelledby={`deployment-title-${d.id}`}>
          <header>
            <h2 id={`deployment-title-${d.id}`}>
              {d.status === 'ACTIVE' ? 'Under way' : d.status === 'SUCCEEDED' ? 'Succeeded' : 'Canceled'}: <code>{d.id}</code>
            </h2>
            <p className="muted">
              Started <time dateTime={d.createdAt} title={formatTime(d.createdAt)}>{formatAgo(d.createdAt, now)}</time>
              {d.finishedAt && <>, took {formatDuration(Date.parse(d.finishedAt) - Date.parse(d.createdAt))}</>}
              {d.affectedApps.length > 1 && <> · also {d.affectedApps.filter((a) => a !== id).join(', ')}</>}
            </p>
          </header>
          <DeploymentSteps d={d} />
          {d.status === 'ACTIVE' && (
            <div className="actions">
              <button type="button" onClick={() => setCancel({ id: d.id, force: false })}>Roll back</button>
              <button type="button" className="danger" onClick={() => setCancel({ id: d.id, force: true })}>Stop without rolling back</button>
            </div>
          )}
        </article>
      ))}
      <Dialog open={cancel !== null} title={cancel?.force ? 'Stop the deployment' : 'Roll the deployment back'} danger={cancel?.force}
        confirm={cancel?.force ? 'Stop it where it stands' : 'Roll back'} busy={mutation.isPending}
        onClose={() => setCancel(null)} onConfirm={() => cancel && mutation.mutate({ deploymentId: cancel.id, force: cancel.force })}>
        {cancel?.force
          ? <p>The deployment is abandoned: instances stay as they are now, between the old and the new version.</p>
          : <p>A new deployment takes the service back to where it was before this one started.</p>}
      </Dialog>
    </div>
  );
}
