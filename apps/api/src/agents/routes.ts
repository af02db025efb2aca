import { NodeMode } from '@gantry/specs';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { AgentRepository } from './repository.js';

const updateNodes = { resource: 'gantry:node', action: 'update' } as const;

export function nodeRoutes(agents: AgentRepository): Route[] {
  const setMode = (mode: NodeMode): Route['handle'] => async ({ res, params }) => {
    if (!(await agents.setMode(params.nodeId!, mode))) return sendError(res, 404, { message: `node ${params.nodeId} does not exist` });
    sendJson(res, 200, { id: params.nodeId, mode });
  };
  return [
    {
      method: 'GET', path: '/v1/nodes', access: { resource: 'gantry:node', action: 'read' },
      handle: async ({ res }) => sendJson(res, 200, { nodes: await agents.list() }),
    },
    // DC/OS `dcos node drain` / `reactivate`: no new tasks, and its tasks move elsewhere.
    { method: 'POST', path: '/v1/nodes/:nodeId/drain', access: updateNodes, handle: setMode('DRAINING') },
    { method: 'POST', path: '/v1/nodes/:nodeId/reactivate', access: updateNodes, handle: setMode('UP') },
  ];
}
