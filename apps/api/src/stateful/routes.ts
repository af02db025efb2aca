import { readJsonBody } from '../http/body.js';
import { sendJson } from '../http/respond.js';
import type { Route, RouteContext } from '../http/route.js';
import { flag, query, serviceRoute } from '../services/routes/v2-common.js';
import { ServiceProblem } from '../services/services-api.js';
import type { StatefulApi } from './api.js';

// A stateful service definition is small; the SDK's largest svc.yml files are a few KiB.
const BODY_LIMIT = 256 * 1024;

/**
 * `/v1/stateful/services`: stateful services for tools other than the console (which
 * uses tRPC `catalog.stateful.*`), the SDK's per-service API gathered under one prefix:
 *
 *   GET    /v1/stateful/services                       every service the caller may read
 *   POST   /v1/stateful/services                       create (201)
 *   GET    /v1/stateful/services/<id>                  one, with plans and pods
 *   PUT    /v1/stateful/services/<id>                  a new configuration (whole definition)
 *   DELETE /v1/stateful/services/<id>[?destroyData=true]   uninstall (202)
 *   GET    /v1/stateful/services/<id>/plans[/<plan>]   SDK GET /v1/plans[/<plan>]
 *   POST   /v1/stateful/services/<id>/plans/<plan>/pause[?phase=]     SDK interrupt
 *   POST   /v1/stateful/services/<id>/plans/<plan>/resume[?phase=]    SDK continue
 *   POST   /v1/stateful/services/<id>/plans/<plan>/restart[?phase=&step=]
 *   POST   /v1/stateful/services/<id>/plans/<plan>/force-complete?phase=&step=
 *   GET    /v1/stateful/services/<id>/pods             SDK GET /v1/pod/status
 *   POST   /v1/stateful/services/<id>/pods/<pod>/restart   in place, data kept
 *   POST   /v1/stateful/services/<id>/pods/<pod>/replace   data on that node destroyed (the answer warns)
 *
 * Ids have slashes (`/data/postgresql`); routes with a fixed suffix come first, and a
 * service may not have a `plans` or `pods` segment in its name. Every route needs a
 * token; StatefulApi authorizes per service (`gantry:service:<id>`).
 */
export function statefulRoutes(api: StatefulApi): Route[] {
  const body = (ctx: RouteContext) => readJsonBody(ctx.req, BODY_LIMIT);
  const param = (ctx: RouteContext, name: string) => query(ctx.req).get(name) ?? undefined;
  const base = '/v1/stateful/services';
  const plans = (ctx: RouteContext) => ({ plan: ctx.params.plan!, ...(param(ctx, 'phase') !== undefined ? { phase: param(ctx, 'phase') } : {}) });
  const needs = (ctx: RouteContext, ...names: string[]) => {
    const missing = names.filter((n) => param(ctx, n) === undefined);
    if (missing.length) throw new ServiceProblem(422, { message: 'Object is not valid', details: missing.map((n) => ({ path: `/${n}`, errors: [`give ?${n}=`] })) });
  };
  return [
    {
      method: 'GET', path: base, access: 'authenticated',
      handle: serviceRoute(async ({ res, principal }) => sendJson(res, 200, { services: await api.list(principal!) })),
    },
    {
      method: 'POST', path: base, access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const service = await api.create(ctx.principal!, await body(ctx));
        ctx.auditTarget = `gantry:service:${service.id}`;
        ctx.res.setHeader('location', `${base}${service.id}`);
        sendJson(ctx.res, 201, service);
      }),
    },
    {
      method: 'GET', path: `${base}/*id/plans`, access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, { plans: (await api.get(principal!, params.id!)).plans })),
    },
    {
      method: 'GET', path: `${base}/*id/plans/:plan`, access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => {
        const plan = (await api.get(principal!, params.id!)).plans.find((p) => p.name === params.plan);
        if (!plan) return sendJson(res, 404, { message: `no plan named "${params.plan}"` });
        sendJson(res, 200, plan);
      }),
    },
    {
      method: 'POST', path: `${base}/*id/plans/:plan/pause`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 200, await api.pausePlan(ctx.principal!, ctx.params.id!, plans(ctx)))),
    },
    {
      method: 'POST', path: `${base}/*id/plans/:plan/resume`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 200, await api.resumePlan(ctx.principal!, ctx.params.id!, plans(ctx)))),
    },
    {
      method: 'POST', path: `${base}/*id/plans/:plan/restart`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        if (param(ctx, 'step') !== undefined) needs(ctx, 'phase');
        const step = param(ctx, 'step');
        sendJson(ctx.res, 200, await api.restartStep(ctx.principal!, ctx.params.id!, { ...plans(ctx), ...(step !== undefined ? { step } : {}) }));
      }),
    },
    {
      method: 'POST', path: `${base}/*id/plans/:plan/force-complete`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        needs(ctx, 'phase', 'step');
        sendJson(ctx.res, 200, await api.forceCompleteStep(ctx.principal!, ctx.params.id!, { plan: ctx.params.plan!, phase: param(ctx, 'phase')!, step: param(ctx, 'step')! }));
      }),
    },
    {
      method: 'GET', path: `${base}/*id/pods`, access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, { pods: (await api.get(principal!, params.id!)).pods })),
    },
    {
      method: 'POST', path: `${base}/*id/pods/:pod/restart`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 200, await api.restartPod(ctx.principal!, ctx.params.id!, ctx.params.pod!))),
    },
    {
      method: 'POST', path: `${base}/*id/pods/:pod/replace`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 200, await api.replacePod(ctx.principal!, ctx.params.id!, ctx.params.pod!))),
    },
    {
      method: 'GET', path: `${base}/*id`, access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => sendJson(res, 200, await api.get(principal!, params.id!))),
    },
    {
      method: 'PUT', path: `${base}/*id`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const { service, changed } = await api.update(ctx.principal!, ctx.params.id!, await body(ctx));
        sendJson(ctx.res, 200, { ...service, changed });
      }),
    },
    {
      method: 'DELETE', path: `${base}/*id`, access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 202, await api.uninstall(ctx.principal!, ctx.params.id!, flag(query(ctx.req), 'destroyData')))),
    },
  ];
}
