import { NodeList } from '@gantry/specs';
import { procedure, router } from './trpc.js';

const readNodes = procedure({ resource: 'gantry:node', action: 'read' });

export const nodesRouter = router({
  list: readNodes.output(NodeList).query(async ({ ctx }) => ({ nodes: await ctx.agents.list() })),

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
