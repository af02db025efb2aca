import { authorize } from '@gantry/auth';
import {
  findPod, forceCompleteStep, instanceName, isTerminalTask, pausePlan, planView, requestPodReplace, requestPodRestart, restartStep, resumePlan,
  type PlanState, type PlanTarget, type PlanVerbResult, type PlanView, type PodInstanceState, type PodReservation, type SpecProblem,
  type StatefulServiceSpec, type StatefulTask,
} from '@gantry/scheduler-core';
import { fieldErrors, resolvePathId, StatefulServiceDefinition, type FieldErrors, type NodeView } from '@gantry/specs';
import type { AgentRepository } from '../agents/repository.js';
import type { Tx } from '../db/fenced.js';
import type { Db } from '../db/prisma.js';
import type { Principal } from '../iam/authenticator.js';
import { ServiceProblem, servicePermission } from '../services/services-api.js';
import { firstConfig, nextConfig } from './config-change.js';
import { RevisionConflictError, type StatefulRecord, type StatefulServiceRepository } from './repository.js';

/**
 * Stateful services (the dcos-commons SDK's model) for REST (`/v1/stateful`) and tRPC
 * alike, as ServicesApi is for Marathon apps: every call is authorized per service path
 * (`gantry:service:<id>` — read for reads, create, update for a new config and the
 * operator verbs, delete for uninstall) with the one `authorize()`, refusing with 403
 * whether or not the service exists; lists hold only what the principal may read.
 *
 * Writes change *desired* state only, through the record's `revision`: the leader's
 * framework pass reads a record, reconciles, and writes its plans and pod instances back
 * under the revision it read, so an operator verb and a pass never lose each other's
 * change — whoever writes second retries from a fresh read (here: up to RETRIES times).
 *
 * What each write leaves for the leader's pass:
 *   create      definition + configId, and the `deploy` plan built as the pass would
 *               (every step PENDING), so the plan is visible before the first pass
 *   update      a new definition under a new configId; the old one stays in
 *               `pastDefinitions` (recovery relaunches a pod into the config it runs);
 *               the pass builds the `update` plan (SDK: only what differs is deployed)
 *   verbs       the core's pure plan edits (pause/resume, restart, force-complete)
 *   pod restart / replace   `restartRequestedAt` / `replaceRequestedAt` on the instance;
 *               the pass turns them into a recovery step (RESTART in place, REPLACE:
 *               destroy volumes, unreserve, place anew)
 *   uninstall   `{destroyData}`; the pass kills every task, and only with destroyData
 *               destroys the volumes and unreserves, then removes the record
 */

const RETRIES = 5;

export type Json = Record<string, unknown>;

export interface StatefulTaskView {
  taskId: string;
  name: string;
  state: StatefulTask['state'];
  healthy: boolean | null;
  ready: boolean | null;
  configId: string;
  agentId: string;
  stagedAt: string;
  endedAt: string | null;
}

export interface VolumeView {
  id: string;
  path: string;
  /** MiB. */
  size: number;
}

export interface ReservationView {
  agentId: string;
  hostname: string;
  /** The node's address as the master knows it (where to reach the pod's ports); null when the node is unknown. */
  address: string | null;
  /** `ACTIVE`, `UNREACHABLE`, or `UNKNOWN` (the master does not know the node). */
  nodeState: NodeView['state'] | 'UNKNOWN';
  generation: number;
  configId: string;
  ports: { name: string; port: number }[];
  volumes: VolumeView[];
}

/**
 * A pod instance as the console shows it:
 *   PENDING    nothing reserved yet (not placed, or placed anew after a replace)
 *   STARTING   tasks staging/starting          STARTED   running, not ready yet
 *   RUNNING    every RUNNING-goal task runs and is ready (FINISHED-goal ones finished)
 *   STOPPED    nothing runs on its reservation (ended; the recovery plan relaunches it)
 *   LOST       its node is unreachable or unknown: it waits for it (never moved on its own),
 *              unless it keeps no data there (no local volume): then it is being placed anew
 *   RESTARTING / REPLACING   the operator asked; the next pass takes it
 */
