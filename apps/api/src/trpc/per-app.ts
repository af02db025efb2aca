import { authorize, type PermissionRequest } from '@gantry/auth';
import { initTRPC, TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Principal } from '../iam/authenticator.js';
import { ServiceProblem, servicePermission } from '../services/services-api.js';
import type { Context } from './trpc.js';

/**
 * Procedures whose permission is per service, `gantry:service:<id>` with an action,
 * rather than one resource for the whole procedure (`procedure(permission)` in
 * trpc.ts): a tenant holding `gantry:service:/team-a` reads and changes its own apps
 * and sees no other team's names. Authentication is checked here as in trpc.ts; the
 * authorization is the same `authorize()`, applied by ServicesApi to every app a
 * change touches, by `appProcedure` to the app a procedure names, and by
 * `readableApps` to every row a list returns.
 *
 * (trpc.ts exports only permission-bound procedures, so this file builds its own
 * authenticated base on the same Context; the procedures join the one appRouter.)
 */
const t = initTRPC.context<Context>().create();

const STATUS_CODES: Record<number, TRPCError['code']> = {
  400: 'BAD_REQUEST', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE', 422: 'UNPROCESSABLE_CONTENT', 503: 'SERVICE_UNAVAILABLE',
};

/** Any signed-in principal; what it may see or change is decided per app inside. */
export const perAppProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (!ctx.auth.ok) throw new TRPCError({ code: 'UNAUTHORIZED', message: ctx.auth.reason });
  const result = await next({ ctx: { ...ctx, principal: ctx.auth.principal } });
  // ServicesApi refuses with Marathon's status and message: keep both.
  if (!result.ok && result.error.cause instanceof ServiceProblem) {
    const problem = result.error.cause;
    throw new TRPCError({ code: STATUS_CODES[problem.status] ?? 'INTERNAL_SERVER_ERROR', message: problem.message, cause: problem });
  }
  return result;
});

/** An app id as the API stores them: absolute, no trailing slash. */
export const AppId = z.string().min(2).max(512).regex(/^\/[^\s]*[^/\s]$/, { message: 'an app id is an absolute path such as /team-a/web' });

/** A procedure about one app: `gantry:service:<id>` with `action`, checked before anything runs. */
export function appProcedure(action: PermissionRequest['action']) {
  return perAppProcedure.input(z.object({ id: AppId })).use(({ ctx, input, next }) => {
    ctx.services.require(ctx.principal, input.id, action);
    return next();
  });
}

/** Whether the principal may read every app (then lists need no per-row filter). */
export function readsEveryApp(principal: Principal): boolean {
  return authorize(principal.grants, servicePermission('/', 'read')).allowed;
}

/** The app ids among `ids` the principal may read; null when it may read them all. */
export function readableApps(principal: Principal, ids: readonly string[]): string[] | null {
  if (readsEveryApp(principal)) return null;
  return ids.filter((id) => authorize(principal.grants, servicePermission(id, 'read')).allowed);
}

export function mayReadApp(principal: Principal, id: string): boolean {
  return authorize(principal.grants, servicePermission(id, 'read')).allowed;
}

export function mayReadNodes(principal: Principal): boolean {
  return authorize(principal.grants, { resource: 'gantry:node', action: 'read' }).allowed;
}

/**
 * A change's answer as a value: the deployment it started, or Marathon's refusal with
 * its field errors (`details`) and blocking deployments, which the console shows at
 * the field or offers to force. Refusals of access still throw (FORBIDDEN, NOT_FOUND).
 */
export type ChangeOutcome<T> =
  | ({ ok: true } & T)
  | { ok: false; status: number; message: string; details: { path: string; errors: string[] }[]; deployments: string[] };

export async function change<T extends object>(run: () => Promise<T>): Promise<ChangeOutcome<T>> {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    if (error instanceof ServiceProblem && (error.status === 409 || error.status === 422)) {
      const blocking = (error.body.deployments as { id: string }[] | undefined) ?? [];
      return { ok: false, status: error.status, message: error.body.message, details: error.body.details ?? [], deployments: blocking.map((d) => d.id) };
    }
    throw error;
  }
}

/** Who asked, as Marathon's events name it (`api_post_event` and the deployment's requester). */
export const consoleRequester = (procedure: string) => ({ clientIp: 'console', uri: `trpc ${procedure}` });
