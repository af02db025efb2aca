'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { TaskStateBadge } from '../../../../../components/badges';
import { Dialog } from '../../../../../components/dialog';
import { QueryError } from '../../../../../components/query-error';
import { formatCpus, formatMiB } from '../../../../../lib/format';
import { nodeHref } from '../../../../../lib/links';
import { useTRPC } from '../../../../../lib/trpc';
import { installedHref, StatusWord, type PlanView, type PodView, type StatefulService } from '../../catalog-types';
import styles from '../../catalog.module.css';

/** Plans and pods change with every framework pass: read again every 2 s while the page is open. */
const LIVE_MS = 2000;

type Confirm =
  | { kind: 'force'; plan: string; phase: string; step: string }
  | { kind: 'restartPod' | 'replacePod'; pod: PodView };

type Report = { ok: boolean; text: string; warning?: string };

/**
 * One stateful service as the SDK shows it: the plans (deploy, update, recovery) as
 * phases of steps with their live status, the operator's verbs on each (pause/resume a
 * plan or phase, restart a step, force-complete a step), the pod instances with their
 * node, ports, volumes and tasks (pod restart in place; pod replace, which destroys the
 * pod's data on its node, behind a warning), and the volumes grouped per node.
 */
export function StatefulDetail({ id, initial }: { id: string; initial: StatefulService | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = useQuery({ ...trpc.catalog.stateful.get.queryOptions({ id }), refetchInterval: LIVE_MS, ...(initial ? { initialData: initial } : {}) });
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [report, setReport] = useState<Report | null>(null);

  const settle = {
    onSuccess: (o: { ok: true; message: string; warning?: string; service: StatefulService } | { ok: false; message: string }) => {
      setConfirm(null);
      if (o.ok) queryClient.setQueryData(trpc.catalog.stateful.get.queryKey({ id }), o.service);
      setReport(o.ok ? { ok: true, text: o.message, ...(o.warning ? { warning: o.warning } : {}) } : { ok: false, text: o.message });
    },
    onError: (e: { message: string }) => {
      setConfirm(null);
      setReport({ ok: false, text: e.message });
    },
  };
  const pause = useMutation(trpc.catalog.stateful.pausePlan.mutationOptions(settle));
  const resume = useMutation(trpc.catalog.stateful.resumePlan.mutationOptions(settle));
  const restartStep = useMutation(trpc.catalog.stateful.restartStep.mutationOptions(settle));
  const forceComplete = useMutation(trpc.catalog.stateful.forceCompleteStep.mutationOptions(settle));
  const restartPod = useMutation(trpc.catalog.stateful.restartPod.mutationOptions(settle));
  const replacePod = useMutation(trpc.catalog.stateful.replacePod.mutationOptions(settle));
  const busy = pause.isPending || resume.isPending || restartStep.isPending || forceComplete.isPending || restartPod.isPending || replacePod.isPending;

  const crumbs = <nav aria-label="Breadcrumb" className="crumbs"><ol><li><Link href="/catalog">Catalog</Link></li><li><Link href={installedHref}>Installed</Link></li></ol></nav>;
  if (query.isError && !query.data) {
    return <section aria-labelledby="stateful-title">{crumbs}<h1 id="stateful-title">{id}</h1><QueryError error={query.error} onRetry={() => void query.refetch()} /></section>;
  }
  const s = query.data;
  const readOnly = !s || s.uninstall !== null;
  return (
    <section aria-labelledby="stateful-title">
      {crumbs}
      <div className="title-row">
        <h1 id="stateful-title">{id}</h1>
        <div className="badges">{s && <StatusWord status={s.status} />}{query.isFetching ? <span className="muted" aria-hidden="true">↻</span> : null}</div>
      </div>
      {query.isError && <QueryError error={query.error} onRetry={() => void query.refetch()} />}
      {report && (
        <div className={report.ok ? 'banner ok' : 'banner'} role={report.ok ? 'status' : 'alert'} data-testid="verb-result">
          <div>{report.text}{report.warning && <p className={styles.warning}><strong>Data lost:</strong> {report.warning}</p>}</div>
          <button type="button" onClick={() => setReport(null)}>Dismiss</button>
        </div>
      )}
      {s && (
        <>
          {s.uninstall && (
            <div className="banner" role="status">
              <div>Being uninstalled: its tasks are killed{s.uninstall.destroyData ? ', then its volumes destroyed and its reservations released.' : '; its volumes and reservations are kept.'}</div>
            </div>
          )}
          <dl className="facts-grid">
            <dt>Configuration</dt><dd><code>{s.configId}</code>{s.configIds.length > 1 ? ` (${s.configIds.length - 1} earlier kept for pods still on them)` : ''}</dd>
            <dt>Role</dt><dd><code>{s.role}</code></dd>
            <dt>Rollout</dt><dd>{s.rollout ? <>{s.rollout.plan} <StatusWord status={s.rollout.status} /></> : '—'}</dd>
            <dt>Pods</dt><dd>{s.definition.pods.map((p) => `${p.name} × ${p.count} (${formatCpus(p.resources.cpus)}, ${formatMiB(p.resources.mem)}${p.volumes.length ? `, volumes ${p.volumes.map((v) => (v.external ? `${v.path} external ${v.external.provider}:${v.external.name}` : `${v.path} ${formatMiB(v.size)}`)).join(', ')}` : ''})`).join('; ')}</dd>
          </dl>

          <h2 id="plans-title">Plans</h2>
          {s.plans.length === 0 && <p className="muted">No plan yet: the scheduler builds the deploy plan on its first pass.</p>}
          {s.plans.map((plan) => (
            <Plan
              key={plan.name} plan={plan} disabled={readOnly || busy}
              onPause={(phase) => pause.mutate({ id, plan: plan.name, ...(phase ? { phase } : {}) })}
              onResume={(phase) => resume.mutate({ id, plan: plan.name, ...(phase ? { phase } : {}) })}
              onRestart={(phase, step) => restartStep.mutate({ id, plan: plan.name, phase, step })}
              onForce={(phase, step) => setConfirm({ kind: 'force', plan: plan.name, phase, step })}
            />
          ))}

          <h2 id="pods-title">Pods</h2>
          <Pods pods={s.pods} disabled={readOnly || busy} onRestart={(pod) => setConfirm({ kind: 'restartPod', pod })} onReplace={(pod) => setConfirm({ kind: 'replacePod', pod })} />

          <h2 id="volumes-title">Volumes per node</h2>
          <VolumesPerNode pods={s.pods} />
        </>
      )}

      <Dialog
        open={confirm?.kind === 'force'}
        title="Force-complete this step?"
        confirm="Force complete"
        danger
        busy={forceComplete.isPending}
        onClose={() => setConfirm(null)}
        onConfirm={() => confirm?.kind === 'force' && forceComplete.mutate({ id, plan: confirm.plan, phase: confirm.phase, step: confirm.step })}
      >
        {confirm?.kind === 'force' && <p>Step <code>{confirm.step}</code> of {confirm.plan} counts as complete without any check, and the plan moves on to the next step. Its pod may not be running the new configuration.</p>}
      </Dialog>
      <Dialog
        open={confirm?.kind === 'restartPod'}
        title={`Restart ${confirm?.kind === 'restartPod' ? confirm.pod.name : ''}?`}
        confirm="Restart in place"
        busy={restartPod.isPending}
        onClose={() => setConfirm(null)}
        onConfirm={() => confirm?.kind === 'restartPod' && restartPod.mutate({ id, pod: confirm.pod.name })}
      >
        {confirm?.kind === 'restartPod' && <p>Its tasks are killed and relaunched on the same node{confirm.pod.reservation ? ` (${confirm.pod.reservation.hostname})` : ''}, with the same volumes: its data stays.</p>}
      </Dialog>
      <Dialog
        open={confirm?.kind === 'replacePod'}
        title={`Replace ${confirm?.kind === 'replacePod' ? confirm.pod.name : ''}?`}
        confirm="Replace and lose its data"
        danger
        busy={replacePod.isPending}
        onClose={() => setConfirm(null)}
        onConfirm={() => confirm?.kind === 'replacePod' && replacePod.mutate({ id, pod: confirm.pod.name })}
      >
        {confirm?.kind === 'replacePod' && <ReplaceWarning pod={confirm.pod} />}
      </Dialog>
    </section>
  );
}

function ReplaceWarning({ pod }: { pod: PodView }) {
  const r = pod.reservation;
  return (
    <div className={styles.warning} role="alert">
      <p><strong>The data of {pod.name}{r ? ` on ${r.hostname}` : ''} is lost.</strong></p>
      {r && r.volumes.length > 0
        ? <p>Its volume{r.volumes.length > 1 ? 's' : ''} {r.volumes.map((v) => v.id).join(', ')} {r.volumes.length > 1 ? 'are' : 'is'} destroyed and its reservation released; it is placed anew, possibly on another node, and starts empty.</p>
        : <p>It is placed anew, possibly on another node.</p>}
      {pod.status === 'LOST' && <p>Its node is unreachable: replacing it is the way to bring the service back without that node.</p>}
    </div>
  );
}

function Plan({ plan, disabled, onPause, onResume, onRestart, onForce }: {
  plan: PlanView;
  disabled: boolean;
  onPause: (phase?: string) => void;
  onResume: (phase?: string) => void;
  onRestart: (phase: string, step: string) => void;
  onForce: (phase: string, step: string) => void;
}) {
  const headingId = `plan-${plan.name}`;
  return (
    <section className={styles.plan} aria-labelledby={headingId} data-testid={`plan-${plan.name}`}>
      <div className={styles.planHead}>
        <h3 id={headingId}>{plan.name}</h3>
        <StatusWord status={plan.status} />
        <span className="muted">{plan.strategy}{plan.paused ? ', paused' : ''}</span>
        {plan.phases.length > 0 && (plan.paused
          ? <button type="button" className={styles.small} disabled={disabled} onClick={() => onResume()}>Resume plan</button>
          : <button type="button" className={styles.small} disabled={disabled} onClick={() => onPause()}>Pause plan</button>)}
      </div>
      {plan.phases.length === 0 && <p className="muted">No phases: nothing to recover.</p>}
      {plan.phases.map((phase) => (
        <div key={phase.name} className={styles.phase} role="group" aria-label={`Phase ${phase.name} of ${plan.name}`}>
          <div className={styles.phaseHead}>
            <h4>Phase {phase.name}</h4>
            <StatusWord status={phase.status} />
            <span className="muted">{phase.strategy}{phase.paused ? ', paused' : ''}</span>
            {phase.paused
              ? <button type="button" className={styles.small} disabled={disabled} onClick={() => onResume(phase.name)}>Resume phase</button>
              : <button type="button" className={styles.small} disabled={disabled} onClick={() => onPause(phase.name)}>Pause phase</button>}
          </div>
          <ol className={styles.steps}>
            {phase.steps.map((step) => (
              <li key={step.name} className={styles.step} data-testid={`step-${step.name}`}>
                <code>{step.name}</code>
                <StatusWord status={step.status} />
                <span className="muted">{step.kind.toLowerCase()}</span>
                <button type="button" className={styles.small} disabled={disabled} onClick={() => onRestart(phase.name, step.name)} aria-label={`Restart step ${step.name}`}>Restart</button>
                <button type="button" className={styles.small} disabled={disabled || step.status === 'COMPLETE'} onClick={() => onForce(phase.name, step.name)} aria-label={`Force-complete step ${step.name}`}>Force complete</button>
                {step.message && <span className={styles.stepMessage}>{step.message}</span>}
              </li>
            ))}
          </ol>
        </div>
      ))}
    </section>
  );
}

function Pods({ pods, disabled, onRestart, onReplace }: { pods: PodView[]; disabled: boolean; onRestart: (pod: PodView) => void; onReplace: (pod: PodView) => void }) {
  return (
    <div className="table-scroll">
      <table aria-label="Pods">
        <thead><tr><th scope="col">Pod</th><th scope="col">Status</th><th scope="col">Node</th><th scope="col">Ports</th><th scope="col">Volumes</th><th scope="col">Tasks</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {pods.map((pod) => {
            const r = pod.reservation;
            return (
              <tr key={pod.name} data-testid={`pod-${pod.name}`}>
                <th scope="row">{pod.name}{pod.generation > 1 && <span className="muted"> (generation {pod.generation})</span>}</th>
                <td>
                  <StatusWord status={pod.status} />
                  {pod.message && <div className={styles.stepMessage}>{pod.message}</div>}
                </td>
                <td>{r ? <><Link href={nodeHref(r.agentId)}>{r.hostname}</Link>{r.nodeState !== 'ACTIVE' && <> <span className="badge tone-bad">{r.nodeState === 'UNKNOWN' ? 'Unknown' : 'Unreachable'}</span></>}</> : <span className="muted">not placed</span>}</td>
                <td>{r && r.ports.length > 0 ? r.ports.map((p) => <div key={p.name}>{p.name}: <code>{r.address ?? r.hostname}:{p.port}</code></div>) : '—'}</td>
                <td>{r && r.volumes.length > 0 ? r.volumes.map((v) => <div key={v.id}><code>{v.path}</code> {formatMiB(v.size)}</div>) : '—'}</td>
                <td>{pod.tasks.length > 0 ? pod.tasks.map((t) => <div key={t.taskId}>{t.name} <TaskStateBadge state={t.state} healthy={t.healthy} />{t.ready === false ? <span className="muted"> not ready</span> : null}</div>) : <span className="muted">none</span>}</td>
                <td>
                  <div className="actions">
                    <button type="button" className={styles.small} disabled={disabled || !r} onClick={() => onRestart(pod)} aria-label={`Restart pod ${pod.name}`}>Restart</button>
                    <button type="button" className={`${styles.small} danger`} disabled={disabled || !r} onClick={() => onReplace(pod)} aria-label={`Replace pod ${pod.name}`}>Replace</button>
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** Every volume of the service by the node holding it, retired ones (earlier generations, still to be destroyed) included. */
function VolumesPerNode({ pods }: { pods: PodView[] }) {
  type Row = { pod: string; id: string; path: string; size: number; retired: boolean };
  const byNode = new Map<string, { hostname: string; agentId: string; state: string; rows: Row[] }>();
  for (const pod of pods) {
    const held = [...(pod.reservation ? [{ r: pod.reservation, retired: false }] : []), ...pod.retired.map((r) => ({ r, retired: true }))];
    for (const { r, retired } of held) {
      const entry = byNode.get(r.agentId) ?? { hostname: r.hostname, agentId: r.agentId, state: r.nodeState, rows: [] };
      for (const v of r.volumes) entry.rows.push({ pod: pod.name, id: v.id, path: v.path, size: v.size, retired });
      byNode.set(r.agentId, entry);
    }
  }
  const nodes = [...byNode.values()].filter((n) => n.rows.length > 0).sort((a, b) => (a.hostname < b.hostname ? -1 : 1));
  if (nodes.length === 0) return <p className="muted">No volume is held on any node yet.</p>;
  return (
    <div className="cards">
      {nodes.map((n) => (
        <section key={n.agentId} className="card" aria-label={`Volumes on ${n.hostname}`}>
          <h3><Link href={nodeHref(n.agentId)}>{n.hostname}</Link> {n.state !== 'ACTIVE' && <span className="badge tone-bad">{n.state === 'UNKNOWN' ? 'Unknown' : 'Unreachable'}</span>}</h3>
          <ul>
            {n.rows.map((v) => (
              <li key={v.id}><code>{v.id}</code> — {v.pod}, <code>{v.path}</code>, {formatMiB(v.size)}{v.retired && <span className="muted"> (replaced: to be destroyed)</span>}</li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
