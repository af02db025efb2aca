import { randomUUID } from 'node:crypto';
import { planDeployment, type ServiceSpec } from '@gantry/scheduler-core';
import { configChanged, hasPersistentVolumes, isUnder, type App, type MarathonEvent } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import type { Tx } from '../db/fenced.js';
import { notify } from '../events/notify.js';
import type { AppRecord, AppRepository, GroupRecord } from './app-repository.js';
import type { DeployedApp, DeploymentRecord, DeploymentRepository } from './deployment-repository.js';
import { deploymentPlanView } from './deployment-view.js';
import type { ServiceEventLog } from './service-event-log.js';
import { serviceSpec } from './scheduler/service-spec.js';

/** A change touches apps that an active deployment is moving: Marathon answers 409 with their ids. */
export class DeploymentConflictError extends Error {
  override name = 'DeploymentConflictError';
  constructor(readonly deploymentIds: string[]) {
    super(`App is locked by one or more deployments. Override with the option '?force=true'. Then the old deployment will be canceled and a new deployment is created.`);
  }
}

/** The change cannot be made as asked (e.g. the app already exists); `status` is the HTTP answer. */
export class DesiredStateError extends Error {
  override name = 'DesiredStateError';
  constructor(readonly status: 404 | 409 | 422, message: string) {
    super(message);
  }
}

export interface ChangeResult {
  deploymentId: string;
  version: Date;
  /** The apps as they are now wanted (absent: removed). */
  apps: Map<string, AppRecord>;
}

/** Who asked, for Marathon's api_post_event. */
export interface Requester {
  clientIp: string;
  uri: string;
}

type Target = Map<string, App | null>;

/**
 * A check every change passes inside its transaction before anything is written; it
 * throws to refuse (quotas: apps/api/src/quotas/admission.ts). `after` holds the changed
 * apps as wanted (null: removed); `apps()` reads every stored app in the transaction.
 */
/** One change of an app that has persistent volumes (before or after), for the stateful framework to run it. */
export interface ResidentChange {
  id: string;
  before: App | null;
  after: App | null;
  /** `POST /v2/apps/{id}/restart`: the same config, every instance restarted. */
  restart: boolean;
}

/** Writes the stateful side of a resident app's change, in the change's transaction (throws DesiredStateError to refuse it). */
export type ResidentHook = (tx: Tx, change: ResidentChange) => Promise<void>;

export type Admission = (tx: Tx, change: { after: ReadonlyMap<string, App | null>; apps: () => Promise<AppRecord[]> }) => Promise<void>;

// Marathon hands out service ports from this range for port definitions that ask for 0.
const SERVICE_PORT_MIN = 10_000;
const SERVICE_PORT_MAX = 20_000;

/**
 * Every change of desired state: one transaction writes the apps' new versions, the
 * deployment plan that moves actual state there, and the events that say so, then
 * wakes the scheduler (ARCHITECTURE, two-level scheduling step 1). Any API replica
 * may write; per-app advisory locks serialize concurrent changes to the same apps,
 * so two updates never interleave into a corrupt state.
 */
export class DesiredState {
  constructor(
    private readonly db: Db,
    private readonly apps: AppRepository,
    private readonly deployments: DeploymentRepository,
    private readonly log: ServiceEventLog,
    private readonly now: () => Date,
    private readonly admission?: Admission,
    private readonly resident?: ResidentHook,
  ) {}

  /** `POST /v2/apps`: a new app; 409 if it (or a group of that name) exists. */
  async create(app: App, options: { force?: boolean; requester?: Requester } = {}): Promise<ChangeResult> {
    return this.change([app.id], async (current, tx) => {
      if (current.get(app.id)) throw new DesiredStateError(409, `An app with id [${app.id}] already exists.`);
      await this.checkPlacementInTree(tx, app.id);
      return new Map([[app.id, app]]);
    }, { ...options, posted: [app] });
  }

