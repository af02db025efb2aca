import { NodeList } from '@gantry/specs';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { procedure, router } from './trpc.js';

const readNodes = procedure({ resource: 'gantry:node', action: 'read' });
const updateNodes = procedure({ resource: 'gantry:node', action: 'update' });
const NodeId = z.object({ id: z.string().min(1).max(64) });

export const nodesRouter = router({
  list: readNodes.output(NodeList).query(async ({ ctx }) => ({ nodes: await ctx.agents.list() })),

  /** No new tasks on the node; its tasks are killed and replaced elsewhere (DC/OS node drain). */
  drain: updateNodes.input(NodeId).mutation(async ({ ctx, input }) => {
    if (!(await ctx.agents.setMode(input.id, 'DRAINING'))) throw new TRPCError({ code: 'NOT_FOUND', message: `node ${input.id} does not exist` });
    return { id: input.id, mode: 'DRAINING' as const };
  }),

  reactivate: updateNodes.input(NodeId).mutation(async ({ ctx, input }) => {
    if (!(await ctx.agents.setMode(input.id, 'UP'))) throw new TRPCError({ code: 'NOT_FOUND', message: `node ${input.id} does not exist` });
    return { id: input.id, mode: 'UP' as const };
  }),

  /**
   * Node state changes as they happen (SSE). `resync` means events may have been
   * missed: refetch the list.
   */
  changes: readNodes.subscription(async function* ({ ctx, signal }) {
    for await (const event of ctx.events.subscribe(signal)) {
      if (event.type === 'node' || event.type === 'resync') yield event;
    }
  }),
});
