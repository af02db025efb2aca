import { authorize, type PermissionRequest } from '@gantry/auth';
import {
  groupApps, isUnder, mergeAppUpdate, parseAppDefinition, parseGroupDefinition, resolvePathId, type ApiError, type App,
  type GroupDefinition,
  type DeploymentView, type MarathonAppView, type MarathonTaskView, type NodeView,
} from '@gantry/specs';
import type { AgentRepository } from '../agents/repository.js';
import type { Principal } from '../iam/authenticator.js';
import type { TaskRepository, TaskWithSpec } from '../tasks/repository.js';
import type { AppRecord, AppRepository, GroupRecord } from './app-repository.js';
import type { DeploymentRecord, DeploymentRepository } from './deployment-repository.js';
import { deploymentView } from './deployment-view.js';
import { DeploymentConflictError, DesiredStateError, type ChangeResult, type DesiredState, type Requester } from './desired-state.js';
import { appView, taskView } from './service-views.js';

/** An answer other than success, with Marathon's status and body. */
export class ServiceProblem extends Error {
  override name = 'ServiceProblem';
  constructor(readonly status: number, readonly body: ApiError & Record<string, unknown>) {
    super(body.message);
  }
}

/** DC/OS guards Marathon services with `dcos:service:marathon:marathon:services:/path`; Gantry's is `gantry:service:/path`. */
export const servicePermission = (id: string, action: PermissionRequest['action']): PermissionRequest => ({ resource: `gantry:service:${id}`, action });

export interface Deployed {
  deploymentId: string;
  version: string;
}

export interface ChangeOptions {
  force?: boolean;
  requester?: Requester;
}

/**
 * The services API in one place, for REST (`/v2`, Marathon's shapes) and tRPC (the
 * console) alike: it validates with the shared schemas, authorizes every app it
 * touches with `authorize()` of packages/auth, and reads or changes desired state.
 * A principal sees only the apps it may read (lists are filtered, not refused), and
 * is refused with 403 for an app it may not touch whether or not it exists.
 */
export class ServicesApi {
  constructor(
    private readonly apps: AppRepository,
    private readonly deployments: DeploymentRepository,
    private readonly tasks: TaskRepository,
    private readonly agents: AgentRepository,
    private readonly desired: DesiredState,
  ) {}

  // ── reads ─────────────────────────────────────────────────────────────────

  async listApps(principal: Principal, filter: { id?: string; cmd?: string; label?: string; embedTasks?: boolean } = {}): Promise<MarathonAppView[]> {
    const records = (await this.apps.list()).filter((r) => mayRead(principal, r.id) && matchesFilter(r, filter));
    return this.views(records, { embedTasks: filter.embedTasks ?? false });
  }

  async getApp(principal: Principal, id: string): Promise<MarathonAppView> {
    this.require(principal, id, 'read');
    const record = await this.apps.get(id);
    if (!record) throw notFound(`App '${id}' does not exist`);
    const [view] = await this.views([record], { embedTasks: true, lastTaskFailure: true });
    return view!;
  }

  async appTasks(principal: Principal, id: string): Promise<MarathonTaskView[]> {
    this.require(principal, id, 'read');
    const record = await this.apps.get(id);
    if (!record) throw notFound(`App '${id}' does not exist`);
    const [tasks, nodes] = await Promise.all([this.tasks.listByApps([id], { liveOnly: true }), this.nodes()]);
    return tasks.map((t) => taskView(t, nodes.get(t.agentId), record));
  }

  /** `GET /v2/tasks`: every live task the principal may see, optionally of some states only. */
  async listTasks(principal: Principal, states?: ReadonlySet<string>): Promise<MarathonTaskView[]> {
    const [tasks, records, nodes] = await Promise.all([this.tasks.listByApps(null, { liveOnly: true }), this.apps.list(), this.nodes()]);
    const byId = new Map(records.map((r) => [r.id, r]));
    return tasks
      .filter((t) => t.appId && mayRead(principal, t.appId) && (!states || states.has(t.state)))
      .map((t) => taskView(t, nodes.get(t.agentId), byId.get(t.appId!)));
  }

  async versions(principal: Principal, id: string): Promise<string[]> {
    this.require(principal, id, 'read');
    const versions = await this.apps.versions(id);
    if (versions.length === 0) throw notFound(`App '${id}' does not exist`);
    return versions.map((v) => v.toISOString());
  }