  /**
   * `PUT /v2/apps/{id}` (create or replace) and every change derived from one (scale,
   * partial update, rollback to a version): `derive` turns the current app (or null)
   * into the wanted one.
   */
  async put(id: string, derive: (current: AppRecord | null) => App | Promise<App>, options: { force?: boolean; requester?: Requester } = {}): Promise<ChangeResult & { created: boolean }> {
    let created = false;
    const result = await this.change([id], async (current, tx) => {
      const existing = current.get(id) ?? null;
      created = existing === null;
      if (created) await this.checkPlacementInTree(tx, id);
      return new Map([[id, await derive(existing)]]);
    }, { ...options, postedFromTarget: true });
    return { ...result, created };
  }

  /** Several apps at once (`PUT`/`PATCH /v2/apps` with an array, group updates). */
  async putMany(
    ids: readonly string[],
    derive: (current: Map<string, AppRecord>) => Target | Promise<Target>,
    options: { force?: boolean; requester?: Requester; groups?: readonly GroupRecord[]; alsoInTransaction?: (tx: Tx) => Promise<void> } = {},
  ): Promise<ChangeResult> {
    return this.change(ids, async (current, tx) => {
      for (const group of options.groups ?? []) await this.apps.putGroup(tx, group);
      const target = await derive(current);
      await options.alsoInTransaction?.(tx);
      return target;
    }, { ...options, postedFromTarget: true });
  }

  /** `DELETE /v2/apps/{id}`: a StopApplication deployment; 404 if there is no such app. */
  async remove(id: string, options: { force?: boolean } = {}): Promise<ChangeResult> {
    return this.change([id], async (current) => {
      if (!current.get(id)) throw new DesiredStateError(404, `App '${id}' does not exist`);
      return new Map([[id, null]]);
    }, options);
  }

  /** `POST /v2/apps/{id}/restart`: the same config under a new version, so every instance is replaced. */
  async restart(id: string, options: { force?: boolean } = {}): Promise<ChangeResult> {
    return this.change([id], async (current) => {
      const existing = current.get(id);
      if (!existing) throw new DesiredStateError(404, `App '${id}' does not exist`);
      return new Map([[id, existing.app]]);
    }, { ...options, restart: new Set([id]) });
  }

  /** Removes every app under a group, and the group (`DELETE /v2/groups/{id}`). */
  async removeGroup(groupId: string, options: { force?: boolean } = {}): Promise<ChangeResult> {
    const under = (await this.apps.list()).filter((r) => isUnder(r.id, groupId)).map((r) => r.id);
    const groups = (await this.apps.groups()).filter((g) => isUnder(g.id, groupId)).map((g) => g.id);
    if (under.length === 0 && groups.length === 0) throw new DesiredStateError(404, `Group '${groupId}' does not exist`);
    return this.change(under, async (_current, tx) => {
      await this.apps.removeGroups(tx, groups);
      return new Map(under.map((id) => [id, null]));
    }, options);
  }

  /**
   * `DELETE /v2/deployments/{id}`: Marathon cancels the deployment and starts a new one
   * that takes its apps back to what they were; with `force` it only stops it where it is.
   */
  async cancelDeployment(id: string, options: { force?: boolean } = {}): Promise<ChangeResult | null> {
    const deployment = await this.deployments.get(id);
    if (!deployment || deployment.status !== 'ACTIVE') throw new DesiredStateError(404, `DeploymentPlan ${id} does not exist`);
    if (options.force) {
      await this.db.$transaction(async (tx) => {
        await this.deployments.cancel(tx, [id], this.now());
        await this.log.append(tx, [{ event: failedEvent(deployment, this.now()) }]);
        await notify(tx, { type: 'desired' });
      });
      return null;
    }
    return this.change(deployment.affectedApps, async () => new Map(
      deployment.affectedApps.map((appId) => [appId, deployment.original[appId]?.app ?? null]),
    ), { force: true });
  }

  // ── the one transaction every change goes through ───────────────────────────

