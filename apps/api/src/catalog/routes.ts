import { z } from 'zod';
import { invalid } from '@gantry/specs';
import { readJsonBody } from '../http/body.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Route, RouteContext } from '../http/route.js';
import { flag, query, serviceRoute } from '../services/routes/v2-common.js';
import type { CatalogApi } from './catalog-api.js';

/**
 * The catalog over REST (Cosmos' `/package/*` calls, as resources under `/v1`):
 *
 *   GET    /v1/package-repositories                       the repositories, built-in first
 *   POST   /v1/package-repositories        {name, uri, index?}   add (read and checked first)
 *   DELETE /v1/package-repositories/:name
 *   GET    /v1/packages[?q=]                              search
 *   GET    /v1/packages/:name[?version=&repository=]      describe
 *   POST   /v1/packages/:name/check        {version?, repository?, options}   the install form's validation
 *   POST   /v1/packages/:name/install      {version?, repository?, options}   install (201)
 *   GET    /v1/package-installs                           installed packages
 *   PUT    /v1/package-installs/<id>       {version?, options?, replace?, force?}   update
 *   DELETE /v1/package-installs/<id>[?destroyData=true]   uninstall (202)
 *
 * Every route needs a token; CatalogApi authorizes (`gantry:package`, and the service path).
 */
const Options = z.record(z.string(), z.unknown());
const InstallBody = z.strictObject({ version: z.string().min(1).max(100).optional(), repository: z.string().min(1).max(64).optional(), options: Options.optional() });
const UpdateBody = z.strictObject({ version: z.string().min(1).max(100).optional(), options: Options.optional(), replace: z.boolean().optional(), force: z.boolean().optional() });
const RepositoryBody = z.strictObject({ name: z.string().max(64), uri: z.string().min(1).max(2048), index: z.int().min(0).optional() });

// Options are small; a whole Marathon app definition is at most 1 MiB.
const BODY_LIMIT = 256 * 1024;

export function catalogRoutes(api: CatalogApi): Route[] {
  const parse = async <T>(ctx: RouteContext, schema: z.ZodType<T>): Promise<T | null> => {
    const parsed = schema.safeParse((await readJsonBody(ctx.req, BODY_LIMIT)) ?? {});
    if (parsed.success) return parsed.data;
    sendError(ctx.res, 422, invalid(parsed.error));
    return null;
  };
  const opt = (ctx: RouteContext, name: string) => query(ctx.req).get(name) ?? undefined;
  return [
    {
      method: 'GET', path: '/v1/package-repositories', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal }) => sendJson(res, 200, { repositories: await api.repositories(principal!) })),
    },
    {
      method: 'POST', path: '/v1/package-repositories', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const body = await parse(ctx, RepositoryBody);
        if (body) sendJson(ctx.res, 201, await api.addRepository(ctx.principal!, body));
      }),
    },
    {
      method: 'DELETE', path: '/v1/package-repositories/:name', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal, params }) => {
        await api.removeRepository(principal!, params.name!);
        res.writeHead(204).end();
      }),
    },
    {
      method: 'GET', path: '/v1/packages', access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 200, { packages: await api.search(ctx.principal!, opt(ctx, 'q') ?? '') })),
    },
    {
      method: 'GET', path: '/v1/packages/:name', access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 200, await api.describe(ctx.principal!, ctx.params.name!, opt(ctx, 'version'), opt(ctx, 'repository')))),
    },
    {
      method: 'POST', path: '/v1/packages/:name/check', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const body = await parse(ctx, InstallBody);
        if (body) sendJson(ctx.res, 200, await api.checkOptions(ctx.principal!, { ...body, name: ctx.params.name! }));
      }),
    },
    {
      method: 'POST', path: '/v1/packages/:name/install', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const body = await parse(ctx, InstallBody);
        if (!body) return;
        const result = await api.install(ctx.principal!, { ...body, name: ctx.params.name! });
        ctx.auditTarget = `gantry:service:${result.id}`;
        if (result.deploymentId) ctx.res.setHeader('marathon-deployment-id', result.deploymentId);
        sendJson(ctx.res, 201, result);
      }),
    },
    {
      method: 'GET', path: '/v1/package-installs', access: 'authenticated',
      handle: serviceRoute(async ({ res, principal }) => sendJson(res, 200, { installs: await api.installs(principal!) })),
    },
    {
      method: 'PUT', path: '/v1/package-installs/*id', access: 'authenticated',
      handle: serviceRoute(async (ctx) => {
        const body = await parse(ctx, UpdateBody);
        if (body) sendJson(ctx.res, 200, await api.update(ctx.principal!, ctx.params.id!, body));
      }),
    },
    {
      method: 'DELETE', path: '/v1/package-installs/*id', access: 'authenticated',
      handle: serviceRoute(async (ctx) => sendJson(ctx.res, 202, await api.uninstall(ctx.principal!, ctx.params.id!, { destroyData: flag(query(ctx.req), 'destroyData') }))),
    },
  ];
}
