import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PermissionRequest } from '@gantry/auth';
import type { Principal } from '../iam/authenticator.js';

/**
 * A REST route and who may call it. `public` routes are the only ones reachable
 * without a token (a test walks the whole table); `authenticated` ones need any valid
 * token; every other route names the permission the one authorization middleware
 * checks before the handler runs.
 */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Exact path, or a pattern with `:name` segments, e.g. `/v1/iam/users/:uid`. */
  path: string;
  access: 'public' | 'authenticated' | PermissionRequest | ((params: Record<string, string>) => PermissionRequest);
  handle: (ctx: RouteContext) => Promise<void>;
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  principal: Principal | null;
  params: Record<string, string>;
  source: string;
  /** Who the audit log should name when nobody is signed in yet (e.g. the uid a login tried). */
  auditActor?: string;
}

/** Matches `/v1/iam/users/alice` against `/v1/iam/users/:uid` → `{ uid: 'alice' }`. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.startsWith(':')) {
      if (!got[i]) return null;
      try {
        params[w.slice(1)] = decodeURIComponent(got[i]!);
      } catch {
        return null;
      }
    } else if (w !== got[i]) return null;
  }
  return params;
}

export type RouteMatch =
  | { found: true; route: Route; params: Record<string, string> }
  | { found: false; status: 404 | 405 };

/** The route for a request, or why there is none (no such path: 404; wrong method: 405). */
export function findRoute(routes: readonly Route[], method: string | undefined, path: string): RouteMatch {
  let pathKnown = false;
  for (const route of routes) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method) return { found: true, route, params };
    pathKnown = true;
  }
  return { found: false, status: pathKnown ? 405 : 404 };
}
