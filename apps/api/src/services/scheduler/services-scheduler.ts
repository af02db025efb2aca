import { randomUUID } from 'node:crypto';
import {
  availableKills, EMPTY_KILL_RATE_LIMITER, matchOffers, nextLaunchDelay, pruneKillRateLimiter, reconcileService, replacementBudget, spendKills,
  spendReplacements, type DeploymentAction, type Instance, type KillRateLimiter, type KillReason, type LaunchDelay,
  type PlacedInstance, type ReconcileInput, type ReplacementMode, type ServiceDecision, type ServiceSpec, type TokenBucket,
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
import { LiveState, type TrackedTask } from './live-state.js';
import { OfferCycle, taskResources, type HeldResources } from './offer-cycle.js';
import { schedulerRole, serviceSpec } from './service-spec.js';
import { newTaskId, taskSpecFor } from './task-launch.js';
import type { StatefulFramework, StatefulPass } from '../../stateful/framework.js';

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
  /** The stateful services framework, answering offers in the same rounds (its pods first: reservations are scarce). */
  stateful?: StatefulFramework;
  /** Quota limits per top-level group (its scheduler role), enforced by the allocator. */
  quotas?: { limits(): Promise<ReadonlyMap<string, Readonly<Partial<Record<'cpus' | 'mem' | 'disk', number>>>>> };
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

/** What the leader's passes did so far (for /metrics-like diagnostics and the benchmarks). */
export interface SchedulerStats {
  /** Passes finished in this leadership term. */
  passes: number;
  /** Wall-clock ms (performance.now) when the last finished pass started and ended. */
  lastPassStartedAt: number | null;
  lastPassEndedAt: number | null;
  lastPassMs: number | null;
  /** Tasks staged (launches sent) in this term. */
  launched: number;
  /** Time spent per phase over the term, ms. */
  phases: Record<string, number>;
}

/** A decision of the core and its inputs, to be reused while none of them changed. */
interface Decided {
  spec: ServiceSpec;
  action: ReconcileInput['action'];
  instances: readonly Instance[];
  delay: LaunchDelay | null;
  decision: ServiceDecision;
  /** The decision changes nothing, and nothing in it waits on a rate limit (see reconcileAll). */
  quiet: boolean;
}

/** What one leadership term knows beyond Postgres; rebuilt from scratch by the next leader. */
interface Term {
  epoch: number;
  cycle: OfferCycle;
  /** Apps, deployments, live tasks and agents as last read (refreshed with what changed each pass). */
  state: LiveState;
  /** Each app's core spec, made again only when the apps are read again. */
  specsOf: { records: readonly AppRecord[]; apps: Map<string, AppRecord>; specs: Map<string, ServiceSpec> } | null;
  /** Tasks whose resources the allocator holds, and the same by agent. */
  accounted: Map<string, HeldResources>;
  accountedOn: Map<string, Set<string>>;
  /** Each app's last decision and what it was made from (see reconcileAll). */
  decided: Map<string, Decided>;
  /** The node rows the allocator last followed (same object: nothing to compare). */
  followed: Map<string, NodeView>;
  /** What each agent's tasks hold as last written to its row, and when the last write was. */
  usedWritten: Map<string, string>;
  lastUsedWrite: number;
  usedWriting: Promise<void> | null;
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
  /** When quota limits were last read into the allocator. */
  quotasReadAt: number;
}

// Quota limits are read again this often (and at once after a desired-state change).
const QUOTA_READ_MS = 10_000;
const EMPTY_SET: ReadonlySet<string> = new Set();

// Agents lost within this window count as "recently lost" for the replacement throttle.
const RECENT_LOSS_MS = 5 * 60_000;
// What agents' tasks hold is written to their rows at most this often (the console's figure).
const USED_WRITE_MS = 2000;
// The longest a pass waits for the previous one's length (see loop).
const MAX_PACE_MS = 500;
// Tasks staged per transaction: well inside the 5 s Prisma gives an interactive
// transaction, and short enough a stretch of work for the API to answer in between.
const STAGE_CHUNK = 2000;

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
  private counters: SchedulerStats = emptyStats();
  /** performance.now() before which the next pass does not start (see loop). */
  private notBefore = 0;

  constructor(
    private readonly deps: SchedulerDeps,
    private readonly options: SchedulerOptions = DEFAULT_SCHEDULER_OPTIONS,
  ) {}

  start(epoch: number): void {
    this.deps.stateful?.reset();
    this.term = {
      epoch, cycle: new OfferCycle(epoch, epoch), delays: new Map(), queue: new LaunchQueue(),
      state: new LiveState(this.deps), specsOf: null, decided: new Map(), accounted: new Map(), accountedOn: new Map(), followed: new Map(),
      usedWritten: new Map(), lastUsedWrite: -Infinity, usedWriting: null,
      health: new Map(), lastPrune: 0, kills: EMPTY_KILL_RATE_LIMITER, replacements: null, replacementMode: 'normal',
      lostAt: new Map(), nodeStates: new Map(), round: 0, quotasReadAt: -Infinity,
    };
    this.counters = emptyStats();
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

  /** What this term's passes did so far. */
  stats(): SchedulerStats {
    return { ...this.counters, phases: { ...this.counters.phases } };
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
      if (event.type === 'service') continue;
      if (event.type === 'desired' && this.term) this.term.quotasReadAt = -Infinity; // a quota may have changed
      this.term?.state.heard(event);
      this.wake();
    }
  }

  private async loop(): Promise<void> {
    let nextWake = Infinity;
    do {
      this.again = false;
      const term = this.term;
      if (!term) return;
      // Paced: a pass starts no sooner after the last one ended than that one lasted, so
      // that while changes stream in (thousands of status updates a second) passes take
      // many at once and the API's requests keep at least half the process. An idle
      // cluster's passes last milliseconds: nothing waits noticeably.
      const wait = this.notBefore - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.term !== term) return;
      const startedAt = performance.now();
      try {
        nextWake = await this.pass(term);
        const endedAt = performance.now();
        Object.assign(this.counters, { passes: this.counters.passes + 1, lastPassStartedAt: startedAt, lastPassEndedAt: endedAt, lastPassMs: endedAt - startedAt });
      } catch (error) {
        if (error instanceof DeposedError) return this.deps.onDeposed(error);
        console.error(`services scheduler pass failed: ${(error as Error).message || (error as Error).name || String(error)}`);
        nextWake = this.deps.now().getTime() + this.options.tickMs;
      }
      const endedAt = performance.now();
      this.notBefore = endedAt + Math.min(endedAt - startedAt, MAX_PACE_MS);
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
    let mark = performance.now();
    const phase = (name: string) => {
      const at = performance.now();
      this.counters.phases[name] = (this.counters.phases[name] ?? 0) + (at - mark);
      mark = at;
    };
    const { changed, gone } = await term.state.refresh(t);
    phase('load');
    if (this.term !== term) return Infinity;
    const { state } = term;
    const { apps, specs } = this.specs(term);
    const nodes = state.nodes;
    const deployments = state.deployments;

    await this.settleEnded(term, gone, specs, t);
    if (this.deps.quotas && t - term.quotasReadAt > QUOTA_READ_MS) {
      term.quotasReadAt = t;
      term.cycle.setLimits(await this.deps.quotas.limits());
    }
    // Stateful services first: their pass decides what they need of this round's offers.
    const stateful = this.deps.stateful
      ? await this.deps.stateful.reconcile(term.epoch, nodes, (id) => this.deps.commands.connected(id), (held) => term.cycle.release(held, t))
      : null;
    this.followAgents(term, nodes);

    const { current, held } = deploymentActions(deployments);

    // Reconcile: what must change, per app (plain data; nothing happens yet).
    const decisions = new Map<string, ServiceDecision>();
    let nextWake = t + this.options.tickMs;
    const budget = this.replacementBudget(term, nodes, t);
    let replacementsLeft = budget.allowed;
    const statefulIds = this.deps.stateful?.serviceIds() ?? EMPTY_SET;
    for (const [appId, spec] of specs) {
      if (statefulIds.has(appId)) continue; // a resident app: the stateful framework runs it
      const action = current.get(appId)?.action ?? null;
      if (!action && held.has(appId)) continue; // its deployment has not reached it yet
      let delay = term.delays.get(appId) ?? null;
      if (delay && delay.configVersion !== spec.configVersion) {
        term.delays.delete(appId); // Marathon: a new config starts without the old backoff
        delay = null;
      }
      const instances = state.instances(appId);
      // The core is a function of these inputs and the clock, and its decision says when the
      // clock alone would change it (wakeAt). A decision that changes nothing and waits on no
      // rate limit (no unhealthy or unreachable instance, no kill in flight) therefore stands
      // until an input changes or wakeAt comes: at B3's scale nearly every app, every pass.
      const last = term.decided.get(appId);
      if (last && last.quiet && last.spec === spec && last.action === action && last.instances === instances && last.delay === delay &&
        (last.decision.wakeAt === null || t < last.decision.wakeAt)) {
        decisions.set(appId, last.decision);
        if (last.decision.wakeAt !== null) nextWake = Math.min(nextWake, last.decision.wakeAt);
        continue;
      }
      const decision = reconcileService({
        spec, action, instances, delay, now: t,
        unhealthyKillBudget: availableKills(term.kills, appId, t).allowed,
        unreachableReplacementBudget: replacementsLeft,
      });
      decisions.set(appId, decision);
      term.decided.set(appId, { spec, action, instances, delay, decision, quiet: isQuiet(decision, instances) });
      term.kills = spendKills(term.kills, appId, decision.kill.filter((k) => k.reason === 'Unhealthy').length, t);
      replacementsLeft -= decision.unreachableReplacements;
      term.replacements = spendReplacements(term.replacements, decision.unreachableReplacements, t);
      if (decision.wakeAt !== null) nextWake = Math.min(nextWake, decision.wakeAt);
    }
    for (const appId of term.decided.keys()) if (!specs.has(appId)) term.decided.delete(appId);
    phase('reconcile');

    await this.kill(term, decisions, apps, t, now);
    phase('kill');
    // Deployment progress and health events are written while the launches are staged: other
    // rows, each write fenced on its own, and neither waits on the other.
    const progress = (async () => {
      await this.advanceDeployments(term, deployments, decisions, now);
      await this.announceHealth(term, changed, now);
    })();
    const [placed, progressed] = await Promise.allSettled([this.launch(term, decisions, specs, apps, t, now, phase, stateful), progress]);
    if (placed.status === 'rejected') throw placed.reason;
    if (progressed.status === 'rejected') throw progressed.reason;
    phase('deployments');
    this.recordUsedInBackground(term, t);
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

  /** The apps by id and their core specs, made once per read of the apps. */
  private specs(term: Term): { apps: Map<string, AppRecord>; specs: Map<string, ServiceSpec> } {
    const records = term.state.apps;
    if (term.specsOf?.records !== records) {
      term.specsOf = { records, apps: new Map(records.map((r) => [r.id, r])), specs: new Map(records.map((r) => [r.id, serviceSpec(r)])) };
    }
    return term.specsOf;
  }

  /**
   * Writes what each agent's tasks hold when it changed (the console's allocated-vs-capacity),
   * at most every two seconds: while thousands of tasks are placed every agent changes every
   * pass, and the console's figure does not need a write per pass.
   */
  /** recordUsed off the pass' critical path; one write at a time (a pass finding one under way skips it). */
  private recordUsedInBackground(term: Term, t: number): void {
    if (term.usedWriting) return;
    term.usedWriting = this.recordUsed(term, t)
      .catch((error: unknown) => {
        if (error instanceof DeposedError) this.deps.onDeposed(error);
        else console.error(`recording what agents' tasks hold failed: ${(error as Error).message}`);
      })
      .finally(() => (term.usedWriting = null));
  }

  private async recordUsed(term: Term, t: number): Promise<void> {
    if (t - term.lastUsedWrite < USED_WRITE_MS) return;
    term.lastUsedWrite = t;
    const changed = new Map<string, ResourceUsage>();
    const written = new Map<string, string>();
    for (const [id, used] of term.cycle.held()) {
      const json = JSON.stringify(used);
      const before = term.usedWritten.get(id) ?? JSON.stringify(term.state.node(id)?.used);
      if (before !== json) {
        changed.set(id, used);
        written.set(id, json);
      }
    }
    await this.deps.agents.recordUsed(term.epoch, changed);
    for (const [id, json] of written) term.usedWritten.set(id, json);
  }

  private account(term: Term, taskId: string, held: HeldResources): void {
    term.accounted.set(taskId, held);
    let on = term.accountedOn.get(held.agentId);
    if (!on) term.accountedOn.set(held.agentId, (on = new Set()));
    on.add(taskId);
  }

  private unaccount(term: Term, taskId: string): HeldResources | undefined {
    const held = term.accounted.get(taskId);
    if (!held) return undefined;
    term.accounted.delete(taskId);
    term.accountedOn.get(held.agentId)?.delete(taskId);
    return held;
  }

  /** Tasks that ended since the last pass give their resources back; failures feed the backoff. */
  private async settleEnded(term: Term, gone: readonly string[], specs: ReadonlyMap<string, ServiceSpec>, t: number): Promise<void> {
    // Tasks leave the allocator only by ending (staged ones are live from the next read on).
    const ended = gone.filter((id) => term.accounted.has(id));
    if (ended.length === 0) return;
    for (const id of ended) {
      term.cycle.release(this.unaccount(term, id)!, t);
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
  private followAgents(term: Term, nodes: readonly NodeView[]): void {
    const seen = new Set<string>();
    for (const node of nodes) {
      seen.add(node.id);
      const schedulable = node.state === 'ACTIVE' && this.deps.commands.connected(node.id);
      const known = term.cycle.agent(node.id);
      if (!schedulable) {
        if (known) this.dropAgent(term, node.id);
        continue;
      }
      // The same row as last time (nothing about the node was read again): nothing to compare.
      if (known && term.followed.get(node.id) === node) {
        term.cycle.setMode(node.id, node.mode);
        continue;
      }
      term.followed.set(node.id, node);
      const agent = { id: node.id, hostname: node.hostname, state: node.state, resources: node.resources, attributes: node.attributes };
      if (known && JSON.stringify([known.resources, known.attributes, known.hostname]) === JSON.stringify([agent.resources, agent.attributes, agent.hostname])) {
        term.cycle.setMode(node.id, node.mode);
        continue;
      }
      if (known) this.dropAgent(term, node.id);
      // The stateful framework's tasks run on reservations it accounts for itself.
      const statefulIds = this.deps.stateful?.serviceIds() ?? EMPTY_SET;
      const tasks = term.state.agentTasks(node.id).map((tracked) => tracked.task)
        .filter((task) => task.state !== 'TASK_UNREACHABLE' && !statefulIds.has(task.appId ?? ''));
      term.cycle.setMode(node.id, node.mode);
      const held = tasks.map((task) => ({ agentId: node.id, role: task.role ?? schedulerRole(task.appId ?? '/'), resources: taskResources(task.spec.resources) }));
      const reservations = this.deps.stateful?.reservationsOn(node.id) ?? { reserved: [], held: [] };
      const { unaccounted } = term.cycle.addAgent(agent, [...held, ...reservations.held], reservations.reserved);
      this.deps.stateful?.adopt(reservations.held.filter((h) => !unaccounted.includes(h)));
      const left = new Set(unaccounted);
      tasks.forEach((task, i) => {
        if (!left.has(held[i]!)) this.account(term, task.id, held[i]!);
      });
      if (unaccounted.length) console.error(`agent ${node.hostname} came back with less than its tasks hold; ${unaccounted.length} task(s) left out of the allocator until they end`);
    }
    for (const id of term.cycle.agentIds()) if (!seen.has(id)) this.dropAgent(term, id);
  }

  private dropAgent(term: Term, agentId: string): void {
    term.cycle.removeAgent(agentId);
    this.deps.stateful?.dropAgent(agentId);
    term.followed.delete(agentId);
    for (const taskId of term.accountedOn.get(agentId) ?? []) term.accounted.delete(taskId);
    term.accountedOn.delete(agentId);
  }

  /** Kills, expunges and kill retries. Tasks of apps that no longer exist are stopped. */
  private async kill(
    term: Term, decisions: ReadonlyMap<string, ServiceDecision>, apps: ReadonlyMap<string, AppRecord>, t: number, now: Date,
  ): Promise<void> {
    const { state } = term;
    const kills: { task: LiveTask; reason: KillReason | 'Draining' }[] = [];
    const killing = new Set<string>();
    const expunge: string[] = [];
    for (const [appId, tasks] of state.tasksByApp()) {
      const decision = decisions.get(appId);
      if (decision) {
        for (const k of decision.kill) {
          const tracked = tasks.get(k.taskId);
          if (tracked) {
            kills.push({ task: tracked.task, reason: k.reason });
            killing.add(k.taskId);
          }
        }
        expunge.push(...decision.expunge);
      } else if (!apps.has(appId) && !this.deps.stateful?.serviceIds().has(appId)) {
        // Marathon: a removed app's instances are killed; unreachable ones are expunged.
        for (const { task } of tasks.values()) {
          if (task.state === 'TASK_UNREACHABLE') expunge.push(task.id);
          else if (!task.killRequestedAt) {
            kills.push({ task, reason: 'StoppingApp' });
            killing.add(task.id);
          }
        }
      }
    }
    // Kill retries concern only tasks a kill was requested for, and drains only draining nodes.
    for (const { task } of state.killRequestedTasks()) {
      if (task.appId && task.state !== 'TASK_UNREACHABLE' && t - task.killRequestedAt!.getTime() > this.options.killRetryMs) {
        kills.push({ task, reason: 'Overdue' });
      }
    }
    for (const node of state.drainingNodes) {
      for (const { task } of state.agentTasks(node.id)) {
        // DC/OS's node drain: the tasks are killed and their apps replace them elsewhere.
        // Stateful pods never move on their own: their framework waits, or an operator replaces them.
        if (task.appId && !task.killRequestedAt && !killing.has(task.id) && !this.deps.stateful?.serviceIds().has(task.appId)) kills.push({ task, reason: 'Draining' });
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
  private async advanceDeployments(term: Term, deployments: readonly DeploymentRecord[], decisions: ReadonlyMap<string, ServiceDecision>, now: Date): Promise<void> {
    for (const d of deployments) {
      const actions = d.steps[d.currentStep] ?? [];
      const done = actions.every((a) => a.action === 'StopApplication'
        ? ![...term.state.appTasks(a.app)].some(({ task }) => task.state !== 'TASK_UNREACHABLE')
        : this.deps.stateful?.serviceIds().has(a.app) ? this.deps.stateful.settledNow(a.app) : decisions.get(a.app)?.actionComplete === true);
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
      term.state.desiredChanged();
      this.again = true; // the next step's actions are decided with their action in the next pass
    }
  }

  /**
   * Marathon's health_status_changed_event, once per change the agents report. Only the
   * tasks read again this pass can have changed (all of them after a full read).
   */
  private async announceHealth(term: Term, changed: readonly TrackedTask[], now: Date): Promise<void> {
    const events: { event: MarathonEvent; appId: string }[] = [];
    for (const { task } of changed) {
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
   * matched by the core, accepted, and the tasks staged in large fenced transactions;
   * each chunk's launches are sent only once it has committed (a launch the master
   * forgets cannot exist), while the next chunk is written.
   */
  private async launch(
    term: Term, decisions: ReadonlyMap<string, ServiceDecision>, specs: ReadonlyMap<string, ServiceSpec>, apps: ReadonlyMap<string, AppRecord>,
    t: number, now: Date, phase: (name: string) => void = () => undefined, stateful: StatefulPass | null = null,
  ): Promise<void> {
    const { state } = term;
    const requests: { spec: ServiceSpec; count: number; placed: readonly PlacedInstance[] }[] = [];
    for (const [appId, decision] of decisions) {
      term.queue.waiting(appId, decision.launch, decision.delayedUntil, t);
      if (decision.launch <= 0) continue;
      const spec = specs.get(appId)!;
      term.cycle.ensureRole(spec.role);
      requests.push({ spec, count: decision.launch, placed: state.placements(appId) });
    }
    for (const entry of term.queue.list()) if (!decisions.has(entry.appId)) term.queue.forget(entry.appId);
    const roles = new Set(requests.map((r) => r.spec.role));
    for (const role of stateful?.roles ?? []) {
      term.cycle.ensureRole(role);
      roles.add(role);
    }
    let candidates = term.cycle.offer(roles, t);
    phase('offer');
    if (stateful && stateful.roles.size && this.deps.stateful) {
      // Stateful pods answer first (a reservation is recognised only in its own agent's offer),
      // then services take what they left.
      const taken = await this.deps.stateful.answer(term.epoch, stateful, candidates, { accept: (id, operations, at) => term.cycle.acceptOperations(id, operations, at) });
      candidates = candidates.filter((c) => !taken.has(c.id));
      phase('stateful');
    }
    if (requests.length === 0) {
      term.cycle.declineRest(t);
      return;
    }
    // The core explains only the first few apps it cannot place (each explanation is a full
    // pipeline pass): start each round at another app, so every stuck app is explained in turn.
    const shift = term.round++ % requests.length;
    const match = matchOffers([...requests.slice(shift), ...requests.slice(0, shift)], candidates);
    phase('match');

    // Accepting is synchronous (the offer book's state); the task specs are made chunk by
    // chunk below, between writes, so that no stretch of this pass holds the event loop long.
    const pending: { agentId: string; taskId: string; record: AppRecord; hostPorts: readonly number[]; role: string }[] = [];
    const byOffer = new Map<string, typeof match.launches>();
    for (const l of match.launches) {
      const list = byOffer.get(l.candidateId);
      if (list) list.push(l);
      else byOffer.set(l.candidateId, [l]);
    }
    const used = new Map<string, number>();
    for (const [offerId, launches] of byOffer) {
      const tasks = launches.map((l) => {
        const record = apps.get(l.appId)!;
        const taskId = newTaskId(l.appId);
        const role = specs.get(l.appId)!.role;
        pending.push({ agentId: l.agentId, taskId, record, hostPorts: l.hostPorts, role });
        this.account(term, taskId, { agentId: l.agentId, role, resources: l.resources });
        used.set(l.appId, (used.get(l.appId) ?? 0) + 1);
        return { taskId, resources: l.resources };
      });
      term.cycle.accept(offerId, tasks, t);
    }
    term.cycle.declineRest(t);
    const offeredByRole = new Map<string, number>();
    for (const c of candidates) offeredByRole.set(c.role, (offeredByRole.get(c.role) ?? 0) + 1);
    for (const r of requests) {
      term.queue.offered(r.spec.id, offeredByRole.get(r.spec.role) ?? 0, used.get(r.spec.id) ?? 0, match.rejections.get(r.spec.id), t);
      term.queue.waiting(r.spec.id, r.count - (used.get(r.spec.id) ?? 0), null, t);
    }
    phase('accept');
    // Chunks keep each transaction well inside Prisma's interactive-transaction timeout and
    // let the agents start on the first launches while the rest is written.
    for (let i = 0; i < pending.length; i += STAGE_CHUNK) {
      if (i > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.term !== term) return; // stopped leading: nothing more is staged or sent
      }
      let chunk: Staging[];
      try {
        chunk = pending.slice(i, i + STAGE_CHUNK).map((p) => ({
          agentId: p.agentId, spec: taskSpecFor(p.record, p.taskId, p.hostPorts), configVersion: p.record.lastConfigChangeAt.toISOString(), role: p.role,
        }));
        phase('accept');
        await this.deps.tasks.stageMany(term.epoch, chunk, now);
      } catch (error) {
        // Nothing of this chunk or the ones after it exists: the allocator gets it all back.
        for (const p of pending.slice(i)) {
          const held = this.unaccount(term, p.taskId);
          if (held) term.cycle.release(held, t);
        }
        throw error;
      }
      phase('stage');
      for (const s of chunk) this.deps.commands.sendLaunch(s.agentId, s.spec).catch(() => this.dropped(term, s));
      this.counters.launched += chunk.length;
      phase('send');
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

/** A decision that changes nothing, over instances none of which a rate-limited action could concern. */
function isQuiet(decision: ServiceDecision, instances: readonly Instance[]): boolean {
  if (decision.launch > 0 || decision.kill.length || decision.expunge.length || decision.unreachableReplacements || decision.unhealthyKillsHeld) return false;
  return instances.every((i) => i.healthy !== false && i.state !== 'TASK_UNREACHABLE' && i.unreachableSince === null && i.killRequestedAt === null);
}

function emptyStats(): SchedulerStats {
  return { passes: 0, lastPassStartedAt: null, lastPassEndedAt: null, lastPassMs: null, launched: 0, phases: {} };
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
