import { REASON_FUNNEL } from '@gantry/scheduler-core';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { consoleOf } from '../console/console.js';
import { appRows, SERVICE_HEALTH, SERVICE_SORTS, SERVICE_STATUSES, servicePage, type QueueFacts, type ServiceRow } from '../console/service-index.js';
import type { TaskCountRow } from '../console/console-repository.js';
import type { QueueEntry } from '../services/scheduler/launch-queue.js';
import { rejectSummary } from '../services/scheduler/launch-queue.js';
import { deploymentItem, taskItem } from './console-views.js';
import { AppId, appProcedure, change, consoleRequester, perAppProcedure, readableApps } from './per-app.js';
import type { Context } from './trpc.js';
import { router } from './trpc.js';

/**
 * The console's Services section: the tree of groups and apps with their status, one
 * app's tasks, versions, deployments and Debug facts, and every change the console
 * makes, each through ServicesApi (validated with the shared schema, authorized per
 * app, answered with its deployment).
 *
 * Permissions: `gantry:service:<id>` — `read` for reads (lists hold only readable
 * apps), `create` / `update` / `delete` for changes as ServicesApi checks them.
 */

const Force = z.object({ force: z.boolean().default(false) });
const Group = z.string().max(512).regex(/^\/([^\s]*[^/\s])?$/, { message: 'a group is an absolute path such as /team-a' }).default('/');

