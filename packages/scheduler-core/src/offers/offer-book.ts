/**
 * The offer protocol on top of the allocator: gives every allocation an offer id and an
 * expiry, takes the framework's answer (`accept` with operations, or `decline` with a
 * filter), and rescinds offers when their agent goes away or stops being schedulable.
 *
 * Offer lifecycle (each offer ends in exactly one of the three terminal states):
 *
 *   allocated ──► OUTSTANDING ──accept──► ACCEPTED   (used part stays allocated,
 *                      │                              the rest is recovered with a filter)
 *                      ├──decline──► DECLINED        (recovered with refuseSeconds)
 *                      └──expire / agent lost / draining──► RESCINDED (recovered, no filter)
 *
 * Mesos semantics kept: an invalid accept drops every operation and returns the offered
 * resources without a filter; accepting several offers at once requires one agent; the
 * default filter of a decline or accept is 5 s.
 */
import type { HierarchicalAllocator } from '../allocator/hierarchical-allocator.js';
import { DEFAULT_REFUSE_SECONDS } from '../allocator/offer-filters.js';
import type { AgentMode, Allocation, Result } from '../allocator/types.js';
import { Resources } from '../resources/resources.js';
import type { AppliedOperations, Operation, OperationError } from './operations.js';
import { applyOperations } from './operations.js';

export interface Offer {
  readonly id: string;
  readonly frameworkId: string;
  readonly agentId: string;
  readonly hostname: string;
  readonly role: string;
  readonly resources: Resources;
  readonly createdAt: number;
  /** `Infinity` when offers do not time out. */
  readonly expiresAt: number;
}

export type RescindReason = 'Expired' | 'AgentRemoved' | 'AgentUnschedulable' | 'FrameworkRemoved';

export interface Rescind {
  readonly offer: Offer;
  readonly reason: RescindReason;
}

export type AcceptError =
  | { readonly reason: 'UnknownOffer' | 'NotYourOffer' | 'MixedAgents' | 'MixedRoles' | 'NoOffers'; readonly message: string }
  | { readonly reason: 'InvalidOperation'; readonly message: string; readonly operation: OperationError };

export type AcceptResult = ({ ok: true } & AppliedOperations) | { ok: false; error: AcceptError };

export interface OfferBookOptions {
  /** Offers still outstanding this long after creation are rescinded. Default: never. */
  offerTimeoutMs?: number;
  /** Offer ids are `${idPrefix}-${n}`; a leader uses its epoch here so ids never repeat. */
  idPrefix?: string;
  /** Also called for each framework's new offers (after they are recorded). */
  onOffers?: (frameworkId: string, offers: readonly Offer[]) => void;
}

export interface OfferStats {
  created: number;
  accepted: number;
  declined: number;
  rescinded: number;
}

export class OfferBook {
  private readonly offers = new Map<string, Offer>();
  private readonly byAgent = new Map<string, Set<string>>();
  private readonly timeoutMs: number;
  private readonly prefix: string;
  private counter = 0;
  private readonly listener: ((frameworkId: string, offers: readonly Offer[]) => void) | undefined;
  readonly stats: OfferStats = { created: 0, accepted: 0, declined: 0, rescinded: 0 };

  constructor(
    private readonly allocator: HierarchicalAllocator,
    options: OfferBookOptions = {},
  ) {
    this.timeoutMs = options.offerTimeoutMs ?? Infinity;
    this.prefix = options.idPrefix ?? 'offer';
    this.listener = options.onOffers;
    allocator.setOfferCallback((frameworkId, allocations, now) => this.receive(frameworkId, allocations, now));
  }

  private receive(frameworkId: string, allocations: readonly Allocation[], now: number): void {
    const made: Offer[] = [];
    for (const a of allocations) {
      const offer: Offer = {
        id: `${this.prefix}-${++this.counter}`,
        frameworkId,
        agentId: a.agentId,
        hostname: this.allocator.agent(a.agentId)?.spec.hostname ?? a.agentId,
        role: a.role,
        resources: a.resources,
        createdAt: now,
        expiresAt: now + this.timeoutMs,
      };
      this.offers.set(offer.id, offer);
      let set = this.byAgent.get(a.agentId);
      if (!set) this.byAgent.set(a.agentId, (set = new Set()));
      set.add(offer.id);
      made.push(offer);
    }
    this.stats.created += made.length;
    this.listener?.(frameworkId, made);
  }

  private forget(offer: Offer): void {
    this.offers.delete(offer.id);
    const set = this.byAgent.get(offer.agentId);
    set?.delete(offer.id);
    if (set && set.size === 0) this.byAgent.delete(offer.agentId);
  }

  get(offerId: string): Offer | undefined {
    return this.offers.get(offerId);
  }

  /** Outstanding offers, of one framework or all, in id order of creation. */
  outstanding(frameworkId?: string): Offer[] {
    const all = [...this.offers.values()];
    return frameworkId === undefined ? all : all.filter((o) => o.frameworkId === frameworkId);
  }

  private take(frameworkId: string, offerIds: readonly string[]): { ok: true; offers: Offer[] } | { ok: false; error: AcceptError } {
    if (offerIds.length === 0) return { ok: false, error: { reason: 'NoOffers', message: 'no offer ids given' } };
    const offers: Offer[] = [];
    for (const id of new Set(offerIds)) {
      const o = this.offers.get(id);
      if (!o) return { ok: false, error: { reason: 'UnknownOffer', message: `offer ${id} is not outstanding (answered, rescinded or never made)` } };
      if (o.frameworkId !== frameworkId) return { ok: false, error: { reason: 'NotYourOffer', message: `offer ${id} was made to another framework` } };
      offers.push(o);
    }
    return { ok: true, offers };
  }

