import { readJsonBody } from '../../http/body.js';
import { sendJson } from '../../http/respond.js';
import type { Route, RouteContext } from '../../http/route.js';
import type { ServicesApi } from '../services-api.js';
import { changeOptions, flag, query, sendDeployed, serviceRoute } from './v2-common.js';

// Marathon accepts app definitions up to 1 MiB (its `http_max_request_size`... default 1 MiB).
const APP_BODY_LIMIT = 1024 * 1024;

/**
 * Marathon's `/v2/apps` and `/v2/tasks`: the same paths, query flags, status codes and
 * JSON. Routes with a fixed suffix come before `/v2/apps/*id`, which would take the
 * suffix as part of the id.
 */
export function appRoutes(api: ServicesApi): Route[] {
  const body = (ctx: RouteContext) => readJsonBody(ctx.req, APP_BODY_LIMIT);
  return [
    {
      method: 'GET', path: '/v2/apps', access: 'authenticated',
      handle: serviceRoute(async ({ req, res, principal }) => {
        const q = query(req);
        const embed = q.getAll('embed');
        sendJson(res, 200, {
          apps: await api.listApps(principal!, {
            id: q.get('id') ?? undefined, cmd: q.get('cmd') ?? undefined, label: q.get('label') ?? undefined,
            embedTasks: embed.includes('apps.tasks') || embed.includes('tasks'),
          }),
        });
      }),
    },
    {
      method: 'POST', path: '/v2/apps', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const json = await body(ctx);
        const id = (json as { id?: unknown } | null)?.id;
        if (typeof id === 'string') ctx.auditTarget = `gantry:service:${id.startsWith('/') ? id : `/${id}`}`;
        const { app, deployed } = await api.createApp(ctx.principal!, json, changeOptions(ctx));
        ctx.res.setHeader('location', `/v2/apps${app.id}`);
        ctx.res.setHeader('marathon-deployment-id', deployed.deploymentId);
        sendJson(ctx.res, 201, { ...app, deployments: [{ id: deployed.deploymentId }] });
      }),
    },
    ...(['PUT', 'PATCH'] as const).map((method): Route => ({
      method, path: '/v2/apps', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const partial = method === 'PATCH' || query(ctx.req).get('partialUpdate') !== 'false';
        sendDeployed(ctx.res, 200, await api.putApps(ctx.principal!, await body(ctx), { ...changeOptions(ctx), partial }));
      }),
    })),
    {
      method: 'POST', path: '/v2/apps/*id/restart', access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendDeployed(ctx.res, 200, await api.restartApp(ctx.principal!, ctx.params.id!, changeOptions(ctx)))),
    },
    {
      method: 'GET', path: '/v2/apps/*id/tasks', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, { tasks: await api.appTasks(principal!, params.id!) })),
    },
    {
      method: 'DELETE', path: '/v2/apps/*id/tasks', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const q = query(ctx.req);
        const ids = await api.appTaskIds(ctx.principal!, ctx.params.id!, q.get('host') ?? undefined);
        const result = await api.killTasks(ctx.principal!, ids, { ...changeOptions(ctx), appId: ctx.params.id!, scale: flag(q, 'scale') });
        if (result.deployed) return sendDeployed(ctx.res, 200, result.deployed);
        sendJson(ctx.res, 200, { tasks: result.killed });
      }),
    },
    {
      method: 'DELETE', path: '/v2/apps/*id/tasks/:taskId', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const q = query(ctx.req);
        const result = await api.killTasks(ctx.principal!, [ctx.params.taskId!], { ...changeOptions(ctx), appId: ctx.params.id!, scale: flag(q, 'scale') });
        if (result.killed.length === 0) return sendJson(ctx.res, 404, { message: `Task '${ctx.params.taskId}' does not exist` });
        if (result.deployed) return sendDeployed(ctx.res, 200, result.deployed);
        sendJson(ctx.res, 200, { task: result.killed[0] });
      }),
    },
    {
      method: 'GET', path: '/v2/apps/*id/versions', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, { versions: await api.versions(principal!, params.id!) })),
    },
    {
      method: 'GET', path: '/v2/apps/*id/versions/:version', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, await api.version(principal!, params.id!, params.version!))),
    },
    {
      method: 'GET', path: '/v2/apps/*id', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, { app: await api.getApp(principal!, params.id!) })),
    },
    ...(['PUT', 'PATCH'] as const).map((method): Route => ({
      method, path: '/v2/apps/*id', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        // Marathon ≥ 1.6: PUT is a partial update unless `partialUpdate=false`; PATCH always is.
        const partial = method === 'PATCH' || query(ctx.req).get('partialUpdate') !== 'false';
        const { deployed, created } = await api.putApp(ctx.principal!, ctx.params.id!, await body(ctx), { ...changeOptions(ctx), partial });
        if (created) ctx.res.setHeader('location', `/v2/apps${ctx.params.id}`);
        sendDeployed(ctx.res, created ? 201 : 200, deployed);
      }),
    })),
    {
      method: 'DELETE', path: '/v2/apps/*id', access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendDeployed(ctx.res, 200, await api.deleteApp(ctx.principal!, ctx.params.id!, changeOptions(ctx)))),
    },
    {
      method: 'GET', path: '/v2/tasks', access: 'authenticated',
      handle: serviceRoute(async ({ req, res, principal }) => {
        // Marathon: `?status=running|staging|…`, repeatable.
        const statuses = query(req).getAll('status').map((s) => `TASK_${s.toUpperCase()}`);
        sendJson(res, 200, { tasks: await api.listTasks(principal!, statuses.length ? new Set(statuses) : undefined) });
      }),
    },
    {
      method: 'POST', path: '/v2/tasks/delete', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const json = (await body(ctx)) as { ids?: unknown };
        if (!Array.isArray(json?.ids) || json.ids.some((id) => typeof id !== 'string')) {
          return sendJson(ctx.res, 422, { message: 'Object is not valid', details: [{ path: '/ids', errors: ['send {"ids": ["<task id>", …]}'] }] });
        }
        const result = await api.killTasks(ctx.principal!, json.ids as string[], { ...changeOptions(ctx), scale: flag(query(ctx.req), 'scale') });
        if (result.deployed) return sendDeployed(ctx.res, 200, result.deployed);
        sendJson(ctx.res, 200, { tasks: result.killed });
      }),
    },
  ];
}
