import { randomUUID } from 'node:crypto';
import {
  availableKills, EMPTY_KILL_RATE_LIMITER, matchOffers, nextLaunchDelay, pruneKillRateLimiter, reconcileService, replacementBudget, spendKills,
  spendReplacements, type DeploymentAction, type Instance, type KillRateLimiter, type KillReason, type LaunchDelay,
  type PlacedInstance, type ReplacementMode, type ServiceDecision, type ServiceSpec, type TokenBucket,
} from '@gantry/scheduler-core';
import type { MarathonEvent, NodeView, ResourceUsage } from '@gantry/specs';
import type { AgentRepository } from '../../agents/repository.js';
import { fenced } from '../../db/fenced.js';
import type { Db } from '../../db/prisma.js';
import type { EventBus } from '../../events/bus.js';
import { DeposedError } from '../../leadership/elector.js';
import type { AgentCommands } from '../../tasks/agent-commands.js';
import type { LiveTask, Staging, TaskRepository } from '../../tasks/repository.js';
import type { AppRecord, AppRepository } from '../app-repository.js';
import type { DeploymentRecord, DeploymentRepository } from '../deployment-repository.js';
import { deploymentPlanView } from '../deployment-view.js';
import type { ServiceEventLog } from '../service-event-log.js';
import { LaunchQueue } from './launch-queue.js';
import { OfferCycle, taskResources, type HeldResources } from './offer-cycle.js';
import { schedulerRole, serviceSpec } from './service-spec.js';
import { newTaskId, taskSpecFor } from './task-launch.js';

export interface SchedulerDeps {
  db: Db;
  apps: AppRepository;
  deployments: DeploymentRepository;
  tasks: TaskRepository;
  agents: AgentRepository;
  commands: AgentCommands;
  bus: EventBus;
  log: ServiceEventLog;
  now: () => Date;
  onDeposed: (error: DeposedError) => void;
}

export interface SchedulerOptions {
  /** A pass runs at least this often, for what time alone changes (backoffs, timeouts). */
  tickMs: number;
  /** A kill not answered by a terminal state within this long is sent again (Marathon's kill_retry_timeout). */
  killRetryMs: number;
  /** Marathon events older than this are pruned from the log. */
  eventRetentionMs: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = { tickMs: 1000, killRetryMs: 10_000, eventRetentionMs: 60 * 60_000 };

/** What one leadership term knows beyond Postgres; rebuilt from scratch by the next leader. */
interface Term {
  epoch: number;
  cycle: OfferCycle;
  /** Tasks whose resources the allocator holds. */
  accounted: Map<string, HeldResources>;
  /** Marathon's launch backoff per app (in memory, as in Marathon). */
  delays: Map<string, LaunchDelay>;
  queue: LaunchQueue;
  /** Last health seen per task, to announce changes. */
  health: Map<string, boolean | null>;
  lastPrune: number;
  /** Health-check kills, rate-limited per app and cluster-wide. */
  kills: KillRateLimiter;
  /** Replacements of unreachable instances, throttled when most agents vanish at once. */
  replacements: TokenBucket | null;
  replacementMode: ReplacementMode;
  /** When each agent was last seen turning unreachable (for "most agents lost recently"). */
  lostAt: Map<string, number>;
  nodeStates: Map<string, NodeView['state']>;
  /** Offer rounds so far (rotates which waiting apps get their rejections explained). */
  round: number;
}

// Agents lost within this window count as "recently lost" for the replacement throttle.
const RECENT_LOSS_MS = 5 * 60_000;

const FAILED_ENDINGS = new Set(['TASK_FAILED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE', 'TASK_FINISHED', 'TASK_KILLED']);

/**
 * The services framework, on the leader: each pass loads desired and actual state from
 * Postgres, lets the pure core decide (reconcile each app, then place), and carries the
 * decisions out — kills, expunges, deployment progress, then launches through one
 * allocation round whose offers are answered in the same pass. Passes never overlap;
 * wake-ups while one runs coalesce into one more.
 *
 *   wake (NOTIFY, agent reconciled, tick)
 *     └► load apps, deployments, live tasks, agents
 *        ├► release what ended · follow agents in the allocator
 *        ├► reconcileService per app (deployment action or steady state)
 *        ├► kill · expunge · advance deployments (fenced, with their events)
 *        └► offer round ► matchOffers ► accept ► stage all (one transaction) ► send launches
 */
export class ServicesScheduler {
  private term: Term | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private listening: AbortController | null = null;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly options: SchedulerOptions = DEFAULT_SCHEDULER_OPTIONS,
  ) {}

