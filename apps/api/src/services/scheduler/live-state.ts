import { isTerminal, type NodeView } from '@gantry/specs';
import type { Instance, PlacedInstance } from '@gantry/scheduler-core';
import type { AgentRepository } from '../../agents/repository.js';
import type { ClusterEvent } from '../../events/cluster-event.js';
import type { LiveTask, TaskRepository } from '../../tasks/repository.js';
import type { AppRecord, AppRepository } from '../app-repository.js';
import type { DeploymentRecord, DeploymentRepository } from '../deployment-repository.js';

/** A live task and what the core sees of it, worked out once per change of the task or its node. */
export interface TrackedTask {
  task: LiveTask;
  /** The node the views below were made with (a node's row is a new object whenever it is read again). */
  node: NodeView | undefined;
  instance: Instance | null;
  placed: PlacedInstance | null;
}

export interface LiveStateOptions {
  /** Every live task is read again this often, whatever changed (a safety net; the deltas miss nothing). */
  fullTasksEveryMs: number;
  /** Apps and deployments are read again this often even if no change was announced. */
  desiredEveryMs: number;
}

export const DEFAULT_LIVE_STATE_OPTIONS: LiveStateOptions = { fullTasksEveryMs: 60_000, desiredEveryMs: 10_000 };

/**
 * What the leader's passes read — apps, active deployments, live tasks, agents — kept in
 * memory for the term and refreshed from Postgres with only what changed, instead of
 * reading everything every pass (at B3's scale 100k task rows and 5,000 agent rows a pass,
 * most of the pass):
 *
 * - tasks: the rows written since the last read (tasks.txid, see TaskRepository.liveChanges);
 * - agents: those a node event named (every write to an agent's state, mode, resources or
 *   attributes announces itself; heartbeats only move lastHeartbeatAt, which no pass reads);
 * - apps and deployments: after a `desired` event (every desired-state change sends one)
 *   or a deployment this leader moved on, and every `desiredEveryMs` regardless.
 *
 * A `resync` from the event bus (it may have missed events) makes the next refresh read
 * everything, as does the start of a term.
 */
export class LiveState {
  private readonly tasks = new Map<string, TrackedTask>();
  private readonly byApp = new Map<string, Map<string, TrackedTask>>();
  /** Per app, the core's views of its instances and where they run; dropped when any of them changes. */
  private readonly appViews = new Map<string, { instances?: Instance[]; placed?: PlacedInstance[] }>();
  /** Live tasks a kill was requested for (the only ones a kill retry can concern). */
  private readonly killRequested = new Set<string>();
  private byAgent: Map<string, TrackedTask[]> | null = null;
  private horizon: bigint | null = null;
  private lastFullTasks = 0;

  private readonly nodesById = new Map<string, NodeView>();
  private nodeList: NodeView[] = [];
  private draining: NodeView[] = [];
  private nodesStale = true;
  private readonly dirtyNodes = new Set<string>();

  private desiredStale = true;
  private lastDesired = 0;
  private appRecords: AppRecord[] = [];
  /** Per app, how many health checks in a row must fail before the master kills (see killThreshold). */
  private killThresholds = new Map<string, number>();
  private activeDeployments: DeploymentRecord[] = [];

  constructor(
    private readonly deps: { apps: AppRepository; deployments: DeploymentRepository; tasks: TaskRepository; agents: AgentRepository },
    private readonly options: LiveStateOptions = DEFAULT_LIVE_STATE_OPTIONS,
  ) {}

  /** A cluster event: what it names is read again at the next refresh. */
  heard(event: ClusterEvent | { type: 'resync' }): void {
    if (event.type === 'node') this.dirtyNodes.add(event.nodeId);
    else if (event.type === 'desired') this.desiredStale = true;
    else if (event.type === 'resync') {
      this.nodesStale = true;
      this.desiredStale = true;
      this.horizon = null;
    }
  }

  /** This leader changed deployments itself (no event reaches it before its next pass). */
  desiredChanged(): void {
    this.desiredStale = true;
  }

