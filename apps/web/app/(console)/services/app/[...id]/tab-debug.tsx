'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useNow } from '../../../../../components/now';
import { QueryError } from '../../../../../components/query-error';
import type { DebugInfo } from '../../../../../lib/api-types';
import { formatAgo, formatCpus, formatMiB, formatTaskState, formatTime, shortTaskId } from '../../../../../lib/format';
import { nodeHref, taskHref } from '../../../../../lib/links';
import { useTRPC } from '../../../../../lib/trpc';
import { DeploymentSteps } from './tab-deployments';

/** The resources and rules a node can refuse an instance for, as DC/OS' Debug tab lays them out. */
const CHECKS = [
  ['maintenance', 'Maintenance'], ['role', 'Role'], ['constraint', 'Constraint'], ['reservation', 'Reservation'],
  ['cpus', 'CPUs'], ['mem', 'Memory'], ['disk', 'Disk'], ['gpus', 'GPUs'], ['ports', 'Ports'],
] as const;

const REASON_TEXT: Record<string, string> = {
  AgentMaintenance: 'node in maintenance (draining)', UnfulfilledRole: 'resources of another role', UnfulfilledConstraint: 'a constraint is not met',
  NoCorrespondingReservationFound: 'no matching reservation', InsufficientCpus: 'not enough CPUs', InsufficientMemory: 'not enough memory',
  InsufficientDisk: 'not enough disk', InsufficientGpus: 'not enough GPUs', InsufficientPorts: 'not enough free ports',
};

/** Plain sentences first: what is wrong and why, from the queue, the health checks and the failures. */
function explain(d: DebugInfo, now: number): string[] {
  const lines: string[] = [];
  if (!d.leader) lines.push('This API replica is a standby: the launch queue and the last offers live on the leader. Reload to reach it.');
  const q = d.queue;
  if (q) {
    lines.push(`${q.count} ${q.count === 1 ? 'instance is' : 'instances are'} waiting to be placed (since ${formatAgo(q.since, now)}).`);
    if (q.delayedUntil) lines.push(`Launches are held back by the backoff until ${formatTime(q.delayedUntil)}: the last instances failed. The failures below say why.`);
    if (q.candidatesEvaluated === 0 && q.processedOffers === 0) lines.push('No offer has been evaluated for it yet.');
    else if (q.nodes.length > 0) {
      const why = new Map<string, number>();
      for (const n of q.nodes) for (const r of n.rejections) why.set(r.reason, (why.get(r.reason) ?? 0) + 1);
      lines.push(
        `The last offer round looked at ${q.candidatesEvaluated} ${q.candidatesEvaluated === 1 ? 'node' : 'nodes'}: ${q.feasible} could take an instance, ${q.nodes.length} refused — ` +
        [...why.entries()].map(([reason, n]) => `${n} for ${REASON_TEXT[reason] ?? reason}`).join(', ') + '.',
      );
      const detail = q.nodes.flatMap((n) => n.rejections.filter((r) => r.reason === 'UnfulfilledConstraint').map((r) => r.detail))[0];
      if (detail) lines.push(`For example: ${detail}.`);
    }
  }
  if (d.tasks.unhealthy.length) {
    const cause = d.tasks.unhealthy.find((t) => t.message)?.message;
    lines.push(`${d.tasks.unhealthy.length} ${d.tasks.unhealthy.length === 1 ? 'instance fails' : 'instances fail'} its health check${cause ? `: ${cause}` : ''}. Instances failing it repeatedly are killed and replaced.`);
  }
  if (d.deployment) {
    const step = d.deployment.steps[d.deployment.currentStep];
    lines.push(`Deployment ${d.deployment.id} is at step ${d.deployment.currentStep + 1} of ${d.deployment.steps.length}${step ? ` (${step.map((a) => a.action).join(', ')})` : ''}: it goes on once new instances are running and healthy.`);
  }
  if (d.failures[0]) lines.push(`The last failure: ${shortTaskId(d.failures[0].id)} ended ${formatTaskState(d.failures[0].state)} ${formatAgo(d.failures[0].updatedAt, now)}${d.failures[0].message ? `: ${d.failures[0].message}` : ''}.`);
  if (lines.length === 0 || (lines.length === 1 && !d.leader)) lines.push('Nothing is waiting: every instance wanted is placed, and none fails its health check.');
  return lines;
}

