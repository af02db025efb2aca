/**
 * The allocator: turns free agent resources into allocations (offers-to-be) for
 * frameworks, after Mesos' `HierarchicalAllocatorProcess`.
 *
 * One round (`allocate`):
 *   1. Agents are visited in a seeded shuffle (Mesos shuffles too, so no agent is always
 *      first). Agents in DRAINING/MAINTENANCE are skipped: nothing new is offered there.
 *   2. Stage 1 — guarantees. For each agent, roles whose quota root (outermost
 *      guaranteed ancestor-or-self) is below its guarantee are visited in sorter order;
 *      each gets reserved resources plus unreserved ones capped at the root's unsatisfied
 *      guarantee (non-guaranteed kinds capped at the surplus headroom).
 *   3. Stage 2 — fair share. For each agent, every active role in sorter (DRF) order
 *      gets what is allocatable to it: its reservations, plus unreserved resources capped
 *      by its quota limit and by the surplus headroom, so that
 *      availableHeadroom ≥ requiredHeadroom holds after every allocation (see quota.ts).
 *   4. Within a role, frameworks are visited in their own DRF order; a framework whose
 *      filter covers the candidate resources is skipped (offer-filters.ts).
 *   5. Allocations are emitted once per framework through the injected callback.
 *
 * Coalescing: events (agent added, resources recovered, revive, …) only mark the round
 * as pending — for the touched agents, or for all. `runPendingAllocation(now)` runs one
 * round over the union, however many events arrived (Mesos batches the same way).
 *
 * Reserved resources are allocatable only to their role and its descendants; quota
 * consumption counts reservations whether allocated or not (Mesos 1.9).
 */
import { SeededRandom } from '../random/seeded-random.js';
import { Resources } from '../resources/resources.js';
import type { ReadonlyScalarMap, ScalarMap } from '../resources/scalars.js';
import { addInto, isZero, subtractInto } from '../resources/scalars.js';
import { DrfSorter, type SharedTotal } from './drf-sorter.js';
import { OfferFilters } from './offer-filters.js';
import { isValidRoleName, selfAndAncestors, unsatisfied, validateQuota } from './quota.js';
import { RandomSorter } from './random-sorter.js';
import type { Sorter } from './sorter.js';
import type {
  AgentMode,
  AgentSpec,
  Allocation,
  FrameworkSpec,
  OfferCallback,
  Quota,
  Result,
  RoundReport,
  UsedResources,
} from './types.js';
import { OK, fail } from './types.js';

export interface AllocatorOptions {
  /** Where allocations go; may be set later with `setOfferCallback`. */
  onOffers?: OfferCallback;
  /** Role ordering policy. Default `drf`. */
  roleSorter?: 'drf' | 'random';
  /** Seeds the agent shuffle and the random sorter. Default 0. */
  seed?: number;
  /** Visit agents in a seeded random order each round (Mesos does). Default true. */
  shuffleAgents?: boolean;
  /**
   * An allocation is made only if it holds at least one of these (Mesos
   * `--min_allocatable_resources`, default `cpus:0.01|mem:32`), so that crumbs such as
   * ports without cpus are never offered.
   */
  minAllocatable?: ReadonlyArray<ReadonlyScalarMap>;
}

const DEFAULT_MIN_ALLOCATABLE: ReadonlyArray<ReadonlyScalarMap> = [new Map([['cpus', 10]]), new Map([['mem', 32_000]])];

interface AgentState {
  readonly id: string;
  spec: AgentSpec;
  total: Resources;
  unallocated: Resources;
  mode: AgentMode;
  /** Keyed by `frameworkId \0 role`. */
  readonly allocations: Map<string, { frameworkId: string; role: string; resources: Resources }>;
}

interface FrameworkState {
  readonly spec: FrameworkSpec;
  readonly roles: Set<string>;
  readonly suppressed: Set<string>;
  active: boolean;
  readonly filters: OfferFilters;
}