  private async change(
    ids: readonly string[],
    derive: (current: Map<string, AppRecord>, tx: Tx) => Promise<Target>,
    options: { force?: boolean; requester?: Requester; posted?: App[]; postedFromTarget?: boolean; restart?: Set<string> },
  ): Promise<ChangeResult> {
    const result = await this.db.$transaction(async (tx) => {
      await this.apps.lock(tx, ids);
      const current = new Map<string, AppRecord>();
      for (const id of ids) {
        const record = await this.apps.getIn(tx, id);
        if (record) current.set(id, record);
      }
      const target = await derive(current, tx);
      for (const id of target.keys()) if (!ids.includes(id)) throw new Error(`a change derived app ${id}, which it did not lock`);
      await this.admission?.(tx, { after: target, apps: () => this.apps.listIn(tx) });

      const changed = [...target.keys()].sort();
      const active = await this.deployments.activeIn(tx);
      const conflicts = active.filter((d) => d.affectedApps.some((a) => target.has(a)));
      if (conflicts.length && !options.force) throw new DeploymentConflictError(conflicts.map((d) => d.id));
      const now = this.now();
      if (conflicts.length) await this.deployments.cancel(tx, conflicts.map((d) => d.id), now);

      // Versions only grow, even with two changes in one millisecond.
      const latest = Math.max(now.getTime(), ...[...current.values()].map((r) => r.version.getTime() + 1));
      const version = new Date(latest);
      const wanted = new Map<string, AppRecord>();
      const original: Record<string, DeployedApp | null> = {};
      const after: Record<string, DeployedApp | null> = {};
      const originalSpecs = new Map<string, ServiceSpec>();
      const targetSpecs = new Map<string, ServiceSpec>();
      const needPorts = [...target.values()].some((app) => app?.portDefinitions.some((p) => p.port === 0));
      const takenPorts = needPorts ? await this.servicePortsInUse(tx, new Set(changed)) : new Set<number>();
      for (const id of changed) {
        const before = current.get(id) ?? null;
        const app = target.get(id) ?? null;
        original[id] = before && deployed(before);
        if (before) originalSpecs.set(id, serviceSpec(before));
        if (this.resident && (hasPersistentVolumes(before?.app.container) || hasPersistentVolumes(app?.container))) {
          await this.resident(tx, { id, before: before?.app ?? null, after: app, restart: options.restart?.has(id) ?? false });
        }
        if (!app) {
          after[id] = null;
          await this.apps.remove(tx, id);
          continue;
        }
        const withPorts = assignServicePorts(app, before?.app ?? null, takenPorts);
        const configChange = !before || options.restart?.has(id) || configChanged(before.app, withPorts);
        const scaled = !before || before.app.instances !== withPorts.instances;
        const record: AppRecord = {
          id, app: withPorts, version,
          lastConfigChangeAt: configChange ? version : before!.lastConfigChangeAt,
          lastScalingAt: scaled || configChange ? version : before!.lastScalingAt,
          createdAt: before?.createdAt ?? version,
        };
        if (before && !configChange && !scaled && JSON.stringify(before.app) === JSON.stringify(withPorts)) {
          wanted.set(id, before); // nothing changed: Marathon still answers with a (trivial) deployment
          after[id] = deployed(before);
          targetSpecs.set(id, serviceSpec(before));
          continue;
        }
        await this.apps.put(tx, record);
        wanted.set(id, record);
        after[id] = deployed(record);
        targetSpecs.set(id, serviceSpec(record));
      }
      const plan = planDeployment(originalSpecs, targetSpecs);
      if (!plan.ok) throw new DesiredStateError(422, plan.error.message);

      const deployment: DeploymentRecord = {
        id: randomUUID(), version, status: 'ACTIVE', affectedApps: changed, steps: plan.steps, currentStep: 0,
        original, target: after, createdAt: now, finishedAt: null,
      };
      await this.deployments.create(tx, deployment);
      await this.log.append(tx, this.events(deployment, conflicts, options, wanted, now));
      await notify(tx, { type: 'desired' });
      return { deploymentId: deployment.id, version, apps: wanted };
    });
    return result;
  }

