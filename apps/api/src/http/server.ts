import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { authorize } from '@gantry/auth';
import { AGENT_PROTOCOL_PATH } from '@gantry/specs';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { AgentGateway } from '../agents/gateway.js';
import type { Authentication, Authenticator } from '../iam/authenticator.js';
import { isDatabaseUnreachable } from '../db/prisma.js';
import { appRouter } from '../trpc/router.js';
import type { Context } from '../trpc/trpc.js';
import { BodyError } from './body.js';
import { sendError } from './respond.js';
import { findRoute, type Route, type RouteContext } from './route.js';
import { outcomeOf, shouldAudit, type AuditLog } from '../audit/audit-log.js';

export interface HttpDeps {
  audit: AuditLog;
  context: Omit<Context, 'auth'>;
  auth: Authenticator;
  routes: Route[];
  gateway: AgentGateway;
  /** The join token agents present (GANTRY_AGENT_TOKEN). */
  agentToken: string;
}

/**
 * One node:http server: tRPC at /trpc, REST beside it, the agent WebSocket at
 * /agent/v1. Authentication happens here, once per request; authorization is the one
 * `authorize()` of packages/auth, applied per route (REST) or per procedure (tRPC).
 */
export function createApiHttpServer(deps: HttpDeps): Server {
  // Each tRPC request is authenticated once, before tRPC sees it, so that a request
  // without a valid token gets a plain 401 — subscriptions included, which tRPC would
  // otherwise answer 200 and fail inside the event stream.
  const authenticated = new WeakMap<IncomingMessage, Authentication & { ok: true }>();
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    createContext: ({ req }) => ({ ...deps.context, auth: authenticated.get(req)! }),
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed: ${error.message}`);
    },
  });

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const source = req.socket.remoteAddress ?? 'unknown';
    // Every write and every denied request, whatever path it took, once it is answered.
    const audit = { actor: null as string | null, action: `${req.method} ${url.pathname}`, target: null as string | null };
    let context: RouteContext | null = null;
    res.once('finish', () => {
      if (!shouldAudit(req.method ?? 'GET', res.statusCode)) return;
      const actor = audit.actor ?? context?.auditActor ?? null;
      const target = audit.target ?? context?.auditTarget ?? null;
      void deps.audit.record({ ...audit, actor, target, source, outcome: outcomeOf(res.statusCode), status: res.statusCode });
    });

    if (url.pathname.startsWith('/trpc/')) {
      audit.action = `tRPC ${url.pathname.slice('/trpc/'.length)}`;
      return void deps.auth.authenticate(req.headers.authorization).then((auth) => {
        if (!auth.ok) return sendError(res, 401, { message: auth.reason });
        audit.actor = auth.principal.uid;
        authenticated.set(req, auth);
        return trpc(req, res);
      }, (error: unknown) => isDatabaseUnreachable(error)
        ? sendError(res, 503, { message: 'the database is unreachable; retry shortly' })
        : sendError(res, 500, { message: 'internal error; the server log has details' }));
    }
    const match = findRoute(deps.routes, req.method, url.pathname);
    if (!match.found) {
      return match.status === 405
        ? sendError(res, 405, { message: `${req.method} is not allowed on ${url.pathname}` })
        : sendError(res, 404, { message: `no such endpoint: ${url.pathname}` });
    }
    const { route, params } = match;
    audit.action = `${req.method} ${route.path}`;
    const ctx: RouteContext = { req, res, principal: null, params, source };
    context = ctx;
    void (async () => {
      if (route.access !== 'public') {
        const auth = await deps.auth.authenticate(req.headers.authorization);
        if (!auth.ok) return sendError(res, 401, { message: auth.reason });
        ctx.principal = auth.principal;
        audit.actor = auth.principal.uid;
        if (route.access !== 'authenticated') {
          const permission = typeof route.access === 'function' ? route.access(params) : route.access;
          audit.target = permission.resource;
          const verdict = authorize(auth.principal.grants, permission);
          if (!verdict.allowed) return sendError(res, 403, { message: `forbidden: ${verdict.reason}` });
        }
      }
      await route.handle(ctx);
    })().catch((error: unknown) => {
      if (error instanceof BodyError) return sendError(res, error.status, { message: error.message });
      if (isDatabaseUnreachable(error)) {
        if (!res.headersSent) sendError(res, 503, { message: 'the database is unreachable; retry shortly' });
        return;
      }
      console.error(`${req.method} ${url.pathname} failed: ${(error as Error).message}`);
      if (!res.headersSent) sendError(res, 500, { message: 'internal error; the server log has details' });
    });
  });

  const expected = createHash('sha256').update(deps.agentToken).digest();
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== AGENT_PROTOCOL_PATH) return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    const presented = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    // Compare digests in constant time: the token's length or prefix must not leak.
    if (!timingSafeEqual(createHash('sha256').update(presented).digest(), expected)) {
      const body = JSON.stringify({ message: 'agents must present the cluster join token (GANTRY_AGENT_TOKEN)' });
      return void socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    deps.gateway.handleUpgrade(req, socket, head);
  });
  return server;
}