interface RoleState {
  readonly role: string;
  readonly frameworks: Set<string>;
  readonly frameworkSorter: Sorter;
  /** This role's own reservations (all agents, allocated or not). */
  readonly reserved: ScalarMap;
  /** This role's own unreserved allocations. */
  readonly allocatedUnreserved: ScalarMap;
}

function allocationKey(frameworkId: string, role: string): string {
  return `${frameworkId}\u0000${role}`;
}

function minOf(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}

export class HierarchicalAllocator {
  private onOffers: OfferCallback | undefined;
  private readonly roleSorter: Sorter;
  /** Cluster total, shared by every role's framework sorter (their shares' denominator). */
  private readonly clusterTotal: SharedTotal = { scalars: new Map(), version: 0 };
  private readonly random: SeededRandom;
  private readonly shuffleAgents: boolean;
  private readonly minAllocatable: ReadonlyArray<ReadonlyScalarMap>;

  private readonly agents = new Map<string, AgentState>();
  private agentOrder: string[] | undefined;
  private readonly frameworks = new Map<string, FrameworkState>();
  private readonly roles = new Map<string, RoleState>();
  private readonly weights = new Map<string, number>();
  private readonly quotas = new Map<string, Quota>();
  /** consumed(path) for every path that is a role or an ancestor of one (see quota.ts). */
  private readonly consumed = new Map<string, ScalarMap>();

  private pendingAll = false;
  private readonly pendingAgents = new Set<string>();

  constructor(options: AllocatorOptions = {}) {
    this.onOffers = options.onOffers;
    this.random = new SeededRandom(options.seed ?? 0);
    this.roleSorter =
      options.roleSorter === 'random'
        ? new RandomSorter({ hierarchical: true, seed: this.random.nextUint32() })
        : new DrfSorter({ hierarchical: true });
    this.shuffleAgents = options.shuffleAgents ?? true;
    this.minAllocatable = options.minAllocatable ?? DEFAULT_MIN_ALLOCATABLE;
  }

  setOfferCallback(callback: OfferCallback): void {
    this.onOffers = callback;
  }

  // ---------------------------------------------------------------- roles & quota

  private role(role: string): RoleState {
    let rs = this.roles.get(role);
    if (!rs) {
      rs = {
        role,
        frameworks: new Set(),
        frameworkSorter: new DrfSorter({ hierarchical: false, total: this.clusterTotal }),
        reserved: new Map(),
        allocatedUnreserved: new Map(),
      };
      this.roles.set(role, rs);
    }
    return rs;
  }

  /** Role weight (default 1): its fair share is proportional to it. */
  setWeight(role: string, weight: number): Result {
    if (!isValidRoleName(role)) return fail(`invalid role "${role}"`);
    if (!(weight > 0) || !Number.isFinite(weight)) return fail(`weight must be a positive number`);
    this.weights.set(role, weight);
    this.roleSorter.updateWeight(role, weight);
    this.requestAllocation();
    return OK;
  }

  weight(role: string): number {
    return this.weights.get(role) ?? 1;
  }

  /** Sets (or, with an empty guarantee and limit, removes) a role's quota. */
  setQuota(role: string, quota: Quota): Result {
    if (!isValidRoleName(role)) return fail(`invalid role "${role}"`);
    const others = new Map(this.quotas);
    others.delete(role);
    if (quota.guarantee.size === 0 && quota.limit.size === 0) {
      this.quotas.delete(role);
      this.requestAllocation();
      return OK;
    }
    const valid = validateQuota(role, quota, others);
    if (!valid.ok) return valid;
    this.quotas.set(role, { guarantee: new Map(quota.guarantee), limit: new Map(quota.limit) });
    this.requestAllocation();
    return OK;
  }

  quota(role: string): Quota | undefined {
    return this.quotas.get(role);
  }

  /** Reservations + unreserved allocations of the role's subtree. */
  consumedQuota(role: string): ReadonlyScalarMap {
    return this.consumed.get(role) ?? new Map();
  }