export type PodStatus = 'PENDING' | 'STARTING' | 'STARTED' | 'RUNNING' | 'STOPPED' | 'LOST' | 'RESTARTING' | 'REPLACING';

export interface PodInstanceView {
  name: string;
  pod: string;
  index: number;
  generation: number;
  status: PodStatus;
  /** Why, in words (the plan step's message when one is at work on it). */
  message: string | null;
  reservation: ReservationView | null;
  tasks: StatefulTaskView[];
  /** Earlier generations' reservations (after a replace) still to be destroyed on their nodes. */
  retired: ReservationView[];
  restartRequestedAt: string | null;
  replaceRequestedAt: string | null;
  /** When a relaunch is delayed after failures (backoff). */
  delayedUntil: string | null;
}

/**
 * DEPLOYING (deploy plan not complete), UPDATING (update plan not complete), RECOVERING
 * (a recovery step at work), RUNNING, ERROR (a rollout step cannot be done as
 * specified), UNINSTALLING.
 */
export type ServiceStatus = 'DEPLOYING' | 'UPDATING' | 'RECOVERING' | 'RUNNING' | 'ERROR' | 'UNINSTALLING';

export interface StatefulServiceView {
  id: string;
  status: ServiceStatus;
  configId: string;
  role: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  uninstall: { destroyData: boolean } | null;
  definition: StatefulServiceDefinition;
  /** Configs kept for pods still running them, by configId (the current one included). */
  configIds: string[];
  /** The plan rolling out the current config (`deploy` or `update`), and where it stands. */
  rollout: { plan: string; status: PlanView['status'] } | null;
  plans: PlanView[];
  pods: PodInstanceView[];
}

/** What the verbs answer: the service after the change, and words for the operator. */
export interface VerbResult {
  service: StatefulServiceView;
  message: string;
  /** `pod replace`: what is lost. */
  warning?: string;
}

export interface CreateOptions {
  /** Written in the same transaction as the new service (the catalog records its install). */
  alsoInTransaction?: (tx: Tx) => Promise<void>;
}

/** Path segments the `/v1/stateful/services/<id>/…` routes reserve. */
const RESERVED_SEGMENTS = new Set(['plans', 'pods']);

export class StatefulApi {
  constructor(
    private readonly db: Db,
    private readonly repo: StatefulServiceRepository,
    private readonly agents: AgentRepository,
    /** Whether a Marathon app holds this id (one name space for every service). */
    private readonly appExists: (id: string) => Promise<boolean>,
    private readonly now: () => Date,
  ) {}

  // ── reads ─────────────────────────────────────────────────────────────────

  async list(principal: Principal): Promise<StatefulServiceView[]> {
    const records = (await this.repo.list()).filter((r) => mayRead(principal, r.id));
    if (records.length === 0) return [];
    const nodes = await this.nodes();
    return records.map((r) => serviceView(r, nodes));
  }

  async get(principal: Principal, id: string): Promise<StatefulServiceView> {
    const key = this.id(id);
    this.require(principal, key, 'read');
    return serviceView(await this.load(key), await this.nodes());
  }

  /** Whether a stateful service of this id exists (no authorization: for the catalog's own checks). */
  async exists(id: string): Promise<boolean> {
    return (await this.repo.get(id)) !== null;
  }

  // ── writes ────────────────────────────────────────────────────────────────

  async create(principal: Principal, json: unknown, options: CreateOptions = {}): Promise<StatefulServiceView> {
    const definition = parseDefinition(json);
    const id = definition.name;
    this.require(principal, id, 'create');
    const first = firstConfig(definition);
    if ('problems' in first) throw invalidSpec(first.problems);
    const { configId, plans } = first;
    if (await this.appExists(id)) throw new ServiceProblem(409, { message: `An app with id [${id}] already exists: a stateful service needs a name of its own.` });
    const now = this.now();
    await this.db.$transaction(async (tx) => {
      if (!(await this.repo.create(tx, { id, definition, configId }, now))) {
        throw new ServiceProblem(409, { message: `A stateful service with id [${id}] already exists.` });
      }
      await this.repo.update(id, 0, { plans }, now, tx);
      await options.alsoInTransaction?.(tx);
    });
    return this.view({
      id, definition, configId, pastDefinitions: { [configId]: definition }, plans, podInstances: [], uninstall: null,
      revision: 1, createdAt: now, updatedAt: now,
    });
  }