export function DebugTab({ id }: { id: string }) {
  const trpc = useTRPC();
  const now = useNow();
  const debug = useQuery(trpc.services.debug.queryOptions({ id }));
  const reset = useMutation(trpc.services.resetDelay.mutationOptions({ onSuccess: () => void debug.refetch() }));
  if (debug.isError) return <QueryError error={debug.error} onRetry={() => void debug.refetch()} />;
  const d = debug.data;
  if (!d) return <p className="muted" role="status">Loading what the scheduler knows…</p>;
  const q = d.queue;
  return (
    <div className="debug">
      <section aria-labelledby="debug-summary" className="card">
        <h2 id="debug-summary">Summary</h2>
        <ul className="explain" data-testid="debug-summary">{explain(d, now).map((line) => <li key={line}>{line}</li>)}</ul>
        {q?.delayedUntil && <button type="button" onClick={() => reset.mutate({ id })} disabled={reset.isPending}>Launch now (reset the backoff)</button>}
      </section>

      <section aria-labelledby="debug-queue" className="card">
        <h2 id="debug-queue">Launch queue</h2>
        {q ? (
          <dl className="facts-grid">
            <dt>Waiting</dt><dd>{q.count} {q.count === 1 ? 'instance' : 'instances'} since {formatTime(q.since)}</dd>
            <dt>Asks of each node</dt><dd>{formatCpus(d.app.cpus)}, {formatMiB(d.app.mem)} memory, {formatMiB(d.app.disk)} disk, {d.app.ports} {d.app.ports === 1 ? 'port' : 'ports'}, roles {d.app.roles.join(', ')}</dd>
            <dt>Constraints</dt><dd>{d.app.constraints.length ? d.app.constraints.map((c, i) => <code key={i} className="chip">{c.join(' ')}</code>) : 'none'}</dd>
            <dt>Offers</dt><dd>{q.processedOffers} evaluated, {q.unusedOffers} not used{q.lastUnusedOfferAt && <>, last refused {formatAgo(q.lastUnusedOfferAt, now)}</>}{q.lastUsedOfferAt && <>, last used {formatAgo(q.lastUsedOfferAt, now)}</>}</dd>
            <dt>Backoff</dt><dd>{q.delayedUntil ? `held until ${formatTime(q.delayedUntil)}` : 'none'}</dd>
          </dl>
        ) : <p>{d.leader ? 'Nothing of this service is waiting for an offer.' : 'Only the leader knows the queue.'}</p>}
      </section>

      {q && q.funnel.some((f) => f.declined > 0) && (
        <section aria-labelledby="debug-funnel" className="card">
          <h2 id="debug-funnel">Why the last offers did not fit</h2>
          <table aria-labelledby="debug-funnel">
            <thead><tr><th scope="col">Check (in order)</th><th scope="col" className="num">Nodes reaching it</th><th scope="col" className="num">Refused by it</th></tr></thead>
            <tbody>
              {q.funnel.map((f) => (
                <tr key={f.reason}><th scope="row">{REASON_TEXT[f.reason] ?? f.reason}</th><td className="num">{f.processed}</td><td className="num">{f.declined}</td></tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {q && q.nodes.length > 0 && (
        <section aria-labelledby="debug-nodes" className="card">
          <h2 id="debug-nodes">Each node’s answer in the last offer round</h2>
          <div className="table-scroll">
            <table aria-labelledby="debug-nodes" data-testid="debug-nodes" className="compact">
              <thead>
                <tr>
                  <th scope="col">Node</th>
                  {CHECKS.map(([k, label]) => <th key={k} scope="col">{label}</th>)}
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {q.nodes.map((n) => (
                  <tr key={n.agentId} data-testid={`refusal-${n.hostname}`}>
                    <th scope="row"><Link prefetch={false} href={nodeHref(n.agentId)}>{n.hostname}</Link></th>
                    {CHECKS.map(([k, label]) => (
                      <td key={k}>
                        {n.refused.includes(k)
                          ? <span className="badge tone-bad" aria-label={`${label}: refused`}>✕</span>
                          : <span className="muted" aria-label={`${label}: fits`}>✓</span>}
                      </td>
                    ))}
                    <td className="wrap">{n.rejections.map((r) => <div key={r.reason}>{r.detail}</div>)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      {d.tasks.unhealthy.length > 0 && (
        <section aria-labelledby="debug-health" className="card">
          <h2 id="debug-health">Failing health checks</h2>
          <ul>
            {d.tasks.unhealthy.map((t) => (
              <li key={t.id}><Link prefetch={false} href={taskHref(t.id)} className="mono">{shortTaskId(t.id)}</Link> on {t.hostname}: {t.message ?? 'the check fails'} (since {formatAgo(t.updatedAt, now)})</li>
            ))}
          </ul>
        </section>
      )}

      {d.deployment && (
        <section aria-labelledby="debug-deployment" className="card">
          <h2 id="debug-deployment">Deployment under way</h2>
          <DeploymentSteps d={d.deployment} />
        </section>
      )}

      <section aria-labelledby="debug-failures" className="card">
        <h2 id="debug-failures">Recent failures</h2>
        {d.failures.length ? (
          <ul>
            {d.failures.map((t) => (
              <li key={t.id}>
                <Link prefetch={false} href={taskHref(t.id)} className="mono">{shortTaskId(t.id)}</Link> ended {formatTaskState(t.state)} {formatAgo(t.updatedAt, now)} on {t.hostname ?? t.agentId}
                {t.exitCode !== null && <> with exit code {t.exitCode}</>}{t.message && <>: {t.message}</>}
              </li>
            ))}
          </ul>
        ) : <p className="muted">No instance of this service has failed.</p>}
      </section>
    </div>
  );
}
