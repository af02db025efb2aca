/**
 * Marathon path ids: `/team-a/web/api` names an app or a group in the group tree.
 * The canonical form is absolute, with no empty segment and no trailing slash; `/`
 * is the root group.
 */

export type PathIdResult = { ok: true; id: string } | { ok: false; error: string };

export const ROOT_PATH = '/';

// Marathon (PathId.ID_PATH_SEGMENT_PATTERN, pathId.raml): one or more DNS-style labels
// joined by dots; each label is lowercase letters, digits and hyphens and neither
// starts nor ends with a hyphen.
const SEGMENT = /^([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])(\.([a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9]))*$/;

export const SEGMENT_RULE =
  'each segment is lowercase letters (a-z), digits (0-9), hyphens and dots, ' +
  'and starts and ends with a letter or digit (e.g. team-a, web.v2)';

// Marathon: these would collide with the sub-resources of /v2/apps/{id}
// (`/restart`, `/tasks`, `/versions`), so no id may end with them; neither do ours.
const RESERVED_LAST_SEGMENTS = new Set(['restart', 'tasks', 'versions']);

/**
 * Resolves `raw` against the group `base` (itself canonical and absolute): `/a/b` is
 * absolute; `b`, `./b` and `../c/b` are relative to `base`.
 *
 * Marathon: empty segments (`/a//b`, `/a/`) are dropped; so do we. Marathon silently
 * stops `..` at the root; we refuse it, since such an id names something its author
 * did not mean.
 */
export function resolvePathId(raw: string, base: string = ROOT_PATH): PathIdResult {
  if (raw.length === 0) return { ok: false, error: 'a path id must not be empty: use /group/name, or name relative to its group' };
  const segments: string[] = raw.startsWith('/') ? [] : pathSegments(base);
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) {
        return { ok: false, error: `"${raw}" climbs above the root group with "..": remove a ".." or give an absolute id` };
      }
      segments.pop();
      continue;
    }
    if (!SEGMENT.test(segment)) {
      return { ok: false, error: `segment "${segment}" of "${raw}" is not valid: ${SEGMENT_RULE}` };
    }
    segments.push(segment);
  }
  const last = segments.at(-1);
  if (last !== undefined && RESERVED_LAST_SEGMENTS.has(last)) {
    return { ok: false, error: `"${raw}" must not end with "${last}": restart, tasks and versions are reserved by the /v2 API` };
  }
  return { ok: true, id: '/' + segments.join('/') };
}

/** `/a/b/c` → `['a', 'b', 'c']`; the root has none. Expects a canonical id. */
export function pathSegments(id: string): string[] {
  return id.split('/').filter((segment) => segment !== '');
}

/** The enclosing group: `/a/b` → `/a`, `/a` → `/`; the root is its own parent. */
export function parentPath(id: string): string {
  return '/' + pathSegments(id).slice(0, -1).join('/');
}

/**
 * True when `id` is `group` or lies below it, segment by segment: `/a` covers `/a` and
 * `/a/b` but not `/ab`; the root covers everything.
 */
export function isUnder(id: string, group: string): boolean {
  const groupSegments = pathSegments(group);
  const idSegments = pathSegments(id);
  return groupSegments.length <= idSegments.length && groupSegments.every((segment, i) => idSegments[i] === segment);
}

/**
 * The prefix of an app's task ids: `/team-a/web` → `team-a_web`.
 * Marathon: `PathId.safePath`, segments joined with `_` (task ids are
 * `team-a_web.<uuid>`, instance ids `team-a_web.instance-<uuid>`); segments never hold
 * `_`, so the prefix maps back to exactly one app.
 */
export function taskIdPrefix(appId: string): string {
  return pathSegments(appId).join('_');
}