  /**
   * A new configuration (`PUT`): the whole definition, checked as a create is and then
   * against the running one (`validateSpecUpdate`: no pod removed, no count lowered, no
   * volume changed, …). An identical definition changes nothing.
   */
  async update(principal: Principal, id: string, json: unknown, options: CreateOptions = {}): Promise<{ service: StatefulServiceView; changed: boolean }> {
    const key = this.id(id);
    this.require(principal, key, 'update');
    const body = isObject(json) && json.name === undefined ? { ...json, name: key } : json;
    const definition = parseDefinition(body);
    if (definition.name !== key) {
      throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/name', errors: [`the name in the body (${definition.name}) must be the service's id in the URL (${key})`] }] });
    }
    await this.refuseResident(key);
    let changed = false;
    const written = await this.mutate(key, (record) => {
      if (record.uninstall) throw uninstalling(key);
      const next = nextConfig(record, definition);
      changed = next !== null;
      if (next === null) return null;
      if ('problems' in next) throw invalidSpec(next.problems);
      return next.fields;
    }, options.alsoInTransaction);
    return { service: await this.view(written), changed };
  }

  /**
   * Uninstall (SDK: the scheduler's uninstall plan): every task is killed; only with
   * `destroyData` are the volumes destroyed and the reservations released. A second
   * call may turn destroyData on (never off: destroying may have begun).
   */
  async uninstall(principal: Principal, id: string, destroyData: boolean, options: CreateOptions = {}): Promise<VerbResult> {
    const key = this.id(id);
    this.require(principal, key, 'delete');
    await this.refuseResident(key);
    const written = await this.mutate(key, (record) => {
      if (record.uninstall && (record.uninstall.destroyData || !destroyData)) return null;
      return { uninstall: { destroyData: destroyData || (record.uninstall?.destroyData ?? false) } };
    }, options.alsoInTransaction);
    // What this call wrote (the leader may tear a service with nothing placed down at once).
    const service = await this.view(written);
    const kept = service.pods.filter((p) => p.reservation?.volumes.length).map((p) => `${p.name} on ${p.reservation!.hostname}`);
    return {
      service,
      message: service.uninstall?.destroyData
        ? `${key} is being uninstalled: its tasks are killed, then its volumes destroyed and its reservations released`
        : `${key} is being uninstalled: its tasks are killed; its volumes and reservations are kept${kept.length ? ` (${kept.join(', ')})` : ''} — uninstall with destroyData to release them`,
    };
  }

  /** SDK `plan pause` (interrupt): the plan, or one phase, starts no new step. */
  pausePlan(principal: Principal, id: string, target: Omit<PlanTarget, 'step'>): Promise<VerbResult> {
    return this.planVerb(principal, id, (plans) => pausePlan(plans, target.plan, target.phase), `paused ${describeTarget(target)}`);
  }

  /** SDK `plan resume` (continue). */
  resumePlan(principal: Principal, id: string, target: Omit<PlanTarget, 'step'>): Promise<VerbResult> {
    return this.planVerb(principal, id, (plans) => resumePlan(plans, target.plan, target.phase), `resumed ${describeTarget(target)}`);
  }

  /** SDK `plan restart`: the step (or every step of the phase or plan) runs again; its tasks are killed and relaunched in place. */
  restartStep(principal: Principal, id: string, target: PlanTarget): Promise<VerbResult> {
    return this.planVerb(principal, id, (plans) => restartStep(plans, target, this.now().getTime()), `restarting ${describeTarget(target)}`);
  }

  /** SDK `plan force-complete`: the step counts as COMPLETE without any check; the plan moves on. */
  forceCompleteStep(principal: Principal, id: string, target: Required<PlanTarget>): Promise<VerbResult> {
    return this.planVerb(principal, id, (plans) => forceCompleteStep(plans, target), `forced ${describeTarget(target)} to COMPLETE`);
  }

  /** SDK `pod restart`: its tasks are killed and relaunched on the same node, with the same volumes. */
  async restartPod(principal: Principal, id: string, pod: string): Promise<VerbResult> {
    const key = this.id(id);
    this.require(principal, key, 'update');
    const written = await this.podVerb(key, pod, (instance, now) => {
      if (!instance.reservation) throw new ServiceProblem(409, { message: `${pod} has not been placed yet: there is nothing to restart` });
      return requestPodRestart(instance, now);
    });
    return { service: await this.view(written), message: `${pod} is restarted in place: same node, same volumes` };
  }

  /**
   * SDK `pod replace`: its tasks are killed, its volumes destroyed and its reservation
   * released, and it is placed anew — the only way a stateful pod leaves its node. The
   * answer says what is lost.
   */
  async replacePod(principal: Principal, id: string, pod: string): Promise<VerbResult> {
    const key = this.id(id);
    this.require(principal, key, 'update');
    let lost: PodReservation | null = null;
    let podName = '';
    const written = await this.podVerb(key, pod, (instance, now) => {
      lost = instance.reservation;
      podName = instance.pod;
      return requestPodReplace(instance, now);
    });
    const held = lost as PodReservation | null;
    const volumes = held?.volumes.map((v) => v.id).join(', ') ?? '';
    const service = await this.view(written);
    // A pod whose volumes are all external keeps its data in their provider, not on its node.
    const external = service.definition.pods.find((p) => p.name === podName)?.volumes.filter((v) => v.type === 'EXTERNAL') ?? [];
    const s = external.length > 1 ? 's' : '';
    return {
      service,
      message: `${pod} is replaced: it will be placed anew, possibly on another node`,
      warning: held && held.volumes.length === 0 && external.length > 0
        ? `${pod}'s reservation on ${held.hostname} is released; its data stays in its external volume${s} (${external.map((v) => v.path).join(', ')}): nothing is lost`
        : held
        ? `the data of ${pod} on ${held.hostname} is lost: ${volumes ? `its volume${held.volumes.length > 1 ? 's' : ''} ${volumes} ${held.volumes.length > 1 ? 'are' : 'is'} destroyed` : 'its reservation is released'} and it starts empty`
        : `${pod} held no reservation yet: nothing is destroyed`,
    };
  }

