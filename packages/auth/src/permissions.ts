/**
 * Permissions, DC/OS style: a grant is (resource, action) held by a subject.
 * Resources are colon-separated (`gantry:service:/team-a/web`); the last part may be a
 * service path. A grant covers a resource when its parts are a prefix of the
 * resource's parts, and a path part covers every path below it on segment boundaries:
 * `gantry:service:/team-a` covers `gantry:service:/team-a/web`, not `/team-ab`.
 * `full` covers every action; a grant on `gantry:superuser` covers everything.
 * Deny by default.
 */
export const ACTIONS = ['create', 'read', 'update', 'delete', 'full'] as const;
export type Action = (typeof ACTIONS)[number];

export interface Grant {
  resource: string;
  action: Action;
}

export interface PermissionRequest {
  resource: string;
  action: Exclude<Action, 'full'> | 'full';
}

export const SUPERUSER = 'gantry:superuser';

export type Verdict = { allowed: true; by: Grant } | { allowed: false; reason: string };

export function authorize(grants: readonly Grant[], request: PermissionRequest): Verdict {
  const wanted = parseResource(request.resource);
  if (!wanted) return { allowed: false, reason: `"${request.resource}" is not a valid resource` };
  for (const grant of grants) {
    if (grant.resource === SUPERUSER) return { allowed: true, by: grant };
    if (grant.action !== 'full' && grant.action !== request.action) continue;
    const held = parseResource(grant.resource);
    if (held && covers(held, wanted)) return { allowed: true, by: grant };
  }
  return { allowed: false, reason: `no grant of ${request.action} on ${request.resource}` };
}

/** True when a grant on `resource` can see anything at or below `prefix` (list filters). */
export function mayReadUnder(grants: readonly Grant[], resource: string): boolean {
  return authorize(grants, { resource, action: 'read' }).allowed;
}

interface ParsedResource {
  parts: string[];
  path: string[] | null;
}

/** `gantry:service:/a/../b` → parts [gantry, service], path [b]; null when malformed. */
export function parseResource(resource: string): ParsedResource | null {
  const slash = resource.indexOf(':/');
  const head = slash === -1 ? resource : resource.slice(0, slash);
  const parts = head.split(':');
  if (parts.some((p) => !/^[a-z0-9_-]+$/i.test(p))) return null;
  if (slash === -1) return { parts, path: null };
  const path = normalisePath(resource.slice(slash + 1));
  return path ? { parts, path } : null;
}

/**
 * Resolves `.` and `..` and repeated slashes, so `/team-a/../team-b` is checked as
 * `/team-b`; null for a path that climbs above the root or has empty/odd segments.
 */
export function normalisePath(path: string): string[] | null {
  if (!path.startsWith('/')) return null;
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return null;
      segments.pop();
      continue;
    }
    segments.push(segment);
  }
  return segments;
}

function covers(held: ParsedResource, wanted: ParsedResource): boolean {
  if (held.parts.length > wanted.parts.length) return false;
  if (!held.parts.every((p, i) => p === wanted.parts[i])) return false;
  if (held.path === null) return true;
  if (held.parts.length !== wanted.parts.length || wanted.path === null) return false;
  return held.path.length <= wanted.path.length && held.path.every((s, i) => s === wanted.path![i]);
}

/** No escalation: a subject may grant only what it holds itself. */
export function mayGrant(granterGrants: readonly Grant[], grant: Grant): boolean {
  return authorize(granterGrants, { resource: grant.resource, action: grant.action }).allowed;
}
