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
  /**
   * Exact path, or a pattern with `:name` segments, e.g. `/v1/iam/users/:uid`, and at
   * most one `*name` that takes one or more segments (Marathon's ids have slashes:
   * `/v2/apps/*id/tasks` matches `/v2/apps/team-a/web/tasks` with id `/team-a/web`).
   */
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
  /** What the request acted on, when the handler authorizes it (e.g. an app id in the body). */
  auditTarget?: string;
}

/**
 * Matches `/v1/iam/users/alice` against `/v1/iam/users/:uid` → `{ uid: 'alice' }`; a
 * `*name` segment takes the segments between the fixed ones around it, as an absolute
 * path (`/team-a/web`).
 */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  const star = want.findIndex((w) => w.startsWith('*'));
  if (star === -1 ? want.length !== got.length : got.length < want.length) return null;
  const params: Record<string, string> = {};
  const decode = (segment: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return null;
    }
  };
  const matchSegment = (w: string, g: string | undefined): boolean => {
    if (w.startsWith(':')) {
      const value = g ? decode(g) : null;
      if (!value) return false;
      params[w.slice(1)] = value;
      return true;
    }
    return w === g;
  };
  if (star === -1) return want.every((w, i) => matchSegment(w, got[i])) ? params : null;
  const tail = want.length - star - 1;
  for (let i = 0; i < star; i++) if (!matchSegment(want[i]!, got[i])) return null;
  for (let i = 0; i < tail; i++) if (!matchSegment(want[star + 1 + i]!, got[got.length - tail + i])) return null;
  const middle = got.slice(star, got.length - tail);
  if (middle.length === 0 || middle.some((m) => m === '')) return null;
  const decoded = middle.map(decode);
  if (decoded.some((d) => d === null)) return null;
  params[want[star]!.slice(1)] = '/' + decoded.join('/');
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
