import { initTRPC } from '@trpc/server';
import type { AgentRepository } from '../agents/repository.js';
import type { EventBus } from '../events/bus.js';

/**
 * The inner context: everything a procedure needs, buildable in tests without HTTP
 * (`appRouter.createCaller(context)`).
 */
export interface Context {
  agents: AgentRepository;
  events: EventBus;
}

const t = initTRPC.context<Context>().create();

export const router = t.router;
export const publicProcedure = t.procedure;
