import { authorize, type PermissionRequest } from '@gantry/auth';
import { initTRPC, TRPCError } from '@trpc/server';
import type { AgentRepository } from '../agents/repository.js';
import type { EventBus } from '../events/bus.js';
import type { Authentication } from '../iam/authenticator.js';
import type { TaskRepository } from '../tasks/repository.js';
import type { AgentCommands } from '../tasks/agent-commands.js';
import type { EventFeed } from '../services/event-feed.js';
import type { LeaderInfo } from '../services/routes/v2-cluster.js';
import type { ServicesApi } from '../services/services-api.js';
import type { CatalogApi } from '../catalog/catalog-api.js';
import type { StatefulApi } from '../stateful/api.js';

/**
 * The inner context: everything a procedure needs, buildable in tests without HTTP
 * (`appRouter.createCaller(context)`).
 */
export interface Context {
  agents: AgentRepository;
  events: EventBus;
  auth: Authentication;
  /** Apps, groups, deployments and tasks, authorized per app (the same layer as /v2). */
  services: ServicesApi;
  /** Marathon events as this replica fans them out. */
  feed: EventFeed;
  /** The leader's launch queue and leadership facts. */
  leader: LeaderInfo;
  tasks: TaskRepository;
  /** Log reads and other commands to agents (leader only). */
  commands: AgentCommands;
  /** Stateful services and the package catalog, authorized per service and on gantry:package. */
  stateful: StatefulApi;
  catalog: CatalogApi;
}

const t = initTRPC.context<Context>().create();

export const router = t.router;

/**
 * Every procedure is built from this: it states the permission it needs, and the
 * middleware answers UNAUTHORIZED without a valid token and FORBIDDEN without a grant
 * (the same `authorize()` as REST).
 */
export function procedure(permission: PermissionRequest) {
  return t.procedure.use(({ ctx, next }) => {
    if (!ctx.auth.ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.auth.reason });
    const verdict = authorize(ctx.auth.principal.grants, permission);
    if (!verdict.allowed) throw new TRPCError({ code: 'FORBIDDEN', message: `forbidden: ${verdict.reason}` });
    return next({ ctx: { ...ctx, principal: ctx.auth.principal } });
  });
}
