import type { Health } from '@gantry/specs';
import type { AgentRepository } from '../agents/repository.js';
import { nodeRoutes } from '../agents/routes.js';
import type { Authenticator } from '../iam/authenticator.js';
import { authRoutes } from '../iam/routes.js';
import { sendJson } from './respond.js';
import type { Route } from './route.js';

export interface RouteDeps {
  agents: AgentRepository;
  auth: Authenticator;
  health: () => Promise<Health>;
}

/** The whole REST route table: each area contributes its own routes. */
export function restRoutes(deps: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/health', access: 'public',
      handle: async ({ res }) => {
        const health = await deps.health();
        sendJson(res, health.status === 'ok' ? 200 : 503, health);
      },
    },
    ...nodeRoutes(deps.agents),
    ...authRoutes(deps.auth),
  ];
}
