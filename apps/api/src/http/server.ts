import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AGENT_PROTOCOL_PATH } from '@gantry/specs';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { AgentGateway } from '../agents/gateway.js';
import { appRouter } from '../trpc/router.js';
import type { Context } from '../trpc/trpc.js';
import { sendError, sendJson } from './respond.js';
import type { Health } from '@gantry/specs';

export interface HttpDeps {
  context: Context;
  gateway: AgentGateway;
  health: () => Promise<Health>;
}

/** One node:http server: tRPC at /trpc, REST beside it, the agent WebSocket at /agent/v1. */
export function createApiHttpServer(deps: HttpDeps): Server {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    createContext: () => deps.context,
    onError: ({ error, path }) => {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '?'} failed: ${error.message}`);
    },
  });

  const rest: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    'GET /health': async (_req, res) => {
      const health = await deps.health();
      sendJson(res, health.status === 'ok' ? 200 : 503, health);
    },
    'GET /v1/nodes': async (_req, res) => sendJson(res, 200, { nodes: await deps.context.agents.list() }),
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/trpc/')) return void trpc(req, res);
    const route = rest[`${req.method} ${url.pathname}`];
    if (!route) {
      const known = Object.keys(rest).some((k) => k.endsWith(` ${url.pathname}`));
      return known
        ? sendError(res, 405, { message: `${req.method} is not allowed on ${url.pathname}` })
        : sendError(res, 404, { message: `no such endpoint: ${url.pathname}` });
    }
    route(req, res).catch((error: unknown) => {
      console.error(`${req.method} ${url.pathname} failed: ${(error as Error).message}`);
      if (!res.headersSent) sendError(res, 500, { message: 'internal error; the server log has details' });
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === AGENT_PROTOCOL_PATH) return deps.gateway.handleUpgrade(req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
  });
  return server;
}
