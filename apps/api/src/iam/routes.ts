import { invalid } from '@gantry/specs';
import { z } from 'zod';
import { readJsonBody } from '../http/body.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { Authenticator } from './authenticator.js';

const uid = z.string().min(1, { message: 'uid is required' }).max(200);
/** `{uid, password}` for people; `{uid, token}` for service accounts. */
const LoginRequest = z
  .strictObject({
    uid,
    password: z.string().min(1, { message: 'password must not be empty' }).max(1024).optional(),
    token: z.string().min(1, { message: 'token must not be empty' }).max(8192).optional(),
  })
  .refine((b) => (b.password === undefined) !== (b.token === undefined), {
    message: 'send either password (a person) or token (a service account), not both or neither',
  });

/** Login, logout and the public keys that verify Gantry's tokens. */
export function authRoutes(auth: Authenticator): Route[] {
  return [
    {
      method: 'POST', path: '/v1/auth/login', access: 'public',
      handle: async (ctx) => {
        const { req, res, source } = ctx;
        const body = LoginRequest.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const { uid: who, password, token } = body.data;
        ctx.auditActor = who;
        const result = await auth.login(token !== undefined ? { uid: who, token } : { uid: who, password: password! }, source);
        if (result.ok) return sendJson(res, 200, { token: result.token });
        if (result.reason === 'unavailable') return sendError(res, 503, { message: result.message });
        if (result.reason === 'throttled') {
          res.setHeader('retry-after', String(result.retryAfterSeconds));
          return sendError(res, 429, { message: `too many failed logins; try again in ${result.retryAfterSeconds} s` });
        }
        sendError(res, 401, { message: 'invalid uid or password' });
      },
    },
    {
      method: 'GET', path: '/v1/auth/jwks', access: 'public',
      handle: async ({ res }) => sendJson(res, 200, await auth.jwks()),
    },
    {
      method: 'POST', path: '/v1/auth/keys/rotate', access: { resource: 'gantry:iam', action: 'full' },
      handle: async ({ res }) => sendJson(res, 201, await auth.rotateSigningKey()),
    },
    {
      // Who the token is and what it holds: the console hides what its user may not do
      // (apps/web/lib/iam-permissions.ts), the CLI prints it. Every decision stays the
      // API's: this only spares asking for things that would be refused.
      method: 'GET', path: '/v1/auth/whoami', access: 'authenticated',
      handle: async ({ res, principal }) => {
        const { uid: who, kind, grants, groups, exp } = principal!;
        sendJson(res, 200, { uid: who, kind, groups: groups ?? [], grants, expiresAt: new Date(exp * 1000).toISOString() });
      },
    },
    {
      method: 'POST', path: '/v1/auth/logout', access: 'authenticated',
      handle: async ({ res, principal }) => {
        await auth.logout(principal!);
        res.writeHead(204).end();
      },
    },
  ];
}
