import { invalid } from '@gantry/specs';
import { z } from 'zod';
import { readJsonBody } from '../http/body.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { Authenticator } from './authenticator.js';

const LoginRequest = z.strictObject({
  uid: z.string().min(1, { message: 'uid is required' }).max(200),
  password: z.string().min(1, { message: 'password is required' }).max(1024),
});

/** Login, logout and the public keys that verify Gantry's tokens. */
export function authRoutes(auth: Authenticator): Route[] {
  return [
    {
      method: 'POST', path: '/v1/auth/login', access: 'public',
      handle: async ({ req, res, source }) => {
        const body = LoginRequest.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const result = await auth.login(body.data.uid, body.data.password, source);
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
      method: 'POST', path: '/v1/auth/logout', access: 'authenticated',
      handle: async ({ res, principal }) => {
        await auth.logout(principal!);
        res.writeHead(204).end();
      },
    },
  ];
}
