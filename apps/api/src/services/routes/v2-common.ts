import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http/respond.js';
import type { RouteContext } from '../../http/route.js';
import { ServiceProblem, type ChangeOptions, type Deployed } from '../services-api.js';

export const query = (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').searchParams;

/** Marathon's boolean query flags: `?force`, `?force=true`. */
export function flag(q: URLSearchParams, name: string): boolean {
  const value = q.get(name);
  return value !== null && value !== 'false';
}

export function changeOptions(ctx: RouteContext): ChangeOptions {
  return { force: flag(query(ctx.req), 'force'), requester: { clientIp: ctx.source, uri: new URL(ctx.req.url ?? '/', 'http://x').pathname } };
}

/** Marathon answers a change with its deployment: `{version, deploymentId}` and the `Marathon-Deployment-Id` header. */
export function sendDeployed(res: ServerResponse, status: number, deployed: Deployed): void {
  res.setHeader('marathon-deployment-id', deployed.deploymentId);
  sendJson(res, status, { version: deployed.version, deploymentId: deployed.deploymentId });
}

/** Turns the services API's refusals into Marathon's status and body; anything else is the server's fault. */
export function serviceRoute(handle: (ctx: RouteContext) => Promise<void>): (ctx: RouteContext) => Promise<void> {
  return async (ctx) => {
    if (ctx.params.id) ctx.auditTarget = `gantry:service:${ctx.params.id}`;
    try {
      await handle(ctx);
    } catch (error) {
      if (!(error instanceof ServiceProblem)) throw error;
      sendJson(ctx.res, error.status, error.body);
    }
  };
}