  private addConsumed(role: string, delta: ReadonlyScalarMap, sign: 1 | -1): void {
    if (delta.size === 0) return;
    for (const path of selfAndAncestors(role)) {
      let c = this.consumed.get(path);
      if (!c) this.consumed.set(path, (c = new Map()));
      if (sign === 1) addInto(c, delta);
      else subtractInto(c, delta);
    }
  }

  private addReservations(resources: Resources, sign: 1 | -1): void {
    if (!resources.hasReservations()) return;
    for (const r of resources.items) {
      if (!r.reservation || r.type !== 'scalar') continue;
      const delta = new Map([[r.name, r.milli]]);
      const rs = this.role(r.reservation.role);
      if (sign === 1) addInto(rs.reserved, delta);
      else subtractInto(rs.reserved, delta);
      this.addConsumed(r.reservation.role, delta, sign);
    }
  }

  private quotaRoots(): string[] {
    const out: string[] = [];
    for (const [role, q] of this.quotas) {
      if (q.guarantee.size === 0) continue;
      if (selfAndAncestors(role).slice(1).some((a) => (this.quotas.get(a)?.guarantee.size ?? 0) > 0)) continue;
      out.push(role);
    }
    return out.sort();
  }

  /** Σ over quota roots of max(guarantee − consumed, 0). */
  requiredHeadroom(): ScalarMap {
    const out: ScalarMap = new Map();
    for (const root of this.quotaRoots()) addInto(out, unsatisfied(this.quotas.get(root)!, this.consumed.get(root)));
    return out;
  }

  /** Σ over schedulable agents of unallocated unreserved resources. */
  availableHeadroom(): ScalarMap {
    const out: ScalarMap = new Map();
    for (const a of this.agents.values()) if (a.mode === 'UP') addInto(out, a.unallocated.unreserved().scalars());
    return out;
  }

  /** min over the role and its ancestors of (limit − consumed), per limited kind. */
  private limitRoom(role: string): ScalarMap | undefined {
    let room: ScalarMap | undefined;
    for (const path of selfAndAncestors(role)) {
      const q = this.quotas.get(path);
      if (!q || q.limit.size === 0) continue;
      room ??= new Map();
      const c = this.consumed.get(path);
      for (const [kind, l] of q.limit) room.set(kind, Math.max(0, minOf(room.get(kind), l - (c?.get(kind) ?? 0))));
    }
    return room;
  }

  // ---------------------------------------------------------------- frameworks

  addFramework(spec: FrameworkSpec): Result {
    if (this.frameworks.has(spec.id)) return fail(`framework ${spec.id} already exists`);
    if (spec.roles.length === 0) return fail(`framework ${spec.id} subscribes to no role`);
    for (const r of spec.roles) if (!isValidRoleName(r)) return fail(`invalid role "${r}"`);
    const fw: FrameworkState = {
      spec,
      roles: new Set(spec.roles),
      suppressed: new Set(spec.suppressedRoles ?? []),
      active: true,
      filters: new OfferFilters(),
    };
    this.frameworks.set(spec.id, fw);
    for (const role of fw.roles) {
      const rs = this.role(role);
      rs.frameworks.add(spec.id);
      rs.frameworkSorter.add(spec.id);
      if (!this.roleSorter.contains(role)) this.roleSorter.add(role);
      this.refreshActivity(spec.id, role);
    }
    this.requestAllocation();
    return OK;
  }

  /** Removes a framework and returns everything it held to the pool (no filters). */
  removeFramework(frameworkId: string): Result {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return fail(`unknown framework ${frameworkId}`);
    for (const agent of this.agents.values()) {
      for (const role of fw.roles) {
        const held = agent.allocations.get(allocationKey(frameworkId, role));
        if (held) this.release(agent, frameworkId, role, held.resources);
      }
    }
    for (const role of fw.roles) {
      const rs = this.roles.get(role)!;
      rs.frameworks.delete(frameworkId);
      rs.frameworkSorter.remove(frameworkId);
      if (rs.frameworks.size === 0) this.roleSorter.remove(role);
    }
    this.frameworks.delete(frameworkId);
    this.requestAllocation();
    return OK;
  }