  start(epoch: number): void {
    this.term = {
      epoch, cycle: new OfferCycle(epoch, epoch), accounted: new Map(), delays: new Map(), queue: new LaunchQueue(),
      health: new Map(), lastPrune: 0, kills: EMPTY_KILL_RATE_LIMITER, replacements: null, replacementMode: 'normal',
      lostAt: new Map(), nodeStates: new Map(), round: 0,
    };
    this.listening = new AbortController();
    void this.listen(this.listening.signal);
    this.wake();
  }

  async stop(): Promise<void> {
    this.term = null;
    this.listening?.abort();
    this.listening = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** The launch queue as the leader sees it; null on a standby. */
  queue(): LaunchQueue | null {
    return this.term?.queue ?? null;
  }

  /** Marathon's `DELETE /v2/queue/{id}/delay`: launches of the app may go at once. */
  resetDelay(appId: string): boolean {
    const term = this.term;
    if (!term || !term.queue.get(appId)) return false;
    term.delays.delete(appId);
    this.wake();
    return true;
  }

  /** Something changed: run a pass now, or right after the one running. */
  wake(): void {
    if (!this.term) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.running = this.loop().finally(() => (this.running = null));
  }

  private async listen(signal: AbortSignal): Promise<void> {
    for await (const event of this.deps.bus.subscribe(signal)) {
      // Our own Marathon events need no pass; everything else might.
      if (event.type !== 'service') this.wake();
    }
  }

  private async loop(): Promise<void> {
    let nextWake = Infinity;
    do {
      this.again = false;
      const term = this.term;
      if (!term) return;
      try {
        nextWake = await this.pass(term);
      } catch (error) {
        if (error instanceof DeposedError) return this.deps.onDeposed(error);
        console.error(`services scheduler pass failed: ${(error as Error).message || (error as Error).name || String(error)}`);
        nextWake = this.deps.now().getTime() + this.options.tickMs;
      }
    } while (this.again && this.term);
    if (!this.term) return;
    const delay = Math.max(0, Math.min(nextWake - this.deps.now().getTime(), this.options.tickMs));
    this.timer = setTimeout(() => this.wake(), delay);
    this.timer.unref();
  }

  /** One reconcile-and-place pass. Returns when the next one is due at the latest. */
  private async pass(term: Term): Promise<number> {
    const { deps } = this;
    const now = deps.now();
    const t = now.getTime();
    const [records, deployments, live, nodes] = await Promise.all([
      deps.apps.list(), deps.deployments.active(), deps.tasks.listLive(), deps.agents.list(),
    ]);
    if (this.term !== term) return Infinity;
    const apps = new Map(records.map((r) => [r.id, r]));
    const specs = new Map(records.map((r) => [r.id, serviceSpec(r)]));
    const liveById = new Map(live.map((task) => [task.id, task]));
    const nodesById = new Map(nodes.map((n) => [n.id, n]));

    await this.settleEnded(term, liveById, specs, t);
    this.followAgents(term, nodes, live);

    const byApp = new Map<string, LiveTask[]>();
    for (const task of live) {
      if (task.appId) byApp.set(task.appId, [...(byApp.get(task.appId) ?? []), task]);
    }
    const { current, held } = deploymentActions(deployments);

    // Reconcile: what must change, per app (plain data; nothing happens yet).
    const decisions = new Map<string, ServiceDecision>();
    let nextWake = t + this.options.tickMs;
    const budget = this.replacementBudget(term, nodes, t);
    let replacementsLeft = budget.allowed;
    for (const [appId, spec] of specs) {
      const action = current.get(appId)?.action ?? null;
      if (!action && held.has(appId)) continue; // its deployment has not reached it yet
      let delay = term.delays.get(appId) ?? null;
      if (delay && delay.configVersion !== spec.configVersion) {
        term.delays.delete(appId); // Marathon: a new config starts without the old backoff
        delay = null;
      }
      const instances = (byApp.get(appId) ?? []).map((task) => instanceOf(task, nodesById));
      const decision = reconcileService({
        spec, action, instances, delay, now: t,
        unhealthyKillBudget: availableKills(term.kills, appId, t).allowed,
        unreachableReplacementBudget: replacementsLeft,
      });
      decisions.set(appId, decision);
      term.kills = spendKills(term.kills, appId, decision.kill.filter((k) => k.reason === 'Unhealthy').length, t);
      replacementsLeft -= decision.unreachableReplacements;
      term.replacements = spendReplacements(term.replacements, decision.unreachableReplacements, t);
      if (decision.wakeAt !== null) nextWake = Math.min(nextWake, decision.wakeAt);
    }

    await this.kill(term, decisions, byApp, apps, nodesById, t, now);
    await this.advanceDeployments(term, deployments, decisions, byApp, now);
    await this.announceHealth(term, live, now);
    await this.launch(term, decisions, specs, apps, byApp, nodesById, t, now);

    await this.recordUsed(term, nodesById);
    if (t - term.lastPrune > 60_000) {
      term.lastPrune = t;
      term.kills = pruneKillRateLimiter(term.kills, t);
      await deps.log.prune(new Date(t - this.options.eventRetentionMs));
    }
    return nextWake;
  }

  /**
   * How many unreachable instances may be replaced this pass: if most agents vanished
   * at once, the control plane is probably the one cut off, so it replaces slowly
   * (or not at all when every agent is gone) instead of doubling the cluster's load.
   */
  private replacementBudget(term: Term, nodes: readonly NodeView[], t: number): { allowed: number } {
    for (const node of nodes) {
      if (node.state === 'UNREACHABLE' && term.nodeStates.get(node.id) === 'ACTIVE') term.lostAt.set(node.id, t);
      term.nodeStates.set(node.id, node.state);
    }
    for (const [id, at] of term.lostAt) if (t - at > RECENT_LOSS_MS) term.lostAt.delete(id);
    const budget = replacementBudget({
      total: nodes.length, unreachable: nodes.filter((n) => n.state === 'UNREACHABLE').length, recentlyLost: term.lostAt.size,
    }, term.replacements, t);
    term.replacements = budget.bucket;
    if (budget.mode !== term.replacementMode) {
      term.replacementMode = budget.mode;
      console.log(budget.mode === 'normal' ? 'replacing unreachable instances normally again' : `replacing unreachable instances slowly: ${budget.reason}`);
    }
    return budget;
  }

  /** Writes what each agent's tasks hold when it changed (the console's allocated-vs-capacity). */
  private async recordUsed(term: Term, nodes: ReadonlyMap<string, NodeView>): Promise<void> {
    const changed = new Map<string, ResourceUsage>();
    for (const [id, used] of term.cycle.held()) {
      if (JSON.stringify(nodes.get(id)?.used) !== JSON.stringify(used)) changed.set(id, used);
    }
    await this.deps.agents.recordUsed(term.epoch, changed);
  }

  /** Tasks that ended since the last pass give their resources back; failures feed the backoff. */
  private async settleEnded(term: Term, liveById: ReadonlyMap<string, LiveTask>, specs: ReadonlyMap<string, ServiceSpec>, t: number): Promise<void> {
    const ended = [...term.accounted.keys()].filter((id) => !liveById.has(id));
    if (ended.length === 0) return;
    for (const id of ended) {
      term.cycle.release(term.accounted.get(id)!, t);
      term.accounted.delete(id);
      term.health.delete(id);
    }
    for (const ending of await this.deps.tasks.endings(ended)) {
      const spec = ending.appId ? specs.get(ending.appId) : undefined;
      if (!spec || ending.killRequestedAt || !FAILED_ENDINGS.has(ending.state)) continue;
      term.delays.set(spec.id, nextLaunchDelay(term.delays.get(spec.id) ?? null, spec, t));
    }
  }

  /**
   * The allocator follows the agents table: an agent is schedulable while it is ACTIVE
   * and connected to this leader (after a failover, agents count only once they have
   * reconnected and been reconciled). A returning agent comes back with what its live
   * tasks hold.
   */
  private followAgents(term: Term, nodes: readonly NodeView[], live: readonly LiveTask[]): void {
    const liveByAgent = new Map<string, LiveTask[]>();
    for (const task of live) liveByAgent.set(task.agentId, [...(liveByAgent.get(task.agentId) ?? []), task]);
    const seen = new Set<string>();
    for (const node of nodes) {
      seen.add(node.id);
      const schedulable = node.state === 'ACTIVE' && this.deps.commands.connected(node.id);
      const known = term.cycle.agent(node.id);
      if (!schedulable) {
        if (known) this.dropAgent(term, node.id);
        continue;
      }
      const agent = { id: node.id, hostname: node.hostname, state: node.state, resources: node.resources, attributes: node.attributes };
      if (known && JSON.stringify([known.resources, known.attributes, known.hostname]) === JSON.stringify([agent.resources, agent.attributes, agent.hostname])) {
        term.cycle.setMode(node.id, node.mode);
        continue;
      }
      if (known) this.dropAgent(term, node.id);
      const tasks = (liveByAgent.get(node.id) ?? []).filter((task) => task.state !== 'TASK_UNREACHABLE');
      term.cycle.setMode(node.id, node.mode);
      const held = tasks.map((task) => ({ agentId: node.id, role: task.role ?? schedulerRole(task.appId ?? '/'), resources: taskResources(task.spec.resources) }));
      const { unaccounted } = term.cycle.addAgent(agent, held);
      const left = new Set(unaccounted);
      tasks.forEach((task, i) => {
        if (!left.has(held[i]!)) term.accounted.set(task.id, held[i]!);
      });
      if (unaccounted.length) console.error(`agent ${node.hostname} came back with less than its tasks hold; ${unaccounted.length} task(s) left out of the allocator until they end`);
    }
    for (const id of term.cycle.agentIds()) if (!seen.has(id)) this.dropAgent(term, id);
  }

  private dropAgent(term: Term, agentId: string): void {
    term.cycle.removeAgent(agentId);
    for (const [taskId, held] of term.accounted) if (held.agentId === agentId) term.accounted.delete(taskId);
  }

  /** Kills, expunges and kill retries. Tasks of apps that no longer exist are stopped. */
  private async kill(
    term: Term, decisions: ReadonlyMap<string, ServiceDecision>, byApp: ReadonlyMap<string, LiveTask[]>, apps: ReadonlyMap<string, AppRecord>,
    nodes: ReadonlyMap<string, NodeView>, t: number, now: Date,
  ): Promise<void> {
    const kills: { task: LiveTask; reason: KillReason | 'Draining' }[] = [];
    const expunge: string[] = [];
    for (const [appId, tasks] of byApp) {
      const byId = new Map(tasks.map((task) => [task.id, task]));
      const decision = decisions.get(appId);
      if (decision) {
        for (const k of decision.kill) {
          const task = byId.get(k.taskId);
          if (task) kills.push({ task, reason: k.reason });
        }
        expunge.push(...decision.expunge);
      } else if (!apps.has(appId)) {
        // Marathon: a removed app's instances are killed; unreachable ones are expunged.
        for (const task of tasks) {
          if (task.state === 'TASK_UNREACHABLE') expunge.push(task.id);
          else if (!task.killRequestedAt) kills.push({ task, reason: 'StoppingApp' });
        }
      }
      for (const task of tasks) {
        if (task.killRequestedAt && task.state !== 'TASK_UNREACHABLE' && t - task.killRequestedAt.getTime() > this.options.killRetryMs) {
          kills.push({ task, reason: 'Overdue' });
        } else if (!task.killRequestedAt && nodes.get(task.agentId)?.mode === 'DRAINING' && !kills.some((k) => k.task === task)) {
          // DC/OS's node drain: the tasks are killed and their apps replace them elsewhere.
          kills.push({ task, reason: 'Draining' });
        }
      }
    }
    if (expunge.length) await this.deps.tasks.expunge(term.epoch, expunge, now);
    if (kills.length === 0) return;
    await this.deps.tasks.markKillRequested(term.epoch, kills.map((k) => k.task.id), now);
    const events: { event: MarathonEvent; appId: string }[] = [];
    for (const { task, reason } of kills) {
      const grace = apps.get(task.appId ?? '')?.app.taskKillGracePeriodSeconds;
      this.deps.commands.killOn(task.agentId, task.id, grace).catch(() => undefined); // retried after killRetryMs
      if (reason === 'Unhealthy' && task.appId) {
        events.push({
          appId: task.appId,
          event: {
            eventType: 'unhealthy_instance_kill_event', timestamp: now.toISOString(), appId: task.appId, taskId: task.id,
            instanceId: instanceIdOf(task.id), version: task.spec.appVersion ?? '', reason: 'health checks failed', host: '', slaveId: task.agentId,
          } as MarathonEvent,
        });
      }
    }
    if (events.length) await fenced(this.deps.db, term.epoch, (tx) => this.deps.log.append(tx, events));
  }

  /**
   * A deployment moves one step per pass: a step is done when every action in it is
   * (the core says so for Start/Scale/Restart; Stop is done when nothing of the app is
   * live). Then its events are written with the progress, fenced, in one transaction.
   */
  private async advanceDeployments(term: Term, deployments: readonly DeploymentRecord[], decisions: ReadonlyMap<string, ServiceDecision>, byApp: ReadonlyMap<string, LiveTask[]>, now: Date): Promise<void> {
    for (const d of deployments) {
      const actions = d.steps[d.currentStep] ?? [];
      const done = actions.every((a) => a.action === 'StopApplication'
        ? !(byApp.get(a.app) ?? []).some((task) => task.state !== 'TASK_UNREACHABLE')
        : decisions.get(a.app)?.actionComplete === true);
      if (!done) continue;
      const step = d.currentStep + 1;
      const finished = step >= d.steps.length;
      const plan = deploymentPlanView(d);
      const timestamp = now.toISOString();
      const events: { event: MarathonEvent; appId?: string }[] = [];
      if (actions.length) events.push({ event: { eventType: 'deployment_step_success', timestamp, plan, currentStep: { actions } } as MarathonEvent });
      for (const a of actions) {
        if (a.action === 'StopApplication') events.push({ appId: a.app, event: { eventType: 'app_terminated_event', timestamp, appId: a.app } as MarathonEvent });
      }
      if (finished) events.push({ event: { eventType: 'deployment_success', timestamp, id: d.id, plan } as MarathonEvent });
      else events.push({ event: { eventType: 'deployment_info', timestamp, plan, currentStep: { actions: d.steps[step]! } } as MarathonEvent });
      await this.deps.deployments.advance(term.epoch, d.id, step, finished, now, (tx) => this.deps.log.append(tx, events));
      this.again = true; // the next step's actions are decided with their action in the next pass
    }
  }

  /** Marathon's health_status_changed_event, once per change the agents report. */
  private async announceHealth(term: Term, live: readonly LiveTask[], now: Date): Promise<void> {
    const events: { event: MarathonEvent; appId: string }[] = [];
    for (const task of live) {
      const before = term.health.get(task.id);
      term.health.set(task.id, task.healthy);
      if (!task.appId || task.healthy === null || before === task.healthy) continue;
      if (before === undefined && task.healthy) continue; // first sight of a healthy task after a failover: not news
      events.push({
        appId: task.appId,
        event: {
          eventType: 'health_status_changed_event', timestamp: now.toISOString(), appId: task.appId, taskId: task.id,
          instanceId: instanceIdOf(task.id), version: task.spec.appVersion ?? '', alive: task.healthy,
        } as MarathonEvent,
      });
    }
    if (events.length) await fenced(this.deps.db, term.epoch, (tx) => this.deps.log.append(tx, events));
  }

  /**
   * Placement: one allocation round for the roles with pending instances, offers
   * matched by the core, accepted, every task staged in one transaction, and only
   * then the launches sent (a launch the master forgets cannot exist).
   */
  private async launch(
    term: Term, decisions: ReadonlyMap<string, ServiceDecision>, specs: ReadonlyMap<string, ServiceSpec>, apps: ReadonlyMap<string, AppRecord>,
    byApp: ReadonlyMap<string, LiveTask[]>, nodesById: ReadonlyMap<string, NodeView>, t: number, now: Date,
  ): Promise<void> {
    const requests: { spec: ServiceSpec; count: number; placed: PlacedInstance[] }[] = [];
    for (const [appId, decision] of decisions) {
      term.queue.waiting(appId, decision.launch, decision.delayedUntil, t);
      if (decision.launch <= 0) continue;
      const spec = specs.get(appId)!;
      term.cycle.ensureRole(spec.role);
      const placed = (byApp.get(appId) ?? []).filter((task) => !task.killRequestedAt).map((task) => placedOf(task, nodesById));
      requests.push({ spec, count: decision.launch, placed });
    }
    for (const entry of term.queue.list()) if (!decisions.has(entry.appId)) term.queue.forget(entry.appId);
    const candidates = term.cycle.offer(new Set(requests.map((r) => r.spec.role)), t);
    if (requests.length === 0) return;
    // The core explains only the first few apps it cannot place (each explanation is a full
    // pipeline pass): start each round at another app, so every stuck app is explained in turn.
    const shift = term.round++ % requests.length;
    const match = matchOffers([...requests.slice(shift), ...requests.slice(0, shift)], candidates);

    const staged: Staging[] = [];
    const byOffer = new Map<string, typeof match.launches>();
    for (const l of match.launches) byOffer.set(l.candidateId, [...(byOffer.get(l.candidateId) ?? []), l]);
    const used = new Map<string, number>();
    for (const [offerId, launches] of byOffer) {
      const tasks = launches.map((l) => {
        const record = apps.get(l.appId)!;
        const spec = taskSpecFor(record, newTaskId(l.appId), l.hostPorts);
        const role = specs.get(l.appId)!.role;
        staged.push({ agentId: l.agentId, spec, configVersion: record.lastConfigChangeAt.toISOString(), role });
        term.accounted.set(spec.taskId, { agentId: l.agentId, role, resources: l.resources });
        used.set(l.appId, (used.get(l.appId) ?? 0) + 1);
        return { taskId: spec.taskId, resources: l.resources };
      });
      term.cycle.accept(offerId, tasks, t);
    }
    term.cycle.declineRest(t);
    for (const r of requests) {
      const offered = candidates.filter((c) => c.role === r.spec.role).length;
      term.queue.offered(r.spec.id, offered, used.get(r.spec.id) ?? 0, match.rejections.get(r.spec.id), t);
      term.queue.waiting(r.spec.id, r.count - (used.get(r.spec.id) ?? 0), null, t);
    }
    if (staged.length === 0) return;
    try {
      await this.deps.tasks.stageMany(term.epoch, staged, now);
    } catch (error) {
      for (const s of staged) {
        const held = term.accounted.get(s.spec.taskId);
        if (held) term.cycle.release(held, t);
        term.accounted.delete(s.spec.taskId);
      }
      throw error;
    }
    for (const s of staged) {
      this.deps.commands.sendLaunch(s.agentId, s.spec).catch(() => this.dropped(term, s));
    }
  }

  /**
   * A launch that could not be delivered: if the agent is gone the task never started
   * (Mesos: TASK_DROPPED) and is replaced; if it only did not answer in time, its own
   * updates or the next reconciliation tell what happened.
   */
  private async dropped(term: Term, staged: Staging): Promise<void> {
    if (this.term !== term || this.deps.commands.connected(staged.agentId)) return;
    await this.deps.tasks.recordStatus(term.epoch, staged.agentId, {
      uuid: randomUUID(), taskId: staged.spec.taskId, state: 'TASK_DROPPED',
      message: 'the launch could not be delivered: the agent disconnected', timestamp: this.deps.now().toISOString(),
    }, this.deps.now()).catch(() => undefined);
  }
}

/** The action each app has in its deployment's current step, and the apps waiting for a later step. */
function deploymentActions(deployments: readonly DeploymentRecord[]): { current: Map<string, DeploymentAction>; held: Set<string> } {
  const current = new Map<string, DeploymentAction>();
  const held = new Set<string>();
  for (const d of deployments) {
    for (const app of d.affectedApps) held.add(app);
    for (const a of d.steps[d.currentStep] ?? []) current.set(a.app, a);
  }
  return { current, held };
}

/** Marathon's instance id is the task id without its `._app.N` incarnation. */
export function instanceIdOf(taskId: string): string {
  return taskId.replace(/\._app\.\d+$/, '');
}

function placeOf(node: NodeView | undefined): Pick<Instance, 'zone' | 'region' | 'attributes'> {
  const attributes = node?.attributes ?? {};
  return {
    attributes,
    ...(attributes.zone !== undefined ? { zone: String(attributes.zone) } : {}),
    ...(attributes.region !== undefined ? { region: String(attributes.region) } : {}),
  };
}

function instanceOf(task: LiveTask, nodes: ReadonlyMap<string, NodeView>): Instance {
  const node = nodes.get(task.agentId);
  return {
    taskId: task.id, agentId: task.agentId, hostname: node?.hostname ?? task.agentId, ...placeOf(node),
    configVersion: task.configVersion ?? '',
    state: task.state, healthy: task.healthy, ready: task.ready,
    stagedAt: task.createdAt.getTime(), startedAt: task.startedAt?.getTime() ?? null,
    unreachableSince: task.unreachableSince?.getTime() ?? null, killRequestedAt: task.killRequestedAt?.getTime() ?? null,
  };
}

function placedOf(task: LiveTask, nodes: ReadonlyMap<string, NodeView>): PlacedInstance {
  const node = nodes.get(task.agentId);
  return { agentId: task.agentId, hostname: node?.hostname ?? task.agentId, ...placeOf(node) };
}
