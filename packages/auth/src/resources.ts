import { authorize, type Action, type Grant } from './permissions.js';

/**
 * Every resource kind an endpoint checks, in one list: the documentation of the
 * grammar's vocabulary, and what the console's resource picker offers. `path: true`
 * kinds take a service path as their last part (`gantry:service:/team-a`); a grant on
 * the bare kind covers every path.
 */
export interface ResourceKind {
  resource: string;
  what: string;
  path: boolean;
  actions: readonly Action[];
}

const CRUD: readonly Action[] = ['read', 'create', 'update', 'delete', 'full'];

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  { resource: 'gantry:superuser', what: 'everything, including granting anything', path: false, actions: ['full'] },
  { resource: 'gantry:service', what: 'services (apps and groups) at and below a path, their tasks and events', path: true, actions: CRUD },
  { resource: 'gantry:agent:sandbox', what: 'task sandboxes and logs, of every app or of the apps below a path', path: true, actions: ['read', 'full'] },
  { resource: 'gantry:task', what: 'every task, whatever its app (operators)', path: false, actions: ['read', 'full'] },
  { resource: 'gantry:quota', what: 'quotas of top-level groups (setting them; members read their own without it)', path: true, actions: CRUD },
  { resource: 'gantry:node', what: 'nodes: list, drain, reactivate', path: false, actions: ['read', 'update', 'full'] },
  { resource: 'gantry:iam', what: 'users, groups, service accounts and grants', path: false, actions: CRUD },
  { resource: 'gantry:iam:providers', what: 'identity providers (LDAP, OIDC, SAML)', path: false, actions: CRUD },
  { resource: 'gantry:audit', what: 'the audit log', path: false, actions: ['read', 'full'] },
  { resource: 'gantry:cluster:leader', what: 'the scheduler leader (make it abdicate)', path: false, actions: ['delete', 'full'] },
];

/**
 * Reading a task (`GET /v1/tasks/:id`): read on its service, or read on `gantry:task`
 * (operators, who see tasks of no app too). Either way through `authorize()`.
 */
export function mayReadTask(grants: readonly Grant[], appId: string | null): boolean {
  if (authorize(grants, { resource: 'gantry:task', action: 'read' }).allowed) return true;
  return appId !== null && authorize(grants, { resource: `gantry:service:${appId}`, action: 'read' }).allowed;
}

/**
 * Reading a task's sandbox (its logs), DC/OS's `dcos:mesos:agent:sandbox:app_id:<path>`:
 * read on `gantry:agent:sandbox:<app>` (a grant on `gantry:agent:sandbox` covers every
 * app and tasks of none), or update on the app's service. The second is no wider than
 * the first: whoever may change a service's command can make it print its sandbox
 * anyway, so a separate sandbox grant would protect nothing from them. A read-only
 * viewer of a service needs the sandbox grant, as in DC/OS (logs may hold secrets).
 */
export function mayReadSandbox(grants: readonly Grant[], appId: string | null): boolean {
  if (appId === null) return authorize(grants, { resource: 'gantry:agent:sandbox', action: 'read' }).allowed;
  return authorize(grants, { resource: `gantry:agent:sandbox:${appId}`, action: 'read' }).allowed
    || authorize(grants, { resource: `gantry:service:${appId}`, action: 'update' }).allowed;
}

/**
 * Reading the quota of a top-level group: read on `gantry:quota:/<group>` (operators),
 * or read on `gantry:service:/<group>`, the services it caps (its members). Setting a
 * quota needs update on `gantry:quota:/<group>`, which no service grant covers: a team
 * cannot raise its own quota.
 */
export function mayReadQuota(grants: readonly Grant[], group: string): boolean {
  return authorize(grants, { resource: `gantry:quota:/${group}`, action: 'read' }).allowed
    || authorize(grants, { resource: `gantry:service:/${group}`, action: 'read' }).allowed;
}