  hasFramework(frameworkId: string): boolean {
    return this.frameworks.has(frameworkId);
  }

  frameworkPrincipal(frameworkId: string): string | undefined {
    return this.frameworks.get(frameworkId)?.spec.principal;
  }

  frameworkRoles(frameworkId: string): readonly string[] {
    return [...(this.frameworks.get(frameworkId)?.roles ?? [])];
  }

  /** A disconnected framework keeps its allocations but is offered nothing. */
  setFrameworkActive(frameworkId: string, active: boolean): Result {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return fail(`unknown framework ${frameworkId}`);
    fw.active = active;
    for (const role of fw.roles) this.refreshActivity(frameworkId, role);
    if (active) this.requestAllocation();
    return OK;
  }

  /** Stop offering `roles` (all the framework's roles if omitted) to the framework. */
  suppress(frameworkId: string, roles?: readonly string[]): Result {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return fail(`unknown framework ${frameworkId}`);
    for (const role of roles ?? fw.roles) {
      if (!fw.roles.has(role)) return fail(`framework ${frameworkId} is not subscribed to ${role}`);
      fw.suppressed.add(role);
      this.refreshActivity(frameworkId, role);
    }
    return OK;
  }

  /** Resume offers for `roles` and drop their filters (Mesos `REVIVE`). */
  revive(frameworkId: string, roles?: readonly string[]): Result {
    const fw = this.frameworks.get(frameworkId);
    if (!fw) return fail(`unknown framework ${frameworkId}`);
    const target = new Set(roles ?? fw.roles);
    for (const role of target) {
      if (!fw.roles.has(role)) return fail(`framework ${frameworkId} is not subscribed to ${role}`);
      fw.suppressed.delete(role);
      this.refreshActivity(frameworkId, role);
    }
    fw.filters.clear(target);
    this.requestAllocation();
    return OK;
  }

  isSuppressed(frameworkId: string, role: string): boolean {
    return this.frameworks.get(frameworkId)?.suppressed.has(role) ?? false;
  }

  /**
   * A framework is visited under a role iff it is active and not suppressed there; a
   * role is visited iff one of its frameworks is (so suppressed roles cost nothing).
   */
  private refreshActivity(frameworkId: string, role: string): void {
    const fw = this.frameworks.get(frameworkId)!;
    const rs = this.roles.get(role)!;
    const on = fw.active && !fw.suppressed.has(role);
    if (on) rs.frameworkSorter.activate(frameworkId);
    else rs.frameworkSorter.deactivate(frameworkId);
    let any = false;
    for (const id of rs.frameworks) if (rs.frameworkSorter.isActive(id)) any = true;
    if (any) this.roleSorter.activate(role);
    else this.roleSorter.deactivate(role);
  }

  // ---------------------------------------------------------------- agents

  /**
   * Adds an agent. `used` lists resources already held by frameworks (tasks that
   * survived a master failover); they must fit in the agent's total.
   */
  addAgent(spec: AgentSpec, used: readonly UsedResources[] = []): Result {
    if (this.agents.has(spec.id)) return fail(`agent ${spec.id} already exists`);
    let usedTotal = Resources.EMPTY;
    for (const u of used) {
      const fw = this.frameworks.get(u.frameworkId);
      if (!fw || !fw.roles.has(u.role)) return fail(`used resources name unknown framework/role ${u.frameworkId}/${u.role}`);
      usedTotal = usedTotal.plus(u.resources);
    }
    if (!spec.resources.contains(usedTotal)) return fail(`agent ${spec.id} uses more than it has`);
    const agent: AgentState = {
      id: spec.id,
      spec,
      total: spec.resources,
      unallocated: spec.resources,
      mode: spec.mode ?? 'UP',
      allocations: new Map(),
    };
    this.agents.set(spec.id, agent);
    this.agentOrder = undefined;
    this.roleSorter.addTotal(spec.resources.scalars());
    addInto(this.clusterTotal.scalars, spec.resources.scalars());
    this.clusterTotal.version++;
    this.addReservations(spec.resources, 1);
    for (const u of used) this.commit(agent, u.frameworkId, u.role, u.resources);
    this.requestAllocation(spec.id);
    return OK;
  }