  /**
   * Reads what changed. Returns the live tasks that changed (all of them after a full
   * read) and the ids of tasks that are no longer live. Flags are cleared before reading,
   * so whatever is announced meanwhile is read again next time.
   */
  async refresh(now: number): Promise<{ changed: TrackedTask[]; gone: string[] }> {
    const fullTasks = this.horizon === null || now - this.lastFullTasks >= this.options.fullTasksEveryMs;
    const desired = this.desiredStale || now - this.lastDesired >= this.options.desiredEveryMs;
    const allNodes = this.nodesStale;
    const dirty = [...this.dirtyNodes];
    this.desiredStale = false;
    this.nodesStale = false;
    this.dirtyNodes.clear();
    const [records, deployments, changes, nodes] = await Promise.all([
      desired ? this.deps.apps.list() : null,
      desired ? this.deps.deployments.active() : null,
      this.deps.tasks.liveChanges(fullTasks ? null : this.horizon),
      allNodes ? this.deps.agents.list() : this.deps.agents.byIds(dirty),
    ]).catch((error: unknown) => {
      // Nothing was taken in: read it all again next time.
      if (desired) this.desiredStale = true;
      if (allNodes) this.nodesStale = true;
      for (const id of dirty) this.dirtyNodes.add(id);
      throw error;
    });
    if (records && deployments) {
      this.appRecords = records;
      this.killThresholds = new Map(records.map((r) => [r.id, killThreshold(r)]));
      this.activeDeployments = deployments;
      this.lastDesired = now;
    }
    this.takeNodes(nodes, allNodes, dirty);
    const gone: string[] = [];
    if (fullTasks) {
      const seen = new Set(changes.tasks.map((t) => t.id));
      for (const id of this.tasks.keys()) if (!seen.has(id)) gone.push(id);
      this.tasks.clear();
      this.byApp.clear();
      this.appViews.clear();
      this.killRequested.clear();
      this.lastFullTasks = now;
    }
    this.horizon = changes.horizon;
    this.byAgent = null;
    const changed: TrackedTask[] = [];
    for (const task of changes.tasks) {
      const before = this.tasks.get(task.id);
      if (before) {
        this.appMap(before.task.appId)?.delete(task.id);
        if (before.task.appId) this.appViews.delete(before.task.appId);
      }
      if (isTerminal(task.state)) {
        if (before) gone.push(task.id);
        this.tasks.delete(task.id);
        this.killRequested.delete(task.id);
        continue;
      }
      const tracked: TrackedTask = { task, node: undefined, instance: null, placed: null };
      this.tasks.set(task.id, tracked);
      if (task.killRequestedAt) this.killRequested.add(task.id);
      else this.killRequested.delete(task.id);
      if (task.appId) {
        let app = this.byApp.get(task.appId);
        if (!app) this.byApp.set(task.appId, (app = new Map()));
        app.set(task.id, tracked);
        this.appViews.delete(task.appId);
      }
      changed.push(tracked);
    }
    for (const [appId, tasks] of this.byApp) if (tasks.size === 0) this.byApp.delete(appId);
    return { changed, gone };
  }

  private takeNodes(nodes: NodeView[], all: boolean, asked: readonly string[]): void {
    if (all) this.nodesById.clear();
    else for (const id of asked) this.nodesById.delete(id); // asked for and not found: gone
    for (const node of nodes) this.nodesById.set(node.id, node);
    if (all || asked.length) {
      // The order agents.list() gives: the allocator is fed agents in a stable order.
      this.nodeList = [...this.nodesById.values()].sort((a, b) => cmp(a.hostname, b.hostname) || cmp(a.id, b.id));
      this.draining = this.nodeList.filter((n) => n.mode === 'DRAINING');
      // Instances carry their node's hostname and attributes: made again with the new rows.
      this.appViews.clear();
    }
  }

  private appMap(appId: string | null): Map<string, TrackedTask> | undefined {
    return appId ? this.byApp.get(appId) : undefined;
  }

  get apps(): readonly AppRecord[] {
    return this.appRecords;
  }

  get deployments(): readonly DeploymentRecord[] {
    return this.activeDeployments;
  }

  /** Nodes an operator is draining. */
  get drainingNodes(): readonly NodeView[] {
    return this.draining;
  }

  /** Live tasks a kill was requested for. */
  killRequestedTasks(): TrackedTask[] {
    const out: TrackedTask[] = [];
    for (const id of this.killRequested) {
      const t = this.tasks.get(id);
      if (t) out.push(t);
    }
    return out;
  }

  /** The core's view of every live instance of an app (the same array until one of them changes). */
  instances(appId: string): readonly Instance[] {
    let views = this.appViews.get(appId);
    if (!views) this.appViews.set(appId, (views = {}));
    if (!views.instances) {
      views.instances = [];
      for (const t of this.appTasks(appId)) views.instances.push(this.instance(t));
    }
    return views.instances;
  }

