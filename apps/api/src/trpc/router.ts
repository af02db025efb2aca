import { catalogRouter } from './catalog.js';
import { clusterRouter } from './cluster.js';
import { dashboardRouter } from './dashboard.js';
import { liveRouter } from './live.js';
import { nodesRouter } from './nodes.js';
import { servicesRouter } from './services.js';
import { tasksRouter } from './tasks.js';
import { router } from './trpc.js';

export const appRouter = router({
  nodes: nodesRouter,
  // The console (apps/web): its read model and changes, per-app authorized.
  cluster: clusterRouter,
  dashboard: dashboardRouter,
  live: liveRouter,
  services: servicesRouter,
  tasks: tasksRouter,
  catalog: catalogRouter,
});

export type AppRouter = typeof appRouter;