  // ── helpers ───────────────────────────────────────────────────────────────

  /** Refuses with 403 unless the principal may act on the service; names the grant it lacks. */
  require(principal: Principal, id: string, action: 'read' | 'create' | 'update' | 'delete'): void {
    const verdict = authorize(principal.grants, servicePermission(id, action));
    if (!verdict.allowed) throw new ServiceProblem(403, { message: `forbidden: ${verdict.reason}` });
  }

  /** The stored id of a service path: absolute, normalised (`postgresql` → `/postgresql`). */
  id(raw: string): string {
    const resolved = resolvePathId(raw);
    if (!resolved.ok) throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/id', errors: [resolved.error] }] });
    return resolved.id;
  }

  private async load(id: string): Promise<StatefulRecord> {
    const record = await this.repo.get(id);
    if (!record) throw new ServiceProblem(404, { message: `Stateful service '${id}' does not exist` });
    return record;
  }

  /**
   * Read, change, write under the revision read; on a conflict (the leader's pass or
   * another operator wrote meanwhile) read again and redo the change. `change` returns
   * null for "nothing to write".
   */
  /** A resident app's service follows its app: its config and its removal go through /v2/apps (pods and plans verbs work here). */
  private async refuseResident(id: string): Promise<void> {
    if (await this.appExists(id)) {
      throw new ServiceProblem(409, { message: `${id} is a Marathon app with persistent volumes: change or delete it through /v2/apps${id}` });
    }
  }

