import type { Tx } from '../db/fenced.js';
import type { ClusterEvent } from './cluster-event.js';

export const EVENTS_CHANNEL = 'gantry_events';

/**
 * Publishes an event to every API replica. NOTIFY is transactional: listeners hear
 * it only once the write it describes has committed, and never if it rolled back.
 */
export async function notify(tx: Tx, event: ClusterEvent): Promise<void> {
  await tx.$executeRaw`SELECT pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify(event)})`;
}
