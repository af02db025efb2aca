import { NodeList } from '@gantry/specs';
import { publicProcedure, router } from './trpc.js';

export const nodesRouter = router({
  list: publicProcedure.output(NodeList).query(async ({ ctx }) => ({ nodes: await ctx.agents.list() })),

  /**
   * Node state changes as they happen (SSE). `resync` means events may have been
   * missed: refetch the list.
   */
  changes: publicProcedure.subscription(async function* ({ ctx, signal }) {
    for await (const event of ctx.events.subscribe(signal)) {
      if (event.type === 'node' || event.type === 'resync') yield event;
    }
  }),
});
