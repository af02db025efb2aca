import { EventEmitter, on } from 'node:events';
import pg from 'pg';
import { ClusterEvent } from './cluster-event.js';
import { EVENTS_CHANNEL } from './notify.js';

/**
 * Fans cluster events out to this replica's subscribers (tRPC subscriptions, later
 * SSE). Every replica LISTENs on Postgres, so an event written by the leader reaches
 * clients connected to any replica.
 */
export class EventBus {
  private readonly emitter = new EventEmitter();
  private client: pg.Client | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly retryMs: number,
  ) {
    this.emitter.setMaxListeners(0);
  }

  async start(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl, keepAlive: true });
    client.on('notification', (message) => {
      if (message.channel !== EVENTS_CHANNEL || !message.payload) return;
      const event = ClusterEvent.safeParse(JSON.parse(message.payload));
      if (event.success) this.emitter.emit('event', event.data);
    });
    const reconnect = () => {
      if (this.client !== client || this.stopped) return;
      this.client = null;
      client.end().catch(() => undefined);
      // Subscribers may have missed events while disconnected: tell them to resync.
      this.emitter.emit('event', { type: 'resync' });
      this.retry = setTimeout(() => void this.start().catch(reconnect), this.retryMs);
    };
    client.on('error', reconnect);
    client.on('end', reconnect);
    this.client = client;
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
  }

  /** Async iterator of events until `signal` aborts. */
  subscribe(signal: AbortSignal | undefined): AsyncIterable<ClusterEvent | { type: 'resync' }> {
    const source = on(this.emitter, 'event', signal ? { signal } : {});
    return (async function* () {
      try {
        for await (const [event] of source) yield event as ClusterEvent | { type: 'resync' };
      } catch (error) {
        if ((error as Error).name !== 'AbortError') throw error;
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}