  /**
   * Removes an agent and everything allocated on it. Returns those allocations so the
   * offer layer can rescind offers and the frameworks can mark tasks lost.
   */
  removeAgent(agentId: string): Array<{ frameworkId: string; role: string; resources: Resources }> {
    const agent = this.agents.get(agentId);
    if (!agent) return [];
    const lost = [...agent.allocations.values()];
    for (const a of lost) this.release(agent, a.frameworkId, a.role, a.resources);
    this.addReservations(agent.total, -1);
    this.roleSorter.removeTotal(agent.total.scalars());
    subtractInto(this.clusterTotal.scalars, agent.total.scalars());
    this.clusterTotal.version++;
    for (const fw of this.frameworks.values()) fw.filters.forgetAgent(agentId);
    this.agents.delete(agentId);
    this.agentOrder = undefined;
    this.pendingAgents.delete(agentId);
    return lost;
  }

  setAgentMode(agentId: string, mode: AgentMode): Result {
    const agent = this.agents.get(agentId);
    if (!agent) return fail(`unknown agent ${agentId}`);
    agent.mode = mode;
    if (mode === 'UP') this.requestAllocation(agentId);
    return OK;
  }

  agent(agentId: string): { spec: AgentSpec; total: Resources; unallocated: Resources; mode: AgentMode } | undefined {
    const a = this.agents.get(agentId);
    return a ? { spec: a.spec, total: a.total, unallocated: a.unallocated, mode: a.mode } : undefined;
  }

  agentIds(): string[] {
    return [...this.agents.keys()].sort();
  }

  /** Everything held on an agent, per framework and role. */
  allocationsOn(agentId: string): Array<{ frameworkId: string; role: string; resources: Resources }> {
    return [...(this.agents.get(agentId)?.allocations.values() ?? [])].map((a) => ({ ...a }));
  }

  /** What `frameworkId` holds on `agentId` under `role` (offered or in use). */
  allocated(agentId: string, frameworkId: string, role: string): Resources {
    return this.agents.get(agentId)?.allocations.get(allocationKey(frameworkId, role))?.resources ?? Resources.EMPTY;
  }

  // ---------------------------------------------------------------- allocation accounting

  private commit(agent: AgentState, frameworkId: string, role: string, resources: Resources): void {
    agent.unallocated = agent.unallocated.minus(resources);
    const key = allocationKey(frameworkId, role);
    const prev = agent.allocations.get(key);
    agent.allocations.set(key, { frameworkId, role, resources: prev ? prev.resources.plus(resources) : resources });
    const s = resources.scalars();
    this.roleSorter.allocated(role, s);
    const rs = this.roles.get(role)!;
    rs.frameworkSorter.allocated(frameworkId, s);
    const unreserved = resources.hasReservations() ? resources.unreserved().scalars() : s;
    addInto(rs.allocatedUnreserved, unreserved);
    this.addConsumed(role, unreserved, 1);
  }

