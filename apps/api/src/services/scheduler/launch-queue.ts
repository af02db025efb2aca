import { REASON_FUNNEL, type NoMatchReason, type RejectionSummary } from '@gantry/scheduler-core';

/** What waits to launch for one app, and what the last offers said about it (Marathon's `/v2/queue`). */
export interface QueueEntry {
  appId: string;
  /** Instances still to place. */
  count: number;
  /** When the app started waiting. */
  since: number;
  /** Launches held back by the backoff until then. */
  delayedUntil: number | null;
  processedOffersCount: number;
  unusedOffersCount: number;
  lastUsedOfferAt: number | null;
  lastUnusedOfferAt: number | null;
  /** The last round's verdict for every offer that could not take an instance. */
  lastRejections: RejectionSummary | null;
}

/** Marathon's `rejectSummaryLastOffers`: per funnel reason, offers that reached it and offers it declined. */
export function rejectSummary(summary: RejectionSummary | null): { reason: NoMatchReason; declined: number; processed: number }[] {
  if (!summary) return [];
  let processed = summary.candidatesEvaluated;
  return REASON_FUNNEL.map((reason) => {
    const declined = summary.byFunnel[reason] ?? 0;
    const row = { reason, declined, processed };
    processed -= declined;
    return row;
  });
}

/**
 * The leader's launch queue: per app, instances waiting for an offer and the offer
 * statistics the console's Debug tab and `/v2/queue` show. In memory, like Marathon's:
 * a new leader rebuilds it on its first pass.
 */
export class LaunchQueue {
  private readonly entries = new Map<string, QueueEntry>();

  /** Sets how many instances of `appId` wait; 0 takes it off the queue. */
  waiting(appId: string, count: number, delayedUntil: number | null, now: number): void {
    if (count <= 0) {
      this.entries.delete(appId);
      return;
    }
    const entry = this.entries.get(appId);
    if (entry) {
      entry.count = count;
      entry.delayedUntil = delayedUntil;
    } else {
      this.entries.set(appId, {
        appId, count, since: now, delayedUntil, processedOffersCount: 0, unusedOffersCount: 0,
        lastUsedOfferAt: null, lastUnusedOfferAt: null, lastRejections: null,
      });
    }
  }

  /** One offer round for `appId`: how many offers it saw, how many it used, and why the rest did not fit. */
  offered(appId: string, processed: number, used: number, rejections: RejectionSummary | undefined, now: number): void {
    const entry = this.entries.get(appId);
    if (!entry || processed === 0) return;
    entry.processedOffersCount += processed;
    entry.unusedOffersCount += processed - used;
    if (used > 0) entry.lastUsedOfferAt = now;
    if (processed > used) entry.lastUnusedOfferAt = now;
    if (rejections) entry.lastRejections = rejections;
  }

  forget(appId: string): void {
    this.entries.delete(appId);
  }

  list(): QueueEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.appId < b.appId ? -1 : 1));
  }

  get(appId: string): QueueEntry | undefined {
    return this.entries.get(appId);
  }
}
