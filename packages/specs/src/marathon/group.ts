import { z } from 'zod';
import type { ApiError } from '../api-error.js';
import { type App, readApp } from './app-definition.js';
import { ROOT_PATH, parentPath, resolvePathId } from './path-id.js';
import { type Problem, apiError, describeValue, distinct, isRecord, parseWith, withoutNulls } from './validation.js';

/**
 * Marathon group definitions, as `POST /v2/groups` and `PUT /v2/groups/{id}` take them
 * (group.raml GroupUpdate): a tree of groups, each with its apps, read into absolute
 * ids throughout.
 */

export interface GroupDefinition {
  id: string;
  /** Absolute ids this group's apps wait for, on top of their own dependencies. */
  dependencies: string[];
  /** Top-level groups only: the group's apps run in the role named like the group. */
  enforceRole: boolean;
  /** This group's own apps (not its subgroups'), ids absolute. */
  apps: App[];
  groups: GroupDefinition[];
}

export type GroupResult = { ok: true; group: GroupDefinition } | { ok: false; error: ApiError };

// Deeper trees are refused before they are walked: a path id deeper than this is no
// group anyone meant.
const MAX_DEPTH = 32;

// Marathon: `version` (roll back) and `scaleBy` (scale every app) are requests of their
// own that go with no other field; the handler serves them before reading a definition,
// so here they can only be a mistake, and reading them as part of a definition would
// replace the group with one that has no apps.
const GroupFields = z.strictObject({
  id: z.string().min(1).optional(),
  apps: z.array(z.unknown()).default([]),
  groups: z.array(z.unknown()).default([]),
  dependencies: z.array(z.string()).default([]),
  enforceRole: z.boolean().optional(),
});

const OPERATIONS: Readonly<Record<string, string>> = {
  version: 'version rolls a group back and goes alone: PUT {"version": …} to /v2/groups/{id}',
  scaleBy: 'scaleBy scales a group and goes alone: PUT {"scaleBy": …} to /v2/groups/{id}',
  pods: 'pods are not supported yet: give the group apps',
};

/** One reading of a tree: its problems, and every app and group id with where it was first given. */
interface Walk {
  problems: Problem[];
  seen: Map<string, string>;
}

function pointer(path: readonly PropertyKey[]): string {
  return '/' + path.map(String).join('/');
}

/**
 * Reads the group at `at`, its id relative to `base`: the tree's own group at depth 0,
 * else a subgroup of the group `base`.
 */
function readGroup(json: unknown, at: PropertyKey[], base: string, depth: number, walk: Walk): GroupDefinition | undefined {
  const { problems } = walk;
  if (!isRecord(json)) {
    problems.push({ path: at, message: `a group definition is a JSON object, not ${describeValue(json)}` });
    return undefined;
  }
  // Exported groups carry an empty `pods`, which says nothing.
  const given = Object.entries(json).filter(([key, value]) => !(key === 'pods' && Array.isArray(value) && value.length === 0));
  const operations = given.filter(([key]) => Object.hasOwn(OPERATIONS, key));
  for (const [key] of operations) problems.push({ path: [...at, key], message: OPERATIONS[key] ?? '' });
  const parsed = parseWith(GroupFields, Object.fromEntries(given.filter(([key]) => !Object.hasOwn(OPERATIONS, key))), at);
  if (!parsed.ok) {
    problems.push(...parsed.problems);
    return undefined;
  }
  const fields = parsed.value;

  // The tree's own group may leave its id to the request's path; a subgroup must name itself.
  if (fields.id === undefined && depth > 0) {
    problems.push({ path: [...at, 'id'], message: 'is required: a subgroup names itself, e.g. "backend" or "/product/backend"' });
    return undefined;
  }
  const resolved = fields.id === undefined ? { ok: true as const, id: base } : resolvePathId(fields.id, base);
  if (!resolved.ok) {
    problems.push({ path: [...at, 'id'], message: resolved.error });
    return undefined;
  }
  const id = resolved.id;
  // Marathon (Group.validNestedGroupUpdateWithBase): a subgroup sits directly in its group.
  if (depth > 0 && (id === ROOT_PATH || parentPath(id) !== base)) {
    problems.push({ path: [...at, 'id'], message: `"${id}" is not directly in group ${base}: give it as a relative name, or nest it one level at a time` });
    return undefined;
  }
  if (!claim(id, [...at, 'id'], walk)) return undefined;
  // Marathon (definingEnforcingRoleOnlyIfItsTopLevel): only a top-level group has a role of its own.
  const topLevel = id !== ROOT_PATH && parentPath(id) === ROOT_PATH;
  if (fields.enforceRole === true && !topLevel) {
    problems.push({ path: [...at, 'enforceRole'], message: `only top-level groups enforce a role, and ${id} is not top-level` });
  }

  const dependencies: string[] = [];
  fields.dependencies.forEach((dependency, i) => {
    // Marathon: a group's relative dependencies are relative to the group itself.
    const result = resolvePathId(dependency, id);
    if (result.ok) dependencies.push(result.id);
    else problems.push({ path: [...at, 'dependencies', i], message: result.error });
  });

  const apps = fields.apps.flatMap((appJson, i) => {
    const appAt = [...at, 'apps', i];
    const { app, problems: appProblems } = readApp(appJson, { base: id, mode: 'create' });
    problems.push(...appProblems.map((p) => ({ ...p, path: [...appAt, ...p.path] })));
    if (app === undefined) return [];
    // Marathon (AppValidation.validNestedApp): an app sits directly in its group.
    if (parentPath(app.id) !== id) {
      problems.push({ path: [...appAt, 'id'], message: `"${app.id}" is not directly in group ${id}: give it as a relative name, or move it to the group ${parentPath(app.id)}` });
      return [];
    }
    return claim(app.id, [...appAt, 'id'], walk) ? [app] : [];
  });

  if (fields.groups.length > 0 && depth >= MAX_DEPTH) {
    problems.push({ path: [...at, 'groups'], message: `groups nest at most ${MAX_DEPTH} deep` });
    return undefined;
  }
  const groups = fields.groups.flatMap((groupJson, i) => readGroup(groupJson, [...at, 'groups', i], id, depth + 1, walk) ?? []);
  return { id, dependencies: distinct(dependencies), enforceRole: fields.enforceRole ?? false, apps, groups };
}

/** Marathon: apps and groups share one namespace, so every id of a tree is given once. */
function claim(id: string, at: PropertyKey[], { seen, problems }: Walk): boolean {
  const first = seen.get(id);
  if (first !== undefined) {
    problems.push({ path: at, message: `${id} is given twice: first at ${first}; apps and groups need ids of their own` });
    return false;
  }
  seen.set(id, pointer(at));
  return true;
}

/**
 * Reads a group definition whose relative ids are relative to `base` (`/` for `POST
 * /v2/groups`, the path's group for `PUT /v2/groups/{id}`, which may leave `id` out).
 * Apps are read as on create: unknown fields are refused.
 */
export function parseGroupDefinition(json: unknown, base: string = ROOT_PATH): GroupResult {
  const walk: Walk = { problems: [], seen: new Map() };
  const group = readGroup(withoutNulls(json), [], base, 0, walk);
  return group !== undefined && walk.problems.length === 0 ? { ok: true, group } : { ok: false, error: apiError(walk.problems) };
}

/** Every app of the tree, depth first: the apps a group deployment touches. */
export function groupApps(group: GroupDefinition): App[] {
  return [...group.apps, ...group.groups.flatMap(groupApps)];
}
