import { EventEmitter } from 'node:events';
import type { MarathonEvent } from '@gantry/specs';
import type { AgentRepository } from '../agents/repository.js';
import type { EventBus } from '../events/bus.js';
import type { ServiceEventLog } from './service-event-log.js';
import { instanceIdOf } from './scheduler/services-scheduler.js';

/** One event for `/v2/events` subscribers: `id` when it is in the log (resumable), and the apps it names. */
export interface FeedEvent {
  id?: string;
  event: MarathonEvent;
  /** Every app the event names: a subscriber sees it only if it may read them all. */
  apps: string[];
}

/**
 * This replica's Marathon event feed: it listens to Postgres once, reads each logged
 * event once (by id, in batches), turns task status changes into Marathon's
 * `status_update_event`, and hands every event to all of this replica's subscribers.
 * Subscribers filter by type and by what they may read.
 */
export class EventFeed {
  private readonly emitter = new EventEmitter();
  private readonly pending: string[] = [];
  private reading = false;
  private hosts = new Map<string, string>();
  private hostsStale = true;
  private abort: AbortController | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly log: ServiceEventLog,
    private readonly agents: AgentRepository,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.emitter.setMaxListeners(0);
  }

  start(): void {
    this.abort = new AbortController();
    void this.listen(this.abort.signal);
  }

  stop(): void {
    this.abort?.abort();
  }

  subscribe(listener: (event: FeedEvent) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  get subscribers(): number {
    return this.emitter.listenerCount('event');
  }

  private async listen(signal: AbortSignal): Promise<void> {
    for await (const event of this.bus.subscribe(signal)) {
      if (this.subscribers === 0) continue;
      if (event.type === 'service') {
        this.pending.push(event.id);
        void this.drain();
      } else if (event.type === 'node') {
        this.hostsStale = true;
      } else if (event.type === 'task' && event.appId) {
        const host = await this.host(event.agentId).catch(() => '');
        this.emit({
          apps: [event.appId],
          event: {
            eventType: 'status_update_event', timestamp: this.now().toISOString(), slaveId: event.agentId, agentId: event.agentId,
            taskId: event.taskId, instanceId: instanceIdOf(event.taskId), taskStatus: event.state, message: '', appId: event.appId,
            host, ports: event.ports ?? [], ipAddresses: host ? [{ ipAddress: host, protocol: 'IPv4' }] : [], version: event.version ?? '',
          } as MarathonEvent,
        });
      }
    }
  }

  /** Reads logged events in id batches: one query however many arrived meanwhile. */
  private async drain(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.pending.length) {
        const ids = this.pending.splice(0, 500);
        for (const stored of await this.log.byIds(ids)) this.emit({ id: stored.id, event: stored.event, apps: appsNamed(stored.event, stored.appId) });
      }
    } catch (error) {
      console.error(`event feed: reading events failed: ${(error as Error).message}`);
    } finally {
      this.reading = false;
    }
  }

  private emit(event: FeedEvent): void {
    this.emitter.emit('event', event);
  }

  private async host(agentId: string): Promise<string> {
    if (this.hostsStale || !this.hosts.has(agentId)) {
      this.hostsStale = false;
      this.hosts = new Map((await this.agents.list()).map((n) => [n.id, n.address]));
    }
    return this.hosts.get(agentId) ?? '';
  }
}

/** The apps a logged event names: its own app, or every app in a deployment's plan. */
export function appsNamed(event: MarathonEvent, appId: string | null): string[] {
  if (appId) return [appId];
  const plan = (event as { plan?: { original?: { apps?: { id: string }[] }; target?: { apps?: { id: string }[] }; steps?: { actions: { app: string }[] }[] } }).plan;
  if (!plan) return [];
  const ids = new Set<string>();
  for (const side of [plan.original, plan.target]) for (const app of side?.apps ?? []) ids.add(app.id);
  for (const step of plan.steps ?? []) for (const a of step.actions) ids.add(a.app);
  return [...ids];
}
