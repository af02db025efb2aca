import { nodesRouter } from './nodes.js';
import { router } from './trpc.js';

export const appRouter = router({
  nodes: nodesRouter,
});

export type AppRouter = typeof appRouter;