const ListInput = z.object({
  group: Group,
  search: z.string().max(200).optional(),
  status: z.enum(SERVICE_STATUSES).optional(),
  health: z.enum(SERVICE_HEALTH).optional(),
  sort: z.enum(SERVICE_SORTS).default('name'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.int().min(0).default(0),
  limit: z.int().min(1).max(500).default(100),
});
export type ServiceListInput = z.input<typeof ListInput>;

/** The queue's facts about an app, as the services list uses them. */
export function queueFacts(entries: readonly QueueEntry[]): QueueFacts[] {
  return entries.map((e) => ({
    appId: e.appId, count: e.count, delayedUntil: e.delayedUntil,
    rejected: e.lastRejections !== null && e.lastUnusedOfferAt !== null && (e.lastUsedOfferAt === null || e.lastUnusedOfferAt >= e.lastUsedOfferAt),
  }));
}

/** Every app's row (or those of `ids`) and the live task counts they come from; the caller filters by what the principal may read. */
export async function serviceIndex(ctx: Pick<Context, 'agents' | 'leader'>, ids?: string[]): Promise<{ rows: ServiceRow[]; counts: TaskCountRow[] }> {
  const { repository, fresh } = consoleOf(ctx.agents);
  const { leader } = ctx;
  const load = async () => {
    const one = ids?.length === 1 ? ids[0] : undefined;
    const [apps, counts, deployments] = await Promise.all([
      repository.appSummaries(ids), repository.liveTaskCounts(one), repository.activeDeployments(),
    ]);
    return { rows: appRows(apps, counts, deployments, queueFacts(leader.queue()?.list() ?? []), Date.now()), counts };
  };
  // The whole index is shared until the next cluster event; one app's rows are cheap to read.
  return ids ? load() : fresh('service-index', 3000, load);
}

export async function serviceRows(ctx: Context, ids?: string[]): Promise<ServiceRow[]> {
  return (await serviceIndex(ctx, ids)).rows;
}

const NODE_REASONS: Record<string, string> = {
  AgentMaintenance: 'maintenance', UnfulfilledRole: 'role', UnfulfilledConstraint: 'constraint', NoCorrespondingReservationFound: 'reservation',
  InsufficientCpus: 'cpus', InsufficientMemory: 'mem', InsufficientDisk: 'disk', InsufficientGpus: 'gpus', InsufficientPorts: 'ports',
};

export const servicesRouter = router({
  /** One level of the tree (or a flat search), paged on the server. */
  list: perAppProcedure.input(ListInput).query(async ({ ctx, input }) => {
    const [rows, groups] = await Promise.all([serviceRows(ctx), consoleOf(ctx.agents).repository.groupIds()]);
    const readable = readableApps(ctx.principal, rows.map((r) => r.id));
    const allowed = readable ? new Set(readable) : null;
    const visible = allowed ? rows.filter((r) => allowed.has(r.id)) : rows;
    const visibleGroups = readableApps(ctx.principal, groups) ?? groups;
    return servicePage(visible, visibleGroups, { ...input, search: input.search || undefined });
  }),

  /** The app as it is now, its status row, and its last failure. */
  app: appProcedure('read').query(async ({ ctx, input }) => {
    const { repository } = consoleOf(ctx.agents);
    const [stored, rows, failures] = await Promise.all([
      repository.app(input.id), serviceRows(ctx, [input.id]), repository.recentFailures(1, null, input.id),
    ]);
    if (!stored) throw new TRPCError({ code: 'NOT_FOUND', message: `App '${input.id}' does not exist` });
    return {
      definition: stored.definition,
      version: stored.version.toISOString(),
      versionInfo: { lastConfigChangeAt: stored.lastConfigChangeAt.toISOString(), lastScalingAt: stored.lastScalingAt.toISOString() },
      createdAt: stored.createdAt.toISOString(),
      row: rows[0]!,
      lastTaskFailure: failures[0] ? taskItem(failures[0]) : null,
    };
  }),

  /** The app's tasks, paged (live ones unless asked for ended ones too). */
  tasks: appProcedure('read')
    .input(z.object({ state: z.enum(['live', 'all', 'failed']).default('live'), offset: z.int().min(0).default(0), limit: z.int().min(1).max(500).default(100) }))
    .query(async ({ ctx, input }) => {
      const page = await consoleOf(ctx.agents).repository.tasksPage({ readable: null, appId: input.id, state: input.state }, 'started', 'asc', input.offset, input.limit);
      return { total: page.total, rows: page.rows.map(taskItem) };
    }),

  /** Version ids, newest first (Marathon's order). */
  versions: appProcedure('read').query(async ({ ctx, input }) => ({ versions: await ctx.services.versions(ctx.principal, input.id) })),

  version: appProcedure('read').input(z.object({ version: z.string().min(1).max(64) })).query(async ({ ctx, input }) => {
    const { version, ...definition } = await ctx.services.version(ctx.principal, input.id, input.version);
    return { version, definition: definition as Record<string, unknown> };
  }),

  /** Active and recent deployments touching the app, with their steps. */
  deployments: appProcedure('read').query(async ({ ctx, input }) => {
    const recent = await consoleOf(ctx.agents).repository.recentDeployments(20, input.id);
    return { deployments: recent.map(deploymentItem) };
  }),

  /**
   * "Why isn't my app deploying": the launch queue's entry (instances waiting, the
   * backoff, offer counts) and, for every node the last offer round turned away, each
   * reason with its detail ("zone=b does not match LIKE a|c"), beside the app's
   * failing health checks and last failure.
   */
  debug: appProcedure('read').query(async ({ ctx, input }) => {
    const { repository } = consoleOf(ctx.agents);
    const queue = ctx.leader.queue();
    const entry = queue?.get(input.id) ?? null;
    const [stored, tasks, failures, active] = await Promise.all([
      repository.app(input.id),
      repository.tasksPage({ readable: null, appId: input.id, state: 'live' }, 'started', 'asc', 0, 200),
      repository.recentFailures(5, null, input.id),
      repository.activeDeployments(),
    ]);
    if (!stored) throw new TRPCError({ code: 'NOT_FOUND', message: `App '${input.id}' does not exist` });
    const now = Date.now();
    const summary = entry?.lastRejections ?? null;
    const nodes = (summary?.candidates ?? []).map((c) => ({
      agentId: c.agentId, hostname: c.hostname, reason: c.reason,
      refused: [...new Set(c.rejections.map((r) => NODE_REASONS[r.reason] ?? r.reason))],
      rejections: c.rejections.map((r) => ({ reason: r.reason, detail: r.detail })),
    }));
    const definition = stored.definition as { instances?: number; constraints?: string[][]; cpus?: number; mem?: number; disk?: number; portDefinitions?: unknown[]; healthChecks?: unknown[]; acceptedResourceRoles?: string[]; role?: string };
    const deployment = active.find((d) => d.affectedApps.includes(input.id));
    return {
      /** Whether this replica holds the launch queue (only the leader does). */
      leader: queue !== null,
      app: {
        instances: definition.instances ?? 0, cpus: definition.cpus ?? 0, mem: definition.mem ?? 0, disk: definition.disk ?? 0,
        ports: definition.portDefinitions?.length ?? 0, constraints: definition.constraints ?? [], healthChecks: definition.healthChecks ?? [],
        roles: definition.acceptedResourceRoles ?? ['*'],
      },
      queue: entry && {
        count: entry.count,
        since: new Date(entry.since).toISOString(),
        delayedUntil: entry.delayedUntil && entry.delayedUntil > now ? new Date(entry.delayedUntil).toISOString() : null,
        processedOffers: entry.processedOffersCount,
        unusedOffers: entry.unusedOffersCount,
        lastUsedOfferAt: entry.lastUsedOfferAt ? new Date(entry.lastUsedOfferAt).toISOString() : null,
        lastUnusedOfferAt: entry.lastUnusedOfferAt ? new Date(entry.lastUnusedOfferAt).toISOString() : null,
        candidatesEvaluated: summary?.candidatesEvaluated ?? 0,
        feasible: summary?.feasible ?? 0,
        funnel: rejectSummary(summary),
        byReason: REASON_FUNNEL.map((reason) => ({ reason, nodes: summary?.byReason[reason] ?? 0 })),
        nodes,
      },
      tasks: { total: tasks.total, unhealthy: tasks.rows.filter((t) => t.healthy === false).map(taskItem), waiting: tasks.rows.filter((t) => t.state !== 'TASK_RUNNING').map(taskItem) },
      failures: failures.map(taskItem),
      deployment: deployment ? deploymentItem(deployment) : null,
    };
  }),

  // ── changes: each answers with the deployment it started, or Marathon's refusal as a value ──

  create: perAppProcedure.input(z.object({ definition: z.unknown(), force: z.boolean().default(false) })).mutation(({ ctx, input }) =>
    change(async () => {
      const { app, deployed } = await ctx.services.createApp(ctx.principal, input.definition, { force: input.force, requester: consoleRequester('services.create') });
      return { id: app.id, ...deployed };
    })),

  /** Replaces the whole definition (the form and the JSON editor send all of it). */
  update: perAppProcedure.input(z.object({ id: AppId, definition: z.unknown() }).merge(Force)).mutation(({ ctx, input }) =>
    change(async () => (await ctx.services.putApp(ctx.principal, input.id, input.definition, { partial: false, force: input.force, requester: consoleRequester('services.update') })).deployed)),

  scale: perAppProcedure.input(z.object({ id: AppId, instances: z.int().min(0).max(100_000) }).merge(Force)).mutation(({ ctx, input }) =>
    change(() => ctx.services.scaleApp(ctx.principal, input.id, input.instances, { force: input.force, requester: consoleRequester('services.scale') }))),

  restart: perAppProcedure.input(z.object({ id: AppId }).merge(Force)).mutation(({ ctx, input }) =>
    change(() => ctx.services.restartApp(ctx.principal, input.id, { force: input.force, requester: consoleRequester('services.restart') }))),

  /** DC/OS' suspend: scale to 0, keeping the definition. */
  suspend: perAppProcedure.input(z.object({ id: AppId }).merge(Force)).mutation(({ ctx, input }) =>
    change(() => ctx.services.scaleApp(ctx.principal, input.id, 0, { force: input.force, requester: consoleRequester('services.suspend') }))),

  /** Back to `instances`, or to the count of its newest version that ran any. */
  resume: perAppProcedure.input(z.object({ id: AppId, instances: z.int().min(1).max(100_000).optional() }).merge(Force)).mutation(async ({ ctx, input }) => {
    let instances = input.instances;
    if (instances === undefined) {
      for (const version of (await ctx.services.versions(ctx.principal, input.id)).slice(0, 50)) {
        const found = await ctx.services.version(ctx.principal, input.id, version);
        if (found.instances > 0) {
          instances = found.instances;
          break;
        }
      }
    }
    const target = instances ?? 1;
    return change(async () => ({ ...(await ctx.services.scaleApp(ctx.principal, input.id, target, { force: input.force, requester: consoleRequester('services.resume') })), instances: target }));
  }),

  /** Marathon's rollback: PUT with only `{version}`. */
  rollback: perAppProcedure.input(z.object({ id: AppId, version: z.string().min(1).max(64) }).merge(Force)).mutation(({ ctx, input }) =>
    change(async () => (await ctx.services.putApp(ctx.principal, input.id, { version: input.version }, { force: input.force, requester: consoleRequester('services.rollback') })).deployed)),

  delete: perAppProcedure.input(z.object({ id: AppId }).merge(Force)).mutation(({ ctx, input }) =>
    change(() => ctx.services.deleteApp(ctx.principal, input.id, { force: input.force, requester: consoleRequester('services.delete') }))),

  /** Kills tasks of the app: replaced by the scheduler, or with `scale` the app shrinks by as many. */
  killTasks: perAppProcedure.input(z.object({ id: AppId, taskIds: z.array(z.string().min(1).max(200)).min(1).max(1000), scale: z.boolean().default(false) }).merge(Force))
    .mutation(({ ctx, input }) => change(async () => {
      const { killed, deployed } = await ctx.services.killTasks(ctx.principal, input.taskIds, { appId: input.id, scale: input.scale, force: input.force, requester: consoleRequester('services.killTasks') });
      return { killed: killed.map((t) => t.id), deploymentId: deployed?.deploymentId ?? null };
    })),

  /** Marathon's `DELETE /v2/deployments/{id}`: rolls the deployment back (or, with force, abandons it). */
  cancelDeployment: perAppProcedure.input(z.object({ deploymentId: z.string().min(1).max(64) }).merge(Force)).mutation(({ ctx, input }) =>
    change(async () => {
      const rollback = await ctx.services.cancelDeployment(ctx.principal, input.deploymentId, { force: input.force });
      return { deploymentId: rollback?.deploymentId ?? null };
    })),

  /** Launch now instead of waiting out the backoff (leader only). */
  resetDelay: appProcedure('update').mutation(({ ctx, input }) => {
    if (!ctx.leader.isLeader()) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'the launch queue is on the leader; this replica is a standby' });
    return { reset: ctx.leader.resetDelay(input.id) };
  }),
});