  async version(principal: Principal, id: string, version: string): Promise<App & { version: string }> {
    this.require(principal, id, 'read');
    const at = parseVersion(version);
    const found = await this.apps.version(id, at);
    if (!found) throw notFound(`App '${id}' does not exist in version ${version}`);
    return { ...found.app, version: found.version.toISOString() };
  }

  async listDeployments(principal: Principal): Promise<DeploymentView[]> {
    return (await this.deployments.active()).filter((d) => d.affectedApps.every((a) => mayRead(principal, a))).map(deploymentView);
  }

  /** Marathon's group tree (`GET /v2/groups[/id]`), holding only what the principal may read. */
  async group(principal: Principal, id: string): Promise<GroupView> {
    const records = (await this.apps.list()).filter((r) => mayRead(principal, r.id));
    const explicit = (await this.apps.groups()).filter((g) => mayRead(principal, g.id));
    const within = records.filter((r) => id === '/' || isUnder(r.id, id));
    const groupIds = new Set<string>(explicit.filter((g) => id === '/' || isUnder(g.id, id)).map((g) => g.id));
    for (const r of within) for (const ancestor of ancestors(r.id)) if (id === '/' || isUnder(ancestor, id)) groupIds.add(ancestor);
    if (id !== '/' && !groupIds.has(id)) {
      this.require(principal, id, 'read');
      throw notFound(`Group '${id}' does not exist`);
    }
    const views = new Map((await this.views(within, { embedTasks: false })).map((v) => [v.id, v]));
    const dependencies = new Map(explicit.map((g) => [g.id, g.dependencies]));
    const versionOf = (gid: string) => {
      const times = within.filter((r) => isUnder(r.id, gid)).map((r) => r.version.getTime());
      return new Date(Math.max(0, ...times)).toISOString();
    };
    const build = (gid: string): GroupView => ({
      id: gid,
      apps: within.filter((r) => parentOf(r.id) === gid).map((r) => views.get(r.id)!),
      groups: [...groupIds].filter((g) => g !== gid && parentOf(g) === gid).sort().map(build),
      pods: [],
      dependencies: dependencies.get(gid) ?? [],
      version: versionOf(gid),
      enforceRole: false,
    });
    return build(id);
  }

  // ── writes ────────────────────────────────────────────────────────────────

  async createApp(principal: Principal, json: unknown, options: ChangeOptions = {}): Promise<{ app: MarathonAppView; deployed: Deployed }> {
    const parsed = parseAppDefinition(json, { mode: 'create' });
    if (!parsed.ok) throw invalid(parsed.error);
    this.require(principal, parsed.app.id, 'create');
    const result = await this.run(() => this.desired.create(parsed.app, options));
    const record = result.apps.get(parsed.app.id)!;
    const [view] = await this.views([record], { embedTasks: true });
    return { app: view!, deployed: deployed(result) };
  }

