import { TaskState } from '@gantry/specs';
import { consoleOf } from '../console/console.js';
import { SERVICE_HEALTH, SERVICE_STATUSES, type ServiceHealth, type ServiceStatus } from '../console/service-index.js';
import { deploymentItem, taskItem } from './console-views.js';
import { mayReadApp, mayReadNodes, perAppProcedure, readableApps } from './per-app.js';
import { serviceIndex } from './services.js';
import { procedure, router } from './trpc.js';

/**
 * The Dashboard: the cluster at a glance. Service and task figures count only the
 * apps the principal may read (`gantry:service:<id>` read); node figures and capacity
 * need `gantry:node` read (a tenant without it gets null there, not an error).
 */

const ENDED_WINDOW_MS = 60 * 60 * 1000;
const RECENT = 8;

export const dashboardRouter = router({
  summary: perAppProcedure.query(async ({ ctx }) => {
    const { repository } = consoleOf(ctx.agents);
    const since = new Date(Date.now() - ENDED_WINDOW_MS);
    const [{ rows, counts }, ended, deployments, failures, nodeCounts] = await Promise.all([
      serviceIndex(ctx),
      repository.endedTaskCounts(since),
      repository.recentDeployments(50),
      repository.recentFailures(50, null),
      mayReadNodes(ctx.principal) ? repository.nodeCounts() : Promise.resolve(null),
    ]);
    const readable = readableApps(ctx.principal, rows.map((r) => r.id));
    const allowed = readable ? new Set(readable) : null;
    const visible = allowed ? rows.filter((r) => allowed.has(r.id)) : rows;

    const live = Object.fromEntries(TaskState.options.map((s) => [s, 0])) as Record<TaskState, number>;
    for (const c of counts) if (!allowed || allowed.has(c.appId)) live[c.state] += c.count;
    const endedByState = Object.fromEntries(TaskState.options.map((s) => [s, 0])) as Record<TaskState, number>;
    for (const c of ended) if (!allowed || allowed.has(c.appId)) endedByState[c.state] += c.count;

    const byStatus = Object.fromEntries(SERVICE_STATUSES.map((s) => [s, 0])) as Record<ServiceStatus, number>;
    const byHealth = Object.fromEntries(SERVICE_HEALTH.map((h) => [h, 0])) as Record<ServiceHealth, number>;
    for (const r of visible) {
      byStatus[r.status]++;
      byHealth[r.health]++;
    }
    const sum = (pick: (c: NonNullable<typeof nodeCounts>[number]) => boolean) => (nodeCounts ?? []).filter(pick).reduce((s, c) => s + c.count, 0);
    return {
      services: { total: visible.length, byStatus, byHealth, instances: visible.reduce((s, r) => s + r.instances, 0) },
      tasks: {
        live,
        healthy: visible.reduce((s, r) => s + r.healthy, 0),
        unhealthy: visible.reduce((s, r) => s + r.unhealthy, 0),
        ended: { windowMinutes: ENDED_WINDOW_MS / 60_000, byState: endedByState },
      },
      nodes: nodeCounts && {
        total: sum(() => true), active: sum((c) => c.state === 'ACTIVE' && c.mode === 'UP'), draining: sum((c) => c.mode === 'DRAINING'),
        unreachable: sum((c) => c.state === 'UNREACHABLE'),
      },
      // A deployment is shown only if the principal may read every app it touches (no other team's names).
      deployments: deployments.filter((d) => d.affectedApps.every((a) => mayReadApp(ctx.principal, a))).slice(0, RECENT).map(deploymentItem),
      failures: failures.filter((f) => f.appId && mayReadApp(ctx.principal, f.appId)).slice(0, RECENT).map(taskItem),
    };
  }),

  /** Capacity, allocation and use for cpus, mem and disk: now and over the last hour. */
  capacity: procedure({ resource: 'gantry:node', action: 'read' }).query(({ ctx }) => {
    const { metrics } = consoleOf(ctx.agents);
    return { intervalMs: metrics.intervalMs, samples: metrics.samples() };
  }),
});
