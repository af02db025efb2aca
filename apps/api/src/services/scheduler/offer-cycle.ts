import {
  fromMilli, HierarchicalAllocator, OfferBook, ranges, Resources, scalar, toMilli, type Offer, type Operation, type PlacementCandidate, type Resource,
} from '@gantry/scheduler-core';
import type { AgentResources, NodeState, ResourceUsage, TaskResources } from '@gantry/specs';

/** An agent as the scheduler sees it (from the agents table). */
export interface SchedulableAgent {
  id: string;
  hostname: string;
  state: NodeState;
  resources: AgentResources;
  attributes: Record<string, string | number>;
}

/** What one task holds, for the allocator's books. */
export interface HeldResources {
  agentId: string;
  role: string;
  resources: Resources;
}

/** The services framework subscribes once per role, so DRF and quotas act between tenants. */
export const frameworkIdFor = (role: string) => `gantry-services:${role}`;

export function agentResources(r: AgentResources): Resources {
  const items: Resource[] = [scalar('cpus', r.cpus), scalar('mem', r.mem), scalar('disk', r.disk)];
  if (r.ports.length) items.push(ranges('ports', r.ports.map(([begin, end]) => [begin, end] as const)));
  return Resources.of(items);
}

export function taskResources(r: TaskResources): Resources {
  const items: Resource[] = [scalar('cpus', r.cpus), scalar('mem', r.mem)];
  if (r.disk > 0) items.push(scalar('disk', r.disk));
  if (r.ports.length) items.push(ranges('ports', r.ports.map((p) => [p, p] as const)));
  return Resources.of(items);
}

/**
 * The leader's two-level scheduling state: the allocator and its offer book, kept in
 * step with the agents table and the live tasks. One instance per leadership term
 * (offer ids carry the epoch, so they never repeat across leaders).
 *
 * Every round is synchronous: the services framework answers each offer in the same
 * pass that received it, so offers never linger and need no timeout.
 */
export class OfferCycle {
  private readonly allocator: HierarchicalAllocator;
  private readonly book: OfferBook;
  private received: Offer[] = [];
  /** Agents in the allocator, by id, with the registration they were added with. */
  private readonly agents = new Map<string, SchedulableAgent>();
  private readonly roles = new Set<string>();
  private readonly modes = new Map<string, 'UP' | 'DRAINING'>();
  private limited = new Set<string>();

  constructor(epoch: number, seed: number) {
    this.allocator = new HierarchicalAllocator({ seed, roleSorter: 'drf' });
    this.book = new OfferBook(this.allocator, { idPrefix: `e${epoch}`, onOffers: (_fw, offers) => this.received.push(...offers) });
  }

  /** Subscribes the framework of `role` (suppressed until it has work). */
  ensureRole(role: string): void {
    if (this.roles.has(role)) return;
    // No principal: reservations made through it (stateful pods) carry their service's own, or none.
    const result = this.allocator.addFramework({ id: frameworkIdFor(role), roles: [role], suppressedRoles: [role] });
    if (!result.ok) throw new Error(`cannot subscribe the services framework to role ${role}: ${result.error}`);
    this.roles.add(role);
  }

  hasAgent(agentId: string): boolean {
    return this.agents.has(agentId);
  }

  agentIds(): string[] {
    return [...this.agents.keys()];
  }

  /**
   * Adds (or re-adds, when its resources changed) an ACTIVE agent with what its live
   * tasks already hold. Held resources that no longer fit (the agent came back smaller)
   * are left out and reported: they are released when those tasks end. `reserved` are
   * the dynamic reservations (and persistent volumes) made on it earlier, as Postgres
   * remembers them: carved out of its unreserved resources again, for their roles only.
   */
  addAgent(agent: SchedulableAgent, held: readonly HeldResources[], reserved: readonly Resources[] = []): { ok: true; unaccounted: HeldResources[] } {
    if (this.agents.has(agent.id)) this.removeAgent(agent.id);
    for (const h of held) this.ensureRole(h.role);
    let total = agentResources(agent.resources);
    for (const reservation of reserved) {
      for (const item of reservation.items) if (item.reservation) this.ensureRole(item.reservation.role);
      const rest = total.tryMinus(reservation.flatten());
      if (rest) total = rest.plus(reservation);
      else console.error(`agent ${agent.hostname} no longer has room for a reservation it held (${reservation.toString()}); left out`);
    }
    const fitting: HeldResources[] = [];
    const unaccounted: HeldResources[] = [];
    let sum = Resources.EMPTY;
    for (const h of held) {
      const next = sum.plus(h.resources);
      if (total.contains(next)) {
        sum = next;
        fitting.push(h);
      } else unaccounted.push(h);
    }
    const attributes = agent.attributes;
    const result = this.allocator.addAgent(
      {
        id: agent.id, hostname: agent.hostname, resources: total, attributes,
        ...(attributes.zone !== undefined ? { zone: String(attributes.zone) } : {}),
        ...(attributes.region !== undefined ? { region: String(attributes.region) } : {}),
      },
      fitting.map((h) => ({ frameworkId: frameworkIdFor(h.role), role: h.role, resources: h.resources })),
    );
    if (!result.ok) throw new Error(`cannot add agent ${agent.id} to the allocator: ${result.error}`);
    this.agents.set(agent.id, agent);
    return { ok: true, unaccounted };
  }