  /** Where an app's instances that are not being killed run, for placement's constraints. */
  placements(appId: string): readonly PlacedInstance[] {
    let views = this.appViews.get(appId);
    if (!views) this.appViews.set(appId, (views = {}));
    if (!views.placed) {
      views.placed = [];
      for (const t of this.appTasks(appId)) if (!t.task.killRequestedAt) views.placed.push(this.placed(t));
    }
    return views.placed;
  }

  /** Agents, by hostname then id. */
  get nodes(): readonly NodeView[] {
    return this.nodeList;
  }

  node(id: string): NodeView | undefined {
    return this.nodesById.get(id);
  }

  task(id: string): TrackedTask | undefined {
    return this.tasks.get(id);
  }

  hasTask(id: string): boolean {
    return this.tasks.has(id);
  }

  allTasks(): IterableIterator<TrackedTask> {
    return this.tasks.values();
  }

  /** Apps that have live tasks, with them. */
  tasksByApp(): ReadonlyMap<string, ReadonlyMap<string, TrackedTask>> {
    return this.byApp;
  }

  appTasks(appId: string): Iterable<TrackedTask> {
    return this.byApp.get(appId)?.values() ?? [];
  }

  /** The live tasks on one agent (indexed on first use after a refresh). */
  agentTasks(agentId: string): readonly TrackedTask[] {
    if (!this.byAgent) {
      this.byAgent = new Map();
      for (const t of this.tasks.values()) {
        const list = this.byAgent.get(t.task.agentId);
        if (list) list.push(t);
        else this.byAgent.set(t.task.agentId, [t]);
      }
    }
    return this.byAgent.get(agentId) ?? [];
  }

  /** The core's view of an instance, made again only when the task or its node changed. */
  instance(t: TrackedTask): Instance {
    const node = this.nodesById.get(t.task.agentId);
    if (!t.instance || t.node !== node) {
      t.node = node;
      t.placed = null;
      const task = t.task;
      t.instance = {
        taskId: task.id, agentId: task.agentId, hostname: node?.hostname ?? task.agentId, ...placeOf(node),
        configVersion: task.configVersion ?? '',
        // Marathon: unhealthy at the first failed check, killed only at maxConsecutiveFailures.
        // Below it the core sees no verdict: not healthy (no capacity), not failed (no kill).
        state: task.state, healthy: healthVerdict(task, this.killThresholds.get(task.appId ?? '') ?? 1),
        ready: task.ready,
        stagedAt: task.createdAt.getTime(), startedAt: task.startedAt?.getTime() ?? null,
        unreachableSince: task.unreachableSince?.getTime() ?? null, killRequestedAt: task.killRequestedAt?.getTime() ?? null,
      };
    }
    return t.instance;
  }

  /** Where an instance already runs, for placement's constraints. */
  placed(t: TrackedTask): PlacedInstance {
    const node = this.nodesById.get(t.task.agentId);
    if (!t.placed || t.node !== node) {
      if (t.node !== node) t.instance = null;
      t.node = node;
      t.placed = { agentId: t.task.agentId, hostname: node?.hostname ?? t.task.agentId, ...placeOf(node) };
    }
    return t.placed;
  }
}

/**
 * What the core sees of a task's health: Marathon calls a task unhealthy at its first
 * failed check but kills it only at `threshold` failures in a row; below that the core
 * gets no verdict (null): the task is not healthy capacity, and not to be killed.
 */
export function healthVerdict(task: Pick<LiveTask, 'healthy' | 'healthFailures'>, threshold: number): boolean | null {
  return task.healthy === false && task.healthFailures < threshold ? null : task.healthy;
}

/**
 * The failures in a row that make the master kill an instance of `record`: the smallest
 * `maxConsecutiveFailures` among its health checks (the agent reports its worst check's
 * count); 0 means never kill (Marathon), so a check with 0 counts as no limit.
 */
export function killThreshold(record: Pick<AppRecord, 'app'>): number {
  const limits = record.app.healthChecks.map((c) => c.maxConsecutiveFailures).filter((n) => n > 0);
  return limits.length ? Math.min(...limits) : Infinity;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function placeOf(node: NodeView | undefined): Pick<Instance, 'zone' | 'region' | 'attributes'> {
  const attributes = node?.attributes ?? {};
  return {
    attributes,
    ...(attributes.zone !== undefined ? { zone: String(attributes.zone) } : {}),
    ...(attributes.region !== undefined ? { region: String(attributes.region) } : {}),
  };
}
