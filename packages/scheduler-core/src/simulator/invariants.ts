/**
 * The safety invariants the simulator checks on every offer and every step:
 *
 *   no over-commit     per agent: unallocated + Σ allocations = total, and the running
 *                      tasks' resources fit in the total;
 *   reservations       an offer never holds resources reserved for a role other than
 *                      the offer's role (or an ancestor of it);
 *   filters            resources declined with refuseSeconds are not offered again to
 *                      the same framework/role/agent before the filter expires, unless
 *                      the offer is bigger than what was declined (Mesos semantics);
 *   offer lifecycle    every offer ends exactly once: accepted, declined or rescinded.
 */
import type { HierarchicalAllocator } from '../allocator/hierarchical-allocator.js';
import type { Offer, OfferBook } from '../offers/offer-book.js';
import { isAllocatableTo } from '../resources/resource.js';
import { Resources } from '../resources/resources.js';

interface Declined {
  readonly resources: Resources;
  readonly at: number;
  readonly until: number;
}

export class InvariantChecker {
  readonly violations: string[] = [];
  private readonly declined = new Map<string, Declined[]>();
  private readonly seen = new Set<string>();
  private readonly open = new Set<string>();
  private created = 0;
  private ended = 0;

  constructor(private readonly allocator: HierarchicalAllocator) {}

  violation(now: number, message: string): void {
    if (this.violations.length < 50) this.violations.push(`t=${now}: ${message}`);
  }

  onOffers(offers: readonly Offer[], now: number): void {
    for (const o of offers) {
      this.created++;
      this.open.add(o.id);
      const foreign = o.resources.items.find((r) => !isAllocatableTo(r, o.role));
      if (foreign) this.violation(now, `offer ${o.id} to role ${o.role} holds ${foreign.reservation!.role}'s reservation`);
      for (const d of this.declined.get(`${o.frameworkId}|${o.role}|${o.agentId}`) ?? []) {
        if (now < d.until && d.resources.contains(o.resources)) {
          this.violation(now, `offer ${o.id} on ${o.agentId} re-offers ${o.resources.toString()} that ${o.frameworkId} refused at ${d.at} until ${d.until} (${d.resources.toString()})`);
        }
      }
    }
  }

  private end(id: string, now: number, how: string): void {
    if (!this.open.delete(id)) this.violation(now, `offer ${id} ${how} but it was not open`);
    else this.ended++;
  }

  onDeclined(o: Offer, refuseSeconds: number, now: number): void {
    this.end(o.id, now, 'declined');
    this.remember(o, o.resources, refuseSeconds, now);
  }

  onAccepted(o: Offer, remaining: Resources, refuseSeconds: number, now: number): void {
    this.end(o.id, now, 'accepted');
    if (!remaining.isEmpty()) this.remember(o, remaining, refuseSeconds, now);
  }

  onRescinded(offers: readonly Offer[]): void {
    for (const o of offers) this.end(o.id, o.expiresAt, 'rescinded');
  }

  private remember(o: Offer, resources: Resources, refuseSeconds: number, now: number): void {
    if (refuseSeconds <= 0) return;
    const key = `${o.frameworkId}|${o.role}|${o.agentId}`;
    const list = (this.declined.get(key) ?? []).filter((d) => d.until > now);
    list.push({ resources, at: now, until: now + refuseSeconds * 1000 });
    this.declined.set(key, list);
  }

  /** Filters die with their agent (Mesos removes them in `removeSlave`); a returning agent starts clean. */
  onAgentRemoved(agentId: string): void {
    for (const key of [...this.declined.keys()]) if (key.endsWith(`|${agentId}`)) this.declined.delete(key);
  }

  /** REVIVE drops the framework's filters (Mesos), so its earlier declines no longer bind. */
  onRevive(frameworkId: string): void {
    for (const key of [...this.declined.keys()]) if (key.startsWith(`${frameworkId}|`)) this.declined.delete(key);
  }

  isNew(offerId: string): boolean {
    return !this.seen.has(offerId);
  }

  markSeen(offerId: string): void {
    this.seen.add(offerId);
  }

  checkStep(now: number, running: Iterable<{ agentId: string; resources: Resources }>): void {
    const used = new Map<string, Resources>();
    for (const t of running) used.set(t.agentId, (used.get(t.agentId) ?? Resources.EMPTY).plus(t.resources));
    for (const id of this.allocator.agentIds()) {
      const a = this.allocator.agent(id)!;
      let sum = a.unallocated;
      for (const h of this.allocator.allocationsOn(id)) sum = sum.plus(h.resources);
      if (!sum.equals(a.total)) this.violation(now, `agent ${id}: unallocated + allocations = ${sum.toString()} ≠ total ${a.total.toString()}`);
      const u = used.get(id);
      if (u && !a.total.contains(u)) this.violation(now, `agent ${id} over-committed: tasks use ${u.toString()} of ${a.total.toString()}`);
    }
  }

  checkEnd(book: OfferBook): void {
    if (book.outstanding().length > 0) this.violation(Infinity, `${book.outstanding().length} offers still outstanding after expiry`);
    if (this.open.size > 0) this.violation(Infinity, `${this.open.size} offers never answered nor rescinded`);
    const s = book.stats;
    if (s.created !== s.accepted + s.declined + s.rescinded) this.violation(Infinity, `offer counts do not add up: ${JSON.stringify(s)}`);
    if (this.created !== this.ended) this.violation(Infinity, `created ${this.created} offers, ended ${this.ended}`);
  }

  /** Dominant share of what a role's running tasks use, over the cluster total. */
  dominantShare(role: string, running: Iterable<{ role: string; resources: Resources }>): number {
    let total = Resources.EMPTY;
    for (const id of this.allocator.agentIds()) total = total.plus(this.allocator.agent(id)!.total.flatten());
    let mine = Resources.EMPTY;
    for (const t of running) if (t.role === role) mine = mine.plus(t.resources.flatten());
    let max = 0;
    for (const [kind, milli] of mine.scalars()) {
      const t = total.scalar(kind);
      if (t > 0) max = Math.max(max, milli / t);
    }
    return max;
  }
}
