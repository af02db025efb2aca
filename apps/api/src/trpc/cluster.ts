import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { consoleOf } from '../console/console.js';
import { NODE_SORTS } from '../console/console-repository.js';
import { nodeItem, taskItem } from './console-views.js';
import { readableApps, readsEveryApp } from './per-app.js';
import { procedure, router } from './trpc.js';

/**
 * Nodes for the console at scale (thousands of agents): paged, searched and sorted in
 * Postgres. Drain and reactivate are `nodes.drain` / `nodes.reactivate`.
 * Permission: `gantry:node` read; the tasks on a node are further limited to the
 * apps the principal may read.
 */
const readNodes = procedure({ resource: 'gantry:node', action: 'read' });

const ListInput = z.object({
  search: z.string().max(200).optional(),
  state: z.enum(['ACTIVE', 'UNREACHABLE', 'DRAINING']).optional(),
  sort: z.enum(NODE_SORTS).default('hostname'),
  dir: z.enum(['asc', 'desc']).default('asc'),
  offset: z.int().min(0).default(0),
  limit: z.int().min(1).max(500).default(100),
});
export type NodeListInput = z.input<typeof ListInput>;

export const clusterRouter = router({
  nodes: readNodes.input(ListInput).query(async ({ ctx, input }) => {
    const { repository } = consoleOf(ctx.agents);
    const [page, counts] = await Promise.all([
      repository.nodesPage({ search: input.search || undefined, state: input.state }, input.sort, input.dir, input.offset, input.limit),
      repository.nodeCounts(),
    ]);
    const sum = (pick: (c: (typeof counts)[number]) => boolean) => counts.filter(pick).reduce((s, c) => s + c.count, 0);
    return {
      total: page.total,
      rows: page.rows.map((r) => nodeItem(r, r.tasks)),
      counts: { all: sum(() => true), active: sum((c) => c.state === 'ACTIVE'), unreachable: sum((c) => c.state === 'UNREACHABLE'), draining: sum((c) => c.mode === 'DRAINING') },
    };
  }),

  /** One node, with what its agent last reported using (the leader holds the reports). */
  node: readNodes.input(z.object({ id: z.string().min(1).max(64) })).query(async ({ ctx, input }) => {
    const { repository } = consoleOf(ctx.agents);
    const node = await repository.node(input.id);
    if (!node) throw new TRPCError({ code: 'NOT_FOUND', message: `node ${input.id} does not exist` });
    const tasks = (await repository.liveTasksOnAgents([input.id])).get(input.id) ?? 0;
    const usage = ctx.commands.usage(input.id);
    return {
      node: nodeItem(node, tasks),
      usage: usage && {
        at: usage.timestamp,
        memMiB: usage.totals.rssBytes / 2 ** 20,
        diskMiB: (usage.totals.diskBytes + usage.totals.volumeBytes) / 2 ** 20,
        cpuSeconds: usage.totals.cpuSeconds,
      },
    };
  }),

  /** The node's tasks that the principal may read, paged. */
  nodeTasks: readNodes
    .input(z.object({ id: z.string().min(1).max(64), offset: z.int().min(0).default(0), limit: z.int().min(1).max(500).default(100) }))
    .query(async ({ ctx, input }) => {
      const { repository } = consoleOf(ctx.agents);
      const readable = readsEveryApp(ctx.principal) ? null : readableApps(ctx.principal, await repository.appIds());
      const page = await repository.tasksPage({ readable, agentId: input.id, state: 'live' }, 'app', 'asc', input.offset, input.limit);
      return { total: page.total, rows: page.rows.map(taskItem) };
    }),
});
