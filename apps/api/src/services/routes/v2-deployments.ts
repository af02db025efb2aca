import { sendJson } from '../../http/respond.js';
import type { Route } from '../../http/route.js';
import type { ServicesApi } from '../services-api.js';
import { flag, query, sendDeployed, serviceRoute } from './v2-common.js';

/** Marathon's `/v2/deployments`: what is moving, and the way to stop it (roll back, or with `force` just stop). */
export function deploymentRoutes(api: ServicesApi): Route[] {
  return [
    {
      method: 'GET', path: '/v2/deployments', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal }) => sendJson(res, 200, await api.listDeployments(principal!))),
    },
    {
      method: 'DELETE', path: '/v2/deployments/:id', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const deployed = await api.cancelDeployment(ctx.principal!, ctx.params.id!, { force: flag(query(ctx.req), 'force') });
        // Marathon: 202 with no body when forced; otherwise the rollback deployment.
        if (!deployed) return void ctx.res.writeHead(202).end();
        sendDeployed(ctx.res, 200, deployed);
      }),
    },
  ];
}
