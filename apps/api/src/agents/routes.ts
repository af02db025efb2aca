import { sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { AgentRepository } from './repository.js';

export function nodeRoutes(agents: AgentRepository): Route[] {
  return [
    {
      method: 'GET', path: '/v1/nodes', access: { resource: 'gantry:node', action: 'read' },
      handle: async ({ res }) => sendJson(res, 200, { nodes: await agents.list() }),
    },
  ];
}
