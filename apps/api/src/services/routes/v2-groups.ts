import { readJsonBody } from '../../http/body.js';
import { sendJson } from '../../http/respond.js';
import type { Route, RouteContext } from '../../http/route.js';
import type { ServicesApi } from '../services-api.js';
import { changeOptions, sendDeployed, serviceRoute } from './v2-common.js';

const GROUP_BODY_LIMIT = 4 * 1024 * 1024;

/** Marathon's `/v2/groups`: the tree of groups and apps, created, replaced, scaled or removed whole. */
export function groupRoutes(api: ServicesApi): Route[] {
  const body = (ctx: RouteContext) => readJsonBody(ctx.req, GROUP_BODY_LIMIT);
  const put = (id: (ctx: RouteContext) => string) => serviceRoute(async (ctx) => {
    const json = (await body(ctx)) as Record<string, unknown> | null;
    const groupId = id(ctx);
    if (json && typeof json === 'object' && 'scaleBy' in json) {
      return sendDeployed(ctx.res, 200, await api.scaleGroup(ctx.principal!, groupId, Number(json.scaleBy), changeOptions(ctx)));
    }
    sendDeployed(ctx.res, 200, await api.createGroup(ctx.principal!, { id: groupId, ...(json ?? {}) }, '/', { ...changeOptions(ctx), replace: true }));
  });
  return [
    {
      method: 'GET', path: '/v2/groups', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal }) => sendJson(res, 200, await api.group(principal!, '/'))),
    },
    {
      method: 'POST', path: '/v2/groups', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const deployed = await api.createGroup(ctx.principal!, await body(ctx), '/', changeOptions(ctx));
        sendDeployed(ctx.res, 201, deployed);
      }),
    },
    { method: 'PUT', path: '/v2/groups', access: 'authenticated', handle: put(() => '/') },
    {
      method: 'GET', path: '/v2/groups/*id', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, await api.group(principal!, params.id!))),
    },
    {
      method: 'POST', path: '/v2/groups/*id', access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendDeployed(ctx.res, 201, await api.createGroup(ctx.principal!, await body(ctx), ctx.params.id!, changeOptions(ctx)))),
    },
    { method: 'PUT', path: '/v2/groups/*id', access: 'authenticated', handle: put((ctx) => ctx.params.id!) },
    {
      method: 'DELETE', path: '/v2/groups/*id', access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendDeployed(ctx.res, 200, await api.deleteGroup(ctx.principal!, ctx.params.id!, changeOptions(ctx)))),
    },
  ];
}