  private release(agent: AgentState, frameworkId: string, role: string, resources: Resources): void {
    const key = allocationKey(frameworkId, role);
    const prev = agent.allocations.get(key);
    if (!prev) throw new RangeError(`${frameworkId} holds nothing on ${agent.id} under ${role}`);
    const rest = prev.resources.minus(resources);
    if (rest.isEmpty()) agent.allocations.delete(key);
    else agent.allocations.set(key, { frameworkId, role, resources: rest });
    agent.unallocated = agent.unallocated.plus(resources);
    const s = resources.scalars();
    this.roleSorter.unallocated(role, s);
    const rs = this.roles.get(role)!;
    rs.frameworkSorter.unallocated(frameworkId, s);
    const unreserved = resources.hasReservations() ? resources.unreserved().scalars() : s;
    subtractInto(rs.allocatedUnreserved, unreserved);
    this.addConsumed(role, unreserved, -1);
  }

  /**
   * Returns resources a framework no longer uses (declined or unused part of an offer,
   * finished task, rescinded offer). With `refuseSeconds > 0` the framework will not be
   * offered these resources on this agent under this role until the filter expires.
   */
  recoverResources(
    frameworkId: string,
    role: string,
    agentId: string,
    resources: Resources,
    refuseSeconds: number,
    now: number,
  ): Result {
    const agent = this.agents.get(agentId);
    if (!agent) return fail(`unknown agent ${agentId}`);
    const held = agent.allocations.get(allocationKey(frameworkId, role));
    if (!held || !held.resources.contains(resources)) return fail(`${frameworkId} does not hold ${resources.toString()} on ${agentId} under ${role}`);
    this.release(agent, frameworkId, role, resources);
    if (refuseSeconds > 0) this.frameworks.get(frameworkId)?.filters.add(agentId, role, resources, refuseSeconds, now);
    this.requestAllocation(agentId);
    return OK;
  }

  /**
   * Applies resource conversions made by accepted operations (RESERVE, UNRESERVE,
   * CREATE, DESTROY) to what the framework holds and to the agent's total: each
   * `consumed` part of the allocation becomes `converted` (same quantities, new shape).
   */
  applyConversions(
    frameworkId: string,
    role: string,
    agentId: string,
    conversions: ReadonlyArray<{ consumed: Resources; converted: Resources }>,
  ): Result {
    const agent = this.agents.get(agentId);
    if (!agent) return fail(`unknown agent ${agentId}`);
    const key = allocationKey(frameworkId, role);
    for (const { consumed, converted } of conversions) {
      const held = agent.allocations.get(key);
      if (!held || !held.resources.contains(consumed)) return fail(`${frameworkId} does not hold ${consumed.toString()} on ${agentId}`);
      const total = agent.total.tryMinus(consumed);
      if (!total) return fail(`agent ${agentId} does not have ${consumed.toString()}`);
      this.release(agent, frameworkId, role, consumed);
      agent.unallocated = agent.unallocated.minus(consumed);
      this.addReservations(consumed, -1);
      agent.total = total.plus(converted);
      agent.unallocated = agent.unallocated.plus(converted);
      this.addReservations(converted, 1);
      this.commit(agent, frameworkId, role, converted);
    }
    return OK;
  }

  // ---------------------------------------------------------------- rounds

  /** Marks a round as pending, for one agent or for all. */
  requestAllocation(agentId?: string): void {
    if (agentId === undefined) this.pendingAll = true;
    else this.pendingAgents.add(agentId);
  }

  hasPendingAllocation(): boolean {
    return this.pendingAll || this.pendingAgents.size > 0;
  }

  /** Runs one round over everything that changed since the last, if anything did. */
  runPendingAllocation(now: number): RoundReport | undefined {
    if (!this.hasPendingAllocation()) return undefined;
    const agentIds = this.pendingAll ? undefined : [...this.pendingAgents];
    return this.allocate(now, agentIds);
  }

  /** The earliest filter expiry after `now`: a host should run a round then. */
  nextFilterExpiry(now: number): number | undefined {
    let next: number | undefined;
    for (const fw of this.frameworks.values()) {
      const e = fw.filters.nextExpiry(now);
      if (e !== undefined && (next === undefined || e < next)) next = e;
    }
    return next;
  }