  private async mutate(
    id: string,
    change: (record: StatefulRecord) => Parameters<StatefulServiceRepository['update']>[2] | null,
    alsoInTransaction?: (tx: Tx) => Promise<void>,
  ): Promise<StatefulRecord> {
    for (let attempt = 1; ; attempt++) {
      const record = await this.load(id);
      const fields = change(record);
      if (fields === null) {
        if (alsoInTransaction) await this.db.$transaction(alsoInTransaction);
        return record;
      }
      try {
        const now = this.now();
        await this.db.$transaction(async (tx) => {
          await this.repo.update(id, record.revision, fields, now, tx);
          await alsoInTransaction?.(tx);
        });
        return { ...record, ...fields, revision: record.revision + 1, updatedAt: now };
      } catch (error) {
        if (!(error instanceof RevisionConflictError) || attempt >= RETRIES) {
          if (error instanceof RevisionConflictError) throw new ServiceProblem(409, { message: `${id} kept changing while this was applied; try again` });
          throw error;
        }
      }
    }
  }

  private async planVerb(principal: Principal, id: string, edit: (plans: readonly PlanState[]) => PlanVerbResult, done: string): Promise<VerbResult> {
    const key = this.id(id);
    this.require(principal, key, 'update');
    const written = await this.mutate(key, (record) => {
      if (record.uninstall) throw uninstalling(key);
      const result = edit(record.plans);
      if (!result.ok) throw new ServiceProblem(404, { message: `${key}: ${result.error}` });
      return { plans: result.plans };
    });
    return { service: await this.view(written), message: `${key}: ${done}` };
  }

  private async podVerb(id: string, pod: string, edit: (instance: PodInstanceState, now: number) => PodInstanceState): Promise<StatefulRecord> {
    return this.mutate(id, (record) => {
      if (record.uninstall) throw uninstalling(id);
      const instance = record.podInstances.find((i) => instanceName(i) === pod);
      if (!instance) {
        const configured = configuredInstances(record.definition);
        throw configured.includes(pod)
          ? new ServiceProblem(409, { message: `${pod} has not been placed yet: wait for the deploy plan to reach it` })
          : new ServiceProblem(404, { message: `${id} has no pod instance ${pod} (it has ${configured.join(', ') || 'none'})` });
      }
      const now = this.now().getTime();
      return { podInstances: record.podInstances.map((i) => (i === instance ? edit(i, now) : i)) };
    });
  }

  /** A verb answers with what it wrote, not with a later read (the leader may have moved on, or removed the service). */
  private async view(record: StatefulRecord): Promise<StatefulServiceView> {
    return serviceView(record, await this.nodes());
  }

  private async nodes(): Promise<Map<string, NodeView>> {
    return new Map((await this.agents.list()).map((n) => [n.id, n]));
  }
}

// ─── validation ──────────────────────────────────────────────────────────────

function parseDefinition(json: unknown): StatefulServiceDefinition {
  const parsed = StatefulServiceDefinition.safeParse(json);
  if (!parsed.success) throw new ServiceProblem(422, { message: 'Object is not valid', details: fieldErrors(parsed.error) });
  const resolved = resolvePathId(parsed.data.name);
  if (!resolved.ok) throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/name', errors: [resolved.error] }] });
  const reserved = resolved.id.split('/').find((s) => RESERVED_SEGMENTS.has(s));
  if (reserved) throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/name', errors: [`"${reserved}" is reserved by the /v1/stateful API: name the service otherwise`] }] });
  if (resolved.id === '/') throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/name', errors: ['a service needs a name, not the root group'] }] });
  // One spelling of the name everywhere (labels, task ids, permissions): the absolute path.
  return { ...parsed.data, name: resolved.id };
}

function invalidSpec(problems: readonly SpecProblem[]): ServiceProblem {
  const byPath = new Map<string, string[]>();
  for (const p of problems) {
    const path = '/' + p.path.join('/');
    byPath.set(path, [...(byPath.get(path) ?? []), p.message]);
  }
  const details: FieldErrors[] = [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, errors]) => ({ path, errors }));
  return new ServiceProblem(422, { message: 'Object is not valid', details });
}

function uninstalling(id: string): ServiceProblem {
  return new ServiceProblem(409, { message: `${id} is being uninstalled` });
}


function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}


function describeTarget(t: PlanTarget): string {
  return t.step !== undefined ? `step ${t.step} of phase ${t.phase} of plan ${t.plan}` : t.phase !== undefined ? `phase ${t.phase} of plan ${t.plan}` : `plan ${t.plan}`;
}