  /** An agent left (unreachable, or re-registering with other resources): its offers are rescinded. */
  removeAgent(agentId: string): void {
    this.modes.delete(agentId);
    if (!this.agents.delete(agentId)) return;
    this.book.removeAgent(agentId, 0);
  }

  /** A draining agent is offered nothing new (its offers are rescinded); `UP` takes it back. */
  setMode(agentId: string, mode: 'UP' | 'DRAINING'): void {
    if (this.modes.get(agentId) === mode || !this.agents.has(agentId)) return;
    this.modes.set(agentId, mode);
    this.book.setAgentMode(agentId, mode, 0);
  }

  /** What the tasks on each agent hold now, as the console shows it (allocated, not measured). */
  held(): Map<string, ResourceUsage> {
    const out = new Map<string, ResourceUsage>();
    for (const id of this.agents.keys()) {
      let sum = Resources.EMPTY;
      for (const a of this.allocator.allocationsOn(id)) sum = sum.plus(a.resources);
      out.set(id, {
        cpus: fromMilli(sum.scalar('cpus')), mem: Math.round(fromMilli(sum.scalar('mem'))), disk: Math.round(fromMilli(sum.scalar('disk'))),
        ports: sum.ranges('ports').map(([b, e]) => [b, e] as [number, number]),
      });
    }
    return out;
  }

  agent(agentId: string): SchedulableAgent | undefined {
    return this.agents.get(agentId);
  }

  /** A task ended: what it held is free again, at once (Mesos recovers without a filter). */
  release(held: HeldResources, now: number): void {
    if (!this.agents.has(held.agentId)) return; // the agent is gone and took its books with it
    const result = this.book.releaseTaskResources(frameworkIdFor(held.role), held.role, held.agentId, held.resources, now);
    if (!result.ok) throw new Error(`releasing ${held.resources.toString()} on ${held.agentId}: ${result.error}`);
  }

  /**
   * One allocation round for the roles that have work (the rest stay suppressed, as
   * Marathon suppresses when its launch queue is empty). Returns the offers made, as
   * placement candidates.
   */
  offer(rolesWithWork: ReadonlySet<string>, now: number): PlacementCandidate[] {
    for (const role of this.roles) {
      const fw = frameworkIdFor(role);
      if (rolesWithWork.has(role)) this.allocator.revive(fw);
      else this.allocator.suppress(fw);
    }
    if (rolesWithWork.size === 0) return [];
    this.received = [];
    this.allocator.requestAllocation();
    this.allocator.runPendingAllocation(now);
    return this.received.map((o) => {
      const agent = this.agents.get(o.agentId)!;
      const attributes = agent.attributes;
      return {
        id: o.id, agentId: o.agentId, hostname: o.hostname, role: o.role, resources: o.resources, attributes,
        agentTotal: agentResources(agent.resources),
        ...(attributes.zone !== undefined ? { zone: String(attributes.zone) } : {}),
        ...(attributes.region !== undefined ? { region: String(attributes.region) } : {}),
      };
    });
  }

  /** Launches tasks on an offer; the rest of it goes back at once (we answer in the same pass). */
  accept(offerId: string, tasks: readonly { taskId: string; resources: Resources }[], now: number): void {
    const offer = this.book.get(offerId);
    if (!offer) throw new Error(`offer ${offerId} is not outstanding`);
    const result = this.book.accept(offer.frameworkId, [offerId], [{ type: 'LAUNCH', tasks }], now, { refuseSeconds: 0 });
    if (!result.ok) throw new Error(`accepting offer ${offerId} failed: ${result.error.message}`);
  }

  /** Answers an offer with any operations (RESERVE, CREATE, LAUNCH, DESTROY, UNRESERVE: stateful pods). */
  acceptOperations(offerId: string, operations: readonly Operation[], now: number): void {
    const offer = this.book.get(offerId);
    if (!offer) throw new Error(`offer ${offerId} is not outstanding`);
    const result = this.book.accept(offer.frameworkId, [offerId], operations, now, { refuseSeconds: 0 });
    if (!result.ok) throw new Error(`accepting offer ${offerId} failed: ${result.error.message}`);
  }

  /**
   * Quota limits per role (tenancy: a top-level group is a role): offers never take a
   * role past its limit. Roles no longer listed lose theirs.
   */
  setLimits(limits: ReadonlyMap<string, Readonly<Partial<Record<'cpus' | 'mem' | 'disk', number>>>>): void {
    for (const role of new Set([...this.limited, ...limits.keys()])) {
      const limit = limits.get(role);
      const entries = Object.entries(limit ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number').map(([k, v]) => [k, toMilli(v)] as const);
      this.ensureRole(role);
      const result = this.allocator.setQuota(role, { guarantee: new Map(), limit: new Map(entries) });
      if (!result.ok) console.error(`quota of ${role}: ${result.error}`);
    }
    this.limited = new Set(limits.keys());
  }

  /** Declines offers without a filter: the next pass decides afresh. */
  declineRest(now: number): void {
    for (const offer of this.book.outstanding()) this.book.decline(offer.frameworkId, [offer.id], now, { refuseSeconds: 0 });
  }
}
