/**
 * Offer filters: a framework that declines resources with `refuseSeconds` is not offered
 * the same resources on that agent, under that role, until the filter expires.
 *
 * Mesos' `RefusedOfferFilter` semantics: a filter covers a later offer when the offer is
 * *contained* in the declined resources — if the agent has since freed more, the bigger
 * offer goes through. Expired filters are dropped lazily when checked, so a filter costs
 * nothing after its time. `refuseSeconds = Infinity` never expires (B1's setting).
 */
import type { Resources } from '../resources/resources.js';

export const DEFAULT_REFUSE_SECONDS = 5;

interface Filter {
  readonly role: string;
  readonly resources: Resources;
  readonly expiresAt: number;
}

export class OfferFilters {
  private readonly byAgent = new Map<string, Filter[]>();

  get size(): number {
    let n = 0;
    for (const list of this.byAgent.values()) n += list.length;
    return n;
  }

  add(agentId: string, role: string, resources: Resources, refuseSeconds: number, now: number): void {
    if (!(refuseSeconds > 0)) return;
    const filter = { role, resources, expiresAt: now + refuseSeconds * 1000 };
    const list = this.byAgent.get(agentId);
    if (list) list.push(filter);
    else this.byAgent.set(agentId, [filter]);
  }

  /** Whether an offer of `resources` on `agentId` under `role` is filtered at `now`. */
  isFiltered(agentId: string, role: string, resources: Resources, now: number): boolean {
    const list = this.byAgent.get(agentId);
    if (!list) return false;
    let filtered = false;
    for (let i = 0; i < list.length; i++) {
      const f = list[i]!;
      if (f.expiresAt <= now) {
        list.splice(i--, 1);
        continue;
      }
      if (!filtered && f.role === role && f.resources.contains(resources)) filtered = true;
    }
    if (list.length === 0) this.byAgent.delete(agentId);
    return filtered;
  }

  /** Revive: drops every filter for `roles` (all roles if omitted). */
  clear(roles?: ReadonlySet<string>): void {
    if (!roles) {
      this.byAgent.clear();
      return;
    }
    for (const [agentId, list] of this.byAgent) {
      const kept = list.filter((f) => !roles.has(f.role));
      if (kept.length === 0) this.byAgent.delete(agentId);
      else this.byAgent.set(agentId, kept);
    }
  }

  forgetAgent(agentId: string): void {
    this.byAgent.delete(agentId);
  }

  /** The earliest expiry after `now`, so the host can schedule a round when it passes. */
  nextExpiry(now: number): number | undefined {
    let next: number | undefined;
    for (const list of this.byAgent.values()) {
      for (const f of list) if (f.expiresAt > now && f.expiresAt !== Infinity && (next === undefined || f.expiresAt < next)) next = f.expiresAt;
    }
    return next;
  }
}