function configuredInstances(definition: StatefulServiceDefinition): string[] {
  return definition.pods.flatMap((p) => Array.from({ length: p.count }, (_, i) => `${p.name}-${i}`));
}


// ─── views ───────────────────────────────────────────────────────────────────

function mayRead(principal: Principal, id: string): boolean {
  return authorize(principal.grants, servicePermission(id, 'read')).allowed;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function specOf(record: StatefulRecord, configId: string): StatefulServiceSpec {
  const definition = record.pastDefinitions[configId] ?? record.definition;
  return { ...definition, configId };
}

function reservationView(record: StatefulRecord, instance: PodInstanceState, r: PodReservation, nodes: ReadonlyMap<string, NodeView>): ReservationView {
  const node = nodes.get(r.agentId);
  const pod = findPod(specOf(record, r.configId), instance.pod);
  return {
    agentId: r.agentId,
    hostname: node?.hostname ?? r.hostname,
    address: node?.address ?? null,
    nodeState: node?.state ?? 'UNKNOWN',
    generation: r.generation,
    configId: r.configId,
    ports: r.ports.map((port, i) => ({ name: pod?.ports[i]?.name ?? `port${i}`, port })),
    volumes: r.volumes.map((v) => ({ id: v.id, path: v.containerPath, size: v.size })),
  };
}

/** The latest task of each name (the instance keeps older ones sometimes). */
function latestTasks(tasks: readonly StatefulTask[]): StatefulTask[] {
  const out = new Map<string, StatefulTask>();
  for (const t of tasks) {
    const prev = out.get(t.name);
    if (!prev || t.stagedAt > prev.stagedAt || (t.stagedAt === prev.stagedAt && t.taskId > prev.taskId)) out.set(t.name, t);
  }
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

function podStatus(record: StatefulRecord, instance: PodInstanceState, reservation: ReservationView | null): PodStatus {
  if (instance.replaceRequestedAt !== null) return 'REPLACING';
  if (instance.restartRequestedAt !== null) return 'RESTARTING';
  if (!reservation) return 'PENDING';
  if (reservation.nodeState !== 'ACTIVE') return 'LOST';
  const pod = findPod(specOf(record, reservation.configId), instance.pod);
  const latest = latestTasks(instance.tasks);
  const live = latest.filter((t) => !isTerminalTask(t));
  if (live.length === 0) return 'STOPPED';
  if (live.some((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING')) return 'STARTING';
  const ready = (pod?.tasks ?? []).every((ts) => {
    const t = latest.find((x) => x.name === ts.name);
    if (!t) return false;
    if (ts.goal === 'FINISHED') return t.state === 'TASK_FINISHED';
    return t.state === 'TASK_RUNNING' && (ts.readinessCheck === undefined || t.ready === true);
  });
  return ready ? 'RUNNING' : 'STARTED';
}

function podMessage(record: StatefulRecord, instance: PodInstanceState, status: PodStatus, reservation: ReservationView | null): string | null {
  const name = instanceName(instance);
  const keepsNoData = findPod(specOf(record, reservation?.configId ?? record.configId), instance.pod)?.volumes.every((v) => v.type === 'EXTERNAL') ?? false;
  if (status === 'LOST' && reservation && keepsNoData) {
    return `${reservation.hostname} is ${reservation.nodeState === 'UNKNOWN' ? 'not known to the master' : 'unreachable'}: ${name} keeps no data there (no local volume), so it is placed anew on another node`;
  }
  if (status === 'LOST' && reservation) {
    const holds = reservation.volumes.length ? `its volume${reservation.volumes.length > 1 ? 's' : ''} ${reservation.volumes.map((v) => v.id).join(', ')}` : 'its reservation';
    return `waiting for ${reservation.hostname} (${reservation.nodeState === 'UNKNOWN' ? 'not known to the master' : 'unreachable'}): it holds ${holds}; ${name} is never relaunched elsewhere on its own — pod replace places it anew, and the data on ${reservation.hostname} is lost`;
  }
  for (const plan of record.plans) {
    for (const ph of plan.phases) {
      const step = ph.steps.find((s) => s.podInstance === name && s.status !== 'COMPLETE');
      if (step) return `${plan.name}: ${step.name} ${step.status}${step.message ? ` — ${step.message}` : ''}`;
    }
  }
  return null;
}

function podView(record: StatefulRecord, instance: PodInstanceState, nodes: ReadonlyMap<string, NodeView>): PodInstanceView {
  const reservation = instance.reservation ? reservationView(record, instance, instance.reservation, nodes) : null;
  const status = podStatus(record, instance, reservation);
  return {
    name: instanceName(instance),
    pod: instance.pod,
    index: instance.index,
    generation: instance.generation,
    status,
    message: podMessage(record, instance, status, reservation),
    reservation,
    tasks: latestTasks(instance.tasks).map((t) => ({
      taskId: t.taskId, name: t.name, state: t.state, healthy: t.healthy, ready: t.ready, configId: t.configId, agentId: t.agentId,
      stagedAt: new Date(t.stagedAt).toISOString(), endedAt: iso(t.endedAt),
    })),
    retired: instance.retired.map((r) => reservationView(record, instance, r, nodes)),
    restartRequestedAt: iso(instance.restartRequestedAt),
    replaceRequestedAt: iso(instance.replaceRequestedAt),
    delayedUntil: iso(instance.delay?.delayUntil ?? null),
  };
}

const PLAN_ORDER = ['deploy', 'update', 'recovery'];

export function serviceView(record: StatefulRecord, nodes: ReadonlyMap<string, NodeView>): StatefulServiceView {
  const plans = [...record.plans]
    .sort((a, b) => (PLAN_ORDER.indexOf(a.name) + 1 || 99) - (PLAN_ORDER.indexOf(b.name) + 1 || 99) || (a.name < b.name ? -1 : 1))
    .map(planView);
  // The rollout plan: `deploy` while it carries the current config, `update` after a change.
  const deploy = plans.find((p) => p.name === 'deploy');
  const deployState = record.plans.find((p) => p.name === 'deploy');
  const updateState = record.plans.find((p) => p.name === 'update' && p.configId === record.configId);
  const rolloutName = !deployState || deployState.configId === record.configId ? 'deploy' : 'update';
  const rolloutView = rolloutName === 'deploy' ? deploy : updateState ? plans.find((p) => p.name === 'update') : undefined;
  const rollout = rolloutView ? { plan: rolloutName, status: rolloutView.status } : rolloutName === 'update' ? { plan: 'update', status: 'PENDING' as const } : null;
  const recovery = plans.find((p) => p.name === 'recovery');

  // Instances of the current definition first (in spec order), then any others still held.
  const configured = configuredInstances(record.definition);
  const byName = new Map(record.podInstances.map((i) => [instanceName(i), i]));
  const instances: PodInstanceState[] = [];
  for (const name of configured) {
    const existing = byName.get(name);
    if (existing) instances.push(existing);
    else {
      const dash = name.lastIndexOf('-');
      instances.push({ pod: name.slice(0, dash), index: Number(name.slice(dash + 1)), generation: 1, reservation: null, launches: 0, tasks: [], retired: [], restartRequestedAt: null, replaceRequestedAt: null, delay: null });
    }
  }
  for (const [name, i] of byName) if (!configured.includes(name)) instances.push(i);

  let status: ServiceStatus;
  if (record.uninstall) status = 'UNINSTALLING';
  else if (rollout?.status === 'ERROR') status = 'ERROR';
  else if (rollout && rollout.status !== 'COMPLETE') status = rollout.plan === 'deploy' ? 'DEPLOYING' : 'UPDATING';
  else if (recovery && recovery.status !== 'COMPLETE' && recovery.phases.length > 0) status = 'RECOVERING';
  else status = 'RUNNING';

  return {
    id: record.id,
    status,
    configId: record.configId,
    role: record.definition.role,
    revision: record.revision,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    uninstall: record.uninstall,
    definition: record.definition,
    configIds: Object.keys(record.pastDefinitions),
    rollout,
    plans,
    pods: instances.map((i) => podView(record, i, nodes)),
  };
}
