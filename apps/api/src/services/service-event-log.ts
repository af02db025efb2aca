import type { MarathonEvent } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import type { Tx } from '../db/fenced.js';
import { notify } from '../events/notify.js';

/** A stored Marathon event: `id` orders them and is the SSE event id. */
export interface StoredEvent {
  id: string;
  appId: string | null;
  event: MarathonEvent;
}

/**
 * The append-only log of Marathon events behind `/v2/events`. An event is written in
 * the transaction of the change it describes, and announced by id (NOTIFY payloads are
 * limited to 8000 bytes; a deployment_info with its plan may exceed that). Any replica
 * reads it by id and fans it out; a reconnecting client resumes from Last-Event-ID.
 */
export class ServiceEventLog {
  constructor(private readonly db: Db) {}

  async append(tx: Tx, events: readonly { event: MarathonEvent; appId?: string | null }[]): Promise<void> {
    for (const { event, appId } of events) {
      const [row] = await tx.$queryRaw<{ id: bigint }[]>`
        INSERT INTO service_events (at, event_type, app_id, payload)
        VALUES (${new Date(event.timestamp)}, ${event.eventType}, ${appId ?? null}, ${JSON.stringify(event)}::jsonb) RETURNING id`;
      await notify(tx, { type: 'service', id: String(row!.id), eventType: event.eventType, ...(appId ? { appId } : {}) });
    }
  }

  async byIds(ids: readonly string[]): Promise<StoredEvent[]> {
    const rows = await this.db.serviceEvent.findMany({ where: { id: { in: ids.map((id) => BigInt(id)) } }, orderBy: { id: 'asc' }, select: { id: true, appId: true, payload: true } });
    return rows.map((r) => ({ id: String(r.id), appId: r.appId, event: r.payload as MarathonEvent }));
  }

  /** Events after `id`, oldest first (for a client resuming with Last-Event-ID). */
  async after(id: string, limit: number): Promise<StoredEvent[]> {
    const rows = await this.db.serviceEvent.findMany({ where: { id: { gt: BigInt(id) } }, orderBy: { id: 'asc' }, take: limit, select: { id: true, appId: true, payload: true } });
    return rows.map((r) => ({ id: String(r.id), appId: r.appId, event: r.payload as MarathonEvent }));
  }

  /** Keeps the log bounded: events older than `before` go. */
  async prune(before: Date): Promise<number> {
    return (await this.db.serviceEvent.deleteMany({ where: { at: { lt: before } } })).count;
  }
}