  private orderedAgents(agentIds: readonly string[] | undefined): AgentState[] {
    if (!this.agentOrder) this.agentOrder = [...this.agents.keys()].sort();
    const ids = agentIds ? [...new Set(agentIds)].filter((id) => this.agents.has(id)).sort() : this.agentOrder.slice();
    if (this.shuffleAgents) this.random.shuffle(ids);
    const out: AgentState[] = [];
    for (const id of ids) {
      const a = this.agents.get(id)!;
      if (a.mode === 'UP' && !a.unallocated.isEmpty()) out.push(a);
    }
    return out;
  }

  private meetsMinimum(resources: Resources): boolean {
    const s = resources.scalars();
    return this.minAllocatable.some((min) => {
      for (const [kind, milli] of min) if ((s.get(kind) ?? 0) < milli) return false;
      return true;
    });
  }

  /** Runs one allocation round (over `agentIds`, or every agent) and emits offers. */
  allocate(now: number, agentIds?: readonly string[]): RoundReport {
    this.pendingAll = false;
    this.pendingAgents.clear();
    const agents = this.orderedAgents(agentIds);
    const out = new Map<string, Allocation[]>();
    let allocations = 0;
    let guaranteeAllocations = 0;

    const roots = new Set(this.quotaRoots());
    const rootOf = (role: string): string | undefined => selfAndAncestors(role).find((r) => roots.has(r));
    const required = this.requiredHeadroom();
    const available = required.size > 0 ? this.availableHeadroom() : new Map<string, number>();

    /** Caps on unreserved scalars for `role` (undefined = no cap). */
    // Guarantees are enforced at quota roots: a role draws on the guarantee of its
    // outermost guaranteed ancestor-or-self (Mesos: a parent's guarantee is consumable by
    // its descendants). Nested guarantees are validated to fit in their parent's but are
    // not protected separately from their siblings.
    const capsFor = (role: string, stage: 1 | 2): ScalarMap | undefined => {
      if (this.quotas.size === 0) return undefined;
      const root = required.size > 0 ? rootOf(role) : undefined;
      const rq = root !== undefined ? this.quotas.get(root) : undefined;
      const unsat = rq ? unsatisfied(rq, this.consumed.get(root!)) : undefined;
      const room = this.limitRoom(role);
      if (!room && required.size === 0 && stage === 2) return undefined;
      const caps: ScalarMap = new Map();
      // Surplus headroom per kind: what may go to anyone without starving a guarantee;
      // a role may also take what its own root is still owed.
      for (const [kind, req] of required) {
        const surplus = Math.max(0, (available.get(kind) ?? 0) - req);
        caps.set(kind, surplus + (unsat?.get(kind) ?? 0));
      }
      // Stage 1 hands out guaranteed kinds only up to what is still owed.
      if (stage === 1 && rq) for (const kind of rq.guarantee.keys()) caps.set(kind, unsat?.get(kind) ?? 0);
      if (room) for (const [kind, r] of room) caps.set(kind, minOf(caps.get(kind), r));
      return caps;
    };

    const tryRole = (agent: AgentState, role: string, stage: 1 | 2): void => {
      const rs = this.roles.get(role)!;
      const caps = capsFor(role, stage);
      let candidate = this.offerable(agent, role, caps);
      if (!candidate) return;
      rs.frameworkSorter.forEachInOrder((frameworkId) => {
        const fw = this.frameworks.get(frameworkId)!;
        if (fw.filters.isFiltered(agent.id, role, candidate!, now)) return true;
        const unreserved = candidate!.hasReservations() ? candidate!.unreserved().scalars() : candidate!.scalars();
        const root = required.size > 0 ? rootOf(role) : undefined;
        const before = root ? unsatisfied(this.quotas.get(root)!, this.consumed.get(root)) : undefined;
        this.commit(agent, frameworkId, role, candidate!);
        // Keep the headroom tallies exact: available −= unreserved; required −= the part
        // of it that went toward an unsatisfied guarantee.
        if (required.size > 0) {
          subtractInto(available, unreserved);
          if (root && before) {
            const after = unsatisfied(this.quotas.get(root)!, this.consumed.get(root));
            for (const [kind, b] of before) {
              const dec = b - (after.get(kind) ?? 0);
              if (dec > 0) required.set(kind, (required.get(kind) ?? 0) - dec);
            }
          }
        }
        let list = out.get(frameworkId);
        if (!list) out.set(frameworkId, (list = []));
        list.push({ agentId: agent.id, role, resources: candidate! });
        allocations++;
        if (stage === 1) guaranteeAllocations++;
        candidate = this.offerable(agent, role, capsFor(role, stage));
        return candidate !== undefined;
      });
    };

    // Stage 1: roles whose quota root is below its guarantee, before anyone else. They
    // are ordered by a sorter of their own (Mesos' quota role sorter) over what they
    // consume, and leave it once their root is satisfied, so the walk per agent stays
    // short however many roles exist.
    if (required.size > 0 && !isZero(required)) {
      const hungry = new DrfSorter({ hierarchical: false, total: this.clusterTotal });
      const membersOf = new Map<string, string[]>();
      let stillHungry = 0;
      this.roleSorter.forEachInOrder((role) => {
        const root = rootOf(role);
        if (root === undefined || isZero(unsatisfied(this.quotas.get(root)!, this.consumed.get(root)))) return true;
        hungry.add(role);
        hungry.allocated(role, this.consumed.get(role) ?? new Map());
        const members = membersOf.get(root);
        if (members) members.push(role);
        else membersOf.set(root, [role]);
        stillHungry++;
        return true;
      });
      for (const agent of agents) {
        if (stillHungry === 0) break;
        hungry.forEachInOrder((role) => {
          const snapshot = new Map(this.consumed.get(role) ?? []);
          tryRole(agent, role, 1);
          const after = this.consumed.get(role) ?? new Map<string, number>();
          const delta = new Map<string, number>();
          for (const [k, v] of after) if (v !== (snapshot.get(k) ?? 0)) delta.set(k, v - (snapshot.get(k) ?? 0));
          if (delta.size > 0) hungry.allocated(role, delta);
          const root = rootOf(role)!;
          if (isZero(unsatisfied(this.quotas.get(root)!, this.consumed.get(root)))) {
            for (const member of membersOf.get(root) ?? []) {
              if (hungry.isActive(member)) {
                hungry.deactivate(member);
                stillHungry--;
              }
            }
          }
          return !agent.unallocated.isEmpty();
        });
      }
    }

    // Stage 2: everyone, in fair-share order, within limits and surplus headroom.
    for (const agent of agents) {
      if (agent.unallocated.isEmpty()) continue;
      this.roleSorter.forEachInOrder((role) => {
        tryRole(agent, role, 2);
        return !agent.unallocated.isEmpty();
      });
    }

    const frameworkIds = [...out.keys()].sort();
    for (const id of frameworkIds) this.onOffers?.(id, out.get(id)!, now);
    return { agentsConsidered: agents.length, allocations, frameworksOffered: frameworkIds.length, guaranteeAllocations };
  }

  /** What `role` may be offered on `agent` now, after caps, or undefined if below minimum. */
  private offerable(agent: AgentState, role: string, caps: ScalarMap | undefined): Resources | undefined {
    if (agent.unallocated.isEmpty()) return undefined;
    let candidate = agent.unallocated.allocatableTo(role);
    if (candidate.isEmpty()) return undefined;
    if (caps && caps.size > 0) {
      if (candidate.hasReservations()) {
        const reserved = candidate.filter((r) => !!r.reservation);
        candidate = reserved.plus(candidate.unreserved().shrinkScalars(caps));
      } else {
        candidate = candidate.shrinkScalars(caps);
      }
    }
    return this.meetsMinimum(candidate) ? candidate : undefined;
  }
}