  /**
   * Accepts offers (all on one agent, under one role) with operations. Unused resources
   * go back with a filter of `refuseSeconds` (default 5 s).
   */
  accept(frameworkId: string, offerIds: readonly string[], operations: readonly Operation[], now: number, filter: { refuseSeconds?: number } = {}): AcceptResult {
    const taken = this.take(frameworkId, offerIds);
    if (!taken.ok) return taken;
    const offers = taken.offers;
    const first = offers[0]!;
    if (offers.some((o) => o.agentId !== first.agentId)) return { ok: false, error: { reason: 'MixedAgents', message: 'offers to accept together must be on one agent' } };
    if (offers.some((o) => o.role !== first.role)) return { ok: false, error: { reason: 'MixedRoles', message: 'offers to accept together must share a role' } };
    let offered = Resources.EMPTY;
    for (const o of offers) offered = offered.plus(o.resources);
    for (const o of offers) this.forget(o);

    const result = applyOperations(offered, operations, { role: first.role, principal: this.allocator.frameworkPrincipal(frameworkId) });
    if (!result.ok) {
      // Mesos: an invalid accept is dropped whole; the resources return unfiltered.
      this.allocator.recoverResources(frameworkId, first.role, first.agentId, offered, 0, now);
      this.stats.declined += offers.length;
      return { ok: false, error: { reason: 'InvalidOperation', message: result.error.message, operation: result.error } };
    }
    const { applied } = result;
    if (applied.conversions.length > 0) {
      const converted = this.allocator.applyConversions(frameworkId, first.role, first.agentId, applied.conversions);
      if (!converted.ok) throw new Error(`accepted conversions failed to apply: ${converted.error}`);
    }
    if (!applied.remaining.isEmpty()) {
      this.allocator.recoverResources(frameworkId, first.role, first.agentId, applied.remaining, filter.refuseSeconds ?? DEFAULT_REFUSE_SECONDS, now);
    }
    this.stats.accepted += offers.length;
    return { ok: true, ...applied };
  }

  /** Declines offers; their resources are not re-offered to this framework for `refuseSeconds` (default 5 s). */
  decline(frameworkId: string, offerIds: readonly string[], now: number, filter: { refuseSeconds?: number } = {}): Result {
    const taken = this.take(frameworkId, offerIds);
    if (!taken.ok) return { ok: false, error: taken.error.message };
    for (const o of taken.offers) {
      this.forget(o);
      const r = this.allocator.recoverResources(frameworkId, o.role, o.agentId, o.resources, filter.refuseSeconds ?? DEFAULT_REFUSE_SECONDS, now);
      if (!r.ok) throw new Error(`declined offer ${o.id} could not be recovered: ${r.error}`);
    }
    this.stats.declined += taken.offers.length;
    return { ok: true };
  }

  /** Returns a task's resources when it ends (no filter: they may be re-offered at once). */
  releaseTaskResources(frameworkId: string, role: string, agentId: string, resources: Resources, now: number): Result {
    return this.allocator.recoverResources(frameworkId, role, agentId, resources, 0, now);
  }

  private rescind(offer: Offer, reason: RescindReason, now: number, recover: boolean): Rescind {
    this.forget(offer);
    if (recover) this.allocator.recoverResources(offer.frameworkId, offer.role, offer.agentId, offer.resources, 0, now);
    this.stats.rescinded++;
    return { offer, reason };
  }

  /** Rescinds offers whose time is up. */
  expire(now: number): Rescind[] {
    const out: Rescind[] = [];
    for (const o of [...this.offers.values()]) if (o.expiresAt <= now) out.push(this.rescind(o, 'Expired', now, true));
    return out;
  }

  /** The agent is gone: its offers are rescinded and everything on it is lost. */
  removeAgent(agentId: string, now: number): { rescinded: Rescind[]; lost: ReturnType<HierarchicalAllocator['removeAgent']> } {
    const rescinded: Rescind[] = [];
    for (const id of [...(this.byAgent.get(agentId) ?? [])]) rescinded.push(this.rescind(this.offers.get(id)!, 'AgentRemoved', now, true));
    const lost = this.allocator.removeAgent(agentId);
    return { rescinded, lost };
  }

  /** Draining or maintenance: outstanding offers on the agent are rescinded. */
  setAgentMode(agentId: string, mode: AgentMode, now: number): { result: Result; rescinded: Rescind[] } {
    const result = this.allocator.setAgentMode(agentId, mode);
    const rescinded: Rescind[] = [];
    if (result.ok && mode !== 'UP') {
      for (const id of [...(this.byAgent.get(agentId) ?? [])]) rescinded.push(this.rescind(this.offers.get(id)!, 'AgentUnschedulable', now, true));
    }
    return { result, rescinded };
  }

  /** The framework is gone: its offers are rescinded and its resources freed. */
  removeFramework(frameworkId: string, now: number): Rescind[] {
    const out: Rescind[] = [];
    for (const o of [...this.offers.values()]) if (o.frameworkId === frameworkId) out.push(this.rescind(o, 'FrameworkRemoved', now, false));
    this.allocator.removeFramework(frameworkId);
    return out;
  }
}