  private events(deployment: DeploymentRecord, canceled: DeploymentRecord[], options: { requester?: Requester; posted?: App[]; postedFromTarget?: boolean }, wanted: Map<string, AppRecord>, now: Date): { event: MarathonEvent; appId?: string }[] {
    const timestamp = now.toISOString();
    const events: { event: MarathonEvent; appId?: string }[] = canceled.map((d) => ({ event: failedEvent(d, now) }));
    if (options.requester) {
      const posted = options.posted ?? (options.postedFromTarget ? [...wanted.values()].map((r) => r.app) : []);
      for (const app of posted) {
        events.push({ appId: app.id, event: { eventType: 'api_post_event', timestamp, clientIp: options.requester.clientIp, uri: options.requester.uri, appDefinition: { ...app, version: deployment.version.toISOString() } } as MarathonEvent });
      }
    }
    events.push({ event: { eventType: 'group_change_success', timestamp, groupId: '/', version: deployment.version.toISOString() } as MarathonEvent });
    events.push({ event: { eventType: 'deployment_info', timestamp, plan: deploymentPlanView(deployment), currentStep: { actions: deployment.steps[0] ?? [] } } as MarathonEvent });
    return events;
  }

  /**
   * Marathon keeps apps and groups in one tree: an app cannot sit where another app is
   * a group (`/a` an app and `/a/b` too), nor hold apps below itself.
   */
  private async checkPlacementInTree(tx: Tx, id: string): Promise<void> {
    for (const other of await this.apps.listIn(tx)) {
      if (other.id !== id && isUnder(id, other.id)) throw new DesiredStateError(409, `${id} cannot be created inside ${other.id}: that is an app, not a group`);
      if (other.id !== id && isUnder(other.id, id)) throw new DesiredStateError(409, `${id} is a group holding ${other.id}; an app cannot have that id`);
    }
  }

  private async servicePortsInUse(tx: Tx, except: ReadonlySet<string>): Promise<Set<number>> {
    // One writer hands out service ports at a time, so two new apps never get the same.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('gantry-service-ports'))`;
    const taken = new Set<number>();
    for (const r of await this.apps.listIn(tx)) {
      if (except.has(r.id)) continue;
      for (const p of r.app.portDefinitions) taken.add(p.port);
    }
    return taken;
  }
}

function deployed(record: AppRecord): DeployedApp {
  return { app: record.app, version: record.version.toISOString(), lastScalingAt: record.lastScalingAt.toISOString(), lastConfigChangeAt: record.lastConfigChangeAt.toISOString() };
}

function failedEvent(d: DeploymentRecord, now: Date): MarathonEvent {
  return { eventType: 'deployment_failed', timestamp: now.toISOString(), id: d.id, plan: deploymentPlanView(d), reason: 'canceled' } as MarathonEvent;
}

/**
 * Marathon: a port definition asking for 0 gets the next free service port from
 * 10000–20000; an app that already had service ports keeps them across updates.
 */
function assignServicePorts(app: App, before: App | null, taken: Set<number>): App {
  if (!app.portDefinitions.some((p) => p.port === 0)) return app;
  const kept = before?.portDefinitions.map((p) => p.port) ?? [];
  let next = SERVICE_PORT_MIN;
  const portDefinitions = app.portDefinitions.map((p, i) => {
    if (p.port !== 0) return p;
    const previous = kept[i];
    if (previous && !taken.has(previous)) {
      taken.add(previous);
      return { ...p, port: previous };
    }
    while (taken.has(next) || app.portDefinitions.some((q) => q.port === next)) next++;
    if (next > SERVICE_PORT_MAX) throw new DesiredStateError(422, 'no service port is left between 10000 and 20000; give the port definition a port of its own');
    taken.add(next);
    return { ...p, port: next };
  });
  return { ...app, portDefinitions };
}
