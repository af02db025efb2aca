import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PermissionRequest } from '@gantry/auth';
import { invalid, type Health } from '@gantry/specs';
import { z } from 'zod';
import type { AgentRepository } from '../agents/repository.js';
import type { Authenticator, Principal } from '../iam/authenticator.js';
import { readJsonBody } from './body.js';
import { sendError, sendJson } from './respond.js';

/**
 * Every REST route, with who may call it. `public` routes are the only ones reachable
 * without a token (a test walks this table); every other route names the permission
 * the one authorization middleware checks before the handler runs.
 */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  principal: Principal | null;
  source: string;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
  access: 'public' | 'authenticated' | PermissionRequest;
  handle: (ctx: RouteContext) => Promise<void>;
}

export interface RouteDeps {
  agents: AgentRepository;
  auth: Authenticator;
  health: () => Promise<Health>;
}

const LoginRequest = z.strictObject({
  uid: z.string().min(1, { message: 'uid is required' }).max(200),
  password: z.string().min(1, { message: 'password is required' }).max(1024),
});

export function restRoutes(deps: RouteDeps): Route[] {
  return [
    {
      method: 'GET', path: '/health', access: 'public',
      handle: async ({ res }) => {
        const health = await deps.health();
        sendJson(res, health.status === 'ok' ? 200 : 503, health);
      },
    },
    {
      method: 'GET', path: '/v1/nodes', access: { resource: 'gantry:node', action: 'read' },
      handle: async ({ res }) => sendJson(res, 200, { nodes: await deps.agents.list() }),
    },
    {
      method: 'POST', path: '/v1/auth/login', access: 'public',
      handle: async ({ req, res, source }) => {
        const body = LoginRequest.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const result = await deps.auth.login(body.data.uid, body.data.password, source);
        if (result.ok) return sendJson(res, 200, { token: result.token });
        if (result.reason === 'throttled') {
          res.setHeader('retry-after', String(result.retryAfterSeconds));
          return sendError(res, 429, { message: `too many failed logins; try again in ${result.retryAfterSeconds} s` });
        }
        sendError(res, 401, { message: 'invalid uid or password' });
      },
    },
    {
      method: 'GET', path: '/v1/auth/jwks', access: 'public',
      handle: async ({ res }) => sendJson(res, 200, await deps.auth.jwks()),
    },
    {
      method: 'POST', path: '/v1/auth/logout', access: 'authenticated',
      handle: async ({ res, principal }) => {
        await deps.auth.logout(principal!);
        res.writeHead(204).end();
      },
    },
  ];
}