  /**
   * `PUT /v2/apps/{id}`: replace (or, with `partial`, patch) the app, create it when it
   * does not exist, or with a body of only `{version}` roll it back to that version.
   */
  async putApp(principal: Principal, id: string, json: unknown, options: ChangeOptions & { partial?: boolean } = {}): Promise<{ deployed: Deployed; created: boolean }> {
    const body = (json ?? {}) as Record<string, unknown>;
    const rollback = isRollback(body) ? parseVersion(String(body.version)) : null;
    const existing = await this.apps.get(id);
    this.require(principal, id, existing ? 'update' : 'create');
    if (body.id !== undefined && typeof body.id === 'string' && resolvePathId(body.id).ok && resolvePathId(body.id).ok && (resolvePathId(body.id) as { id: string }).id !== id) {
      throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/id', errors: [`the id in the body (${body.id}) must be the app's id in the URL (${id})`] }] });
    }
    const result = await this.run(() => this.desired.put(id, async (current) => {
      if (rollback) {
        const found = await this.apps.version(id, rollback);
        if (!found) throw notFound(`App '${id}' does not exist in version ${rollback.toISOString()}`);
        return found.app;
      }
      const outcome = current && options.partial !== false
        ? mergeAppUpdate(current.app, body)
        : parseAppDefinition({ ...body, id }, { mode: 'update' });
      if (!outcome.ok) throw invalid(outcome.error);
      return outcome.app;
    }, options));
    return { deployed: deployed(result), created: result.created };
  }

  /** `PUT`/`PATCH /v2/apps` with an array: every app changes in one deployment. */
  async putApps(principal: Principal, json: unknown, options: ChangeOptions & { partial?: boolean } = {}): Promise<Deployed> {
    if (!Array.isArray(json)) throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/', errors: ['send an array of app definitions'] }] });
    const ids: string[] = [];
    const problems: { path: string; errors: string[] }[] = [];
    json.forEach((item, i) => {
      const raw = (item as { id?: unknown })?.id;
      const resolved = typeof raw === 'string' ? resolvePathId(raw) : null;
      if (!resolved?.ok) problems.push({ path: `/${i}/id`, errors: [resolved ? resolved.error : 'every app needs an id'] });
      else ids.push(resolved.id);
    });
    if (problems.length) throw new ServiceProblem(422, { message: 'Object is not valid', details: problems });
    const existing = new Set((await this.apps.list()).map((r) => r.id));
    for (const id of ids) this.require(principal, id, existing.has(id) ? 'update' : 'create');
    const result = await this.run(() => this.desired.putMany(ids, (current) => {
      const target = new Map<string, App | null>();
      const details: { path: string; errors: string[] }[] = [];
      json.forEach((item, i) => {
        const id = ids[i]!;
        const before = current.get(id);
        const outcome = before && options.partial !== false ? mergeAppUpdate(before.app, item) : parseAppDefinition({ ...(item as object), id }, { mode: 'update' });
        if (outcome.ok) target.set(id, outcome.app);
        else for (const d of outcome.error.details ?? []) details.push({ path: `/${i}${d.path}`, errors: d.errors });
      });
      if (details.length) throw new ServiceProblem(422, { message: 'Object is not valid', details });
      return target;
    }, options));
    return deployed(result);
  }

  async scaleApp(principal: Principal, id: string, instances: number, options: ChangeOptions = {}): Promise<Deployed> {
    if (!Number.isInteger(instances) || instances < 0) {
      throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/instances', errors: ['must be a whole number of instances, 0 or more'] }] });
    }
    return (await this.putApp(principal, id, { instances }, { ...options, partial: true })).deployed;
  }

  async restartApp(principal: Principal, id: string, options: ChangeOptions = {}): Promise<Deployed> {
    this.require(principal, id, 'update');
    return deployed(await this.run(() => this.desired.restart(id, options)));
  }

  async deleteApp(principal: Principal, id: string, options: ChangeOptions = {}): Promise<Deployed> {
    this.require(principal, id, 'delete');
    return deployed(await this.run(() => this.desired.remove(id, options)));
  }

  /**
   * Kills tasks of apps (`DELETE /v2/apps/{id}/tasks[/taskId]`, `POST /v2/tasks/delete`).
   * Without `scale` the scheduler replaces them; with it the apps shrink by as many,
   * in one deployment, and exactly these tasks go.
   */
  async killTasks(principal: Principal, taskIds: readonly string[], options: ChangeOptions & { scale?: boolean; appId?: string; host?: string } = {}): Promise<{ killed: MarathonTaskView[]; deployed?: Deployed }> {
    const tasks = await this.tasks.byIds(taskIds);
    const byApp = new Map<string, TaskWithSpec[]>();
    for (const task of tasks) {
      if (!task.appId || isTerminalState(task.state)) continue;
      if (options.appId && task.appId !== options.appId) continue;
      byApp.set(task.appId, [...(byApp.get(task.appId) ?? []), task]);
    }
    for (const appId of byApp.keys()) this.require(principal, appId, 'update');
    const chosen = [...byApp.values()].flat();
    const [records, nodes] = await Promise.all([this.apps.list(), this.nodes()]);
    const recordOf = new Map(records.map((r) => [r.id, r]));
    const killed = chosen.map((t) => taskView(t, nodes.get(t.agentId), recordOf.get(t.appId!)));
    if (!options.scale) {
      await this.tasks.requestKill(chosen.map((t) => t.id));
      return { killed };
    }
    const ids = [...byApp.keys()];
    const result = await this.run(() => this.desired.putMany(ids, (current) => {
      const target = new Map<string, App | null>();
      for (const id of ids) {
        const before = current.get(id);
        if (before) target.set(id, { ...before.app, instances: Math.max(0, before.app.instances - byApp.get(id)!.length) });
      }
      return target;
    }, { ...options, alsoInTransaction: (tx) => this.tasks.requestKill(chosen.map((t) => t.id), tx) }));
    return { killed, deployed: deployed(result) };
  }

  async appTaskIds(principal: Principal, appId: string, host?: string): Promise<string[]> {
    this.require(principal, appId, 'update');
    if (!(await this.apps.get(appId))) throw notFound(`App '${appId}' does not exist`);
    const [tasks, nodes] = await Promise.all([this.tasks.listByApps([appId], { liveOnly: true }), host ? this.nodes() : Promise.resolve(new Map<string, NodeView>())]);
    return tasks.filter((t) => !host || nodes.get(t.agentId)?.hostname === host || nodes.get(t.agentId)?.address === host).map((t) => t.id);
  }

  async createGroup(principal: Principal, json: unknown, base: string, options: ChangeOptions & { replace?: boolean } = {}): Promise<Deployed> {
    const parsed = parseGroupDefinition(json, base);
    if (!parsed.ok) throw invalid(parsed.error);
    const group = parsed.group;
    this.require(principal, group.id, options.replace ? 'update' : 'create');
    const apps = groupApps(group);
    const existing = (await this.apps.list()).filter((r) => isUnder(r.id, group.id)).map((r) => r.id);
    if (!options.replace && (existing.length > 0 || (await this.apps.groups()).some((g) => g.id === group.id))) {
      throw new ServiceProblem(409, { message: `Group ${group.id} is already created. Use PUT to change this group.` });
    }
    const ids = [...new Set([...apps.map((a) => a.id), ...(options.replace && groupHasApps(json) ? existing : [])])];
    const result = await this.run(() => this.desired.putMany(ids, () => {
      const target = new Map<string, App | null>(ids.map((id) => [id, null]));
      for (const app of apps) target.set(app.id, app);
      return target;
    }, { ...options, groups: groupRecords(group, new Date()) }));
    return deployed(result);
  }

  /** `PUT /v2/groups/{id}` with `scaleBy`: every app under the group scaled by the factor (rounded up, as Marathon). */
  async scaleGroup(principal: Principal, id: string, factor: number, options: ChangeOptions = {}): Promise<Deployed> {
    if (!(factor >= 0) || !Number.isFinite(factor)) throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/scaleBy', errors: ['must be a number, 0 or more'] }] });
    this.require(principal, id, 'update');
    const ids = (await this.apps.list()).filter((r) => isUnder(r.id, id)).map((r) => r.id);
    if (ids.length === 0) throw notFound(`Group '${id}' does not exist`);
    return deployed(await this.run(() => this.desired.putMany(ids, (current) => new Map(
      [...current.values()].map((r) => [r.id, { ...r.app, instances: Math.ceil(r.app.instances * factor) }]),
    ), options)));
  }

  async deleteGroup(principal: Principal, id: string, options: ChangeOptions = {}): Promise<Deployed> {
    this.require(principal, id, 'delete');
    return deployed(await this.run(() => this.desired.removeGroup(id, options)));
  }

  async cancelDeployment(principal: Principal, id: string, options: { force?: boolean } = {}): Promise<Deployed | null> {
    const deployment = await this.deployments.get(id);
    if (!deployment || deployment.status !== 'ACTIVE') throw notFound(`DeploymentPlan ${id} does not exist`);
    for (const app of deployment.affectedApps) this.require(principal, app, 'update');
    const result = await this.run(() => this.desired.cancelDeployment(id, options));
    return result && deployed(result);
  }

  // ── helpers ───────────────────────────────────────────────────────────────

  /** Refuses with 403 unless the principal may act on the app; names the grant it lacks. */
  require(principal: Principal, id: string, action: PermissionRequest['action']): void {
    const verdict = authorize(principal.grants, servicePermission(id, action));
    if (!verdict.allowed) throw new ServiceProblem(403, { message: `forbidden: ${verdict.reason}` });
  }

  private async run<T>(change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } catch (error) {
      if (error instanceof DeploymentConflictError) throw new ServiceProblem(409, { message: error.message, deployments: error.deploymentIds.map((id) => ({ id })) });
      if (error instanceof DesiredStateError) throw new ServiceProblem(error.status, { message: error.message });
      throw error;
    }
  }

  private async nodes(): Promise<Map<string, NodeView>> {
    return new Map((await this.agents.list()).map((n) => [n.id, n]));
  }

  private async views(records: readonly AppRecord[], options: { embedTasks: boolean; lastTaskFailure?: boolean }): Promise<MarathonAppView[]> {
    if (records.length === 0) return [];
    const ids = records.map((r) => r.id);
    const [tasks, deployments, nodes] = await Promise.all([
      this.tasks.listByApps(ids, { liveOnly: true }), this.deployments.active(), options.embedTasks ? this.nodes() : Promise.resolve(new Map<string, NodeView>()),
    ]);
    const byApp = new Map<string, TaskWithSpec[]>();
    for (const t of tasks) byApp.set(t.appId!, [...(byApp.get(t.appId!) ?? []), t]);
    const failures = options.lastTaskFailure ? await Promise.all(records.map((r) => this.tasks.lastFailure(r.id))) : [];
    return records.map((r, i) => appView(r, {
      tasks: byApp.get(r.id) ?? [], deployments, nodes, embedTasks: options.embedTasks, lastTaskFailure: failures[i] ?? null,
    }));
  }
}

export interface GroupView {
  id: string;
  apps: MarathonAppView[];
  groups: GroupView[];
  pods: never[];
  dependencies: string[];
  version: string;
  enforceRole: boolean;
}

const TERMINAL = new Set(['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE']);
const isTerminalState = (state: string) => TERMINAL.has(state);

function mayRead(principal: Principal, id: string): boolean {
  return authorize(principal.grants, servicePermission(id, 'read')).allowed;
}

function notFound(message: string): ServiceProblem {
  return new ServiceProblem(404, { message });
}

function invalid(error: ApiError): ServiceProblem {
  return new ServiceProblem(422, { ...error });
}

function deployed(result: ChangeResult): Deployed {
  return { deploymentId: result.deploymentId, version: result.version.toISOString() };
}

function parseVersion(version: string): Date {
  const at = new Date(version);
  if (Number.isNaN(at.getTime())) throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/version', errors: [`"${version}" is not a version: use an ISO time as GET .../versions lists them`] }] });
  return at;
}

/** Marathon rolls an app back when the update's only field is `version`. */
function isRollback(body: Record<string, unknown>): boolean {
  const keys = Object.keys(body).filter((k) => k !== 'id');
  return keys.length === 1 && keys[0] === 'version';
}

/** The groups of a definition as stored: each keeps its dependencies and role enforcement. */
function groupRecords(group: GroupDefinition, version: Date): GroupRecord[] {
  return [{ id: group.id, dependencies: group.dependencies, enforceRole: group.enforceRole, version }, ...group.groups.flatMap((g) => groupRecords(g, version))];
}

function groupHasApps(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'apps' in json;
}

/** Marathon's `?id=` (substring of the id), `?cmd=` (substring of the command) and `?label=` selectors. */
function matchesFilter(record: AppRecord, filter: { id?: string; cmd?: string; label?: string }): boolean {
  if (filter.id && !record.id.includes(filter.id)) return false;
  if (filter.cmd && !(record.app.cmd ?? '').includes(filter.cmd)) return false;
  if (filter.label) {
    for (const selector of filter.label.split(',')) {
      const m = /^\s*([^!=\s]+)\s*(==|!=)?\s*([^\s]*)\s*$/.exec(selector);
      if (!m) return false;
      const [, key, op, value] = m;
      const actual = record.app.labels[key!];
      if (!op && actual === undefined) return false;
      if (op === '==' && actual !== value) return false;
      if (op === '!=' && actual === value) return false;
    }
  }
  return true;
}

function parentOf(id: string): string {
  const i = id.lastIndexOf('/');
  return i <= 0 ? '/' : id.slice(0, i);
}

function ancestors(id: string): string[] {
  const out: string[] = [];
  for (let p = parentOf(id); p !== '/'; p = parentOf(p)) out.push(p);
  return out;
}

export type { DeploymentRecord };
