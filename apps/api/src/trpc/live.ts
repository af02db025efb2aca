import { consoleOf } from '../console/console.js';
import type { FeedEvent } from '../services/event-feed.js';
import { mayReadApp, mayReadNodes, perAppProcedure } from './per-app.js';
import { router } from './trpc.js';

/**
 * What changed, for the console to invalidate exactly the queries it affects instead
 * of refetching on a timer. Marathon's events (the same feed as `/v2/events`, each
 * seen only when the principal may read every app it names), node changes (with
 * `gantry:node` read) and new capacity samples, coalesced: one message per
 * `COALESCE_MS` however many events arrived (a deployment of 1,000 instances is
 * thousands of status updates).
 */

const COALESCE_MS = 250;
/** Past this many apps in one batch the console refreshes every service view instead. */
const MAX_APPS = 200;

export interface ChangeBatch {
  /** Apps whose definition, tasks or deployments changed. */
  apps: string[];
  /** More apps changed than are listed. */
  manyApps: boolean;
  tasks: boolean;
  deployments: boolean;
  nodes: string[];
  metrics: boolean;
  /** Events may have been missed: refetch everything shown. */
  resync: boolean;
}

const TASK_EVENTS = new Set([
  'status_update_event', 'instance_changed_event', 'health_status_changed_event', 'instance_health_changed_event',
  'unhealthy_instance_kill_event', 'failed_health_check_event', 'unhealthy_task_kill_event',
]);

export const liveRouter = router({
  changes: perAppProcedure.subscription(async function* ({ ctx, signal }) {
    const readsNodes = mayReadNodes(ctx.principal);
    const { metrics } = consoleOf(ctx.agents);
    let apps = new Set<string>();
    let batch = { tasks: false, deployments: false, metrics: false, resync: false, nodes: new Set<string>() };
    let pending = false;
    let wake: (() => void) | null = null;
    const mark = () => {
      pending = true;
      wake?.();
    };

    const offFeed = ctx.feed.subscribe((event: FeedEvent) => {
      if (!event.apps.every((app) => mayReadApp(ctx.principal, app))) return;
      const type = event.event.eventType;
      if (TASK_EVENTS.has(type)) batch.tasks = true;
      else if (type.startsWith('deployment')) batch.deployments = true;
      else if (type === 'event_stream_attached' || type === 'event_stream_detached') return;
      for (const app of event.apps) apps.add(app);
      mark();
    });
    const offMetrics = readsNodes ? metrics.onSample(() => {
      batch.metrics = true;
      mark();
    }) : () => undefined;
    const busLoop = (async () => {
      for await (const event of ctx.events.subscribe(signal)) {
        if (event.type === 'resync') batch.resync = true;
        else if (event.type === 'node' && readsNodes) batch.nodes.add(event.nodeId);
        else continue;
        mark();
      }
    })();

    try {
      while (!signal?.aborted) {
        if (!pending) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          wake = null;
          continue;
        }
        await new Promise((resolve) => setTimeout(resolve, COALESCE_MS));
        const out: ChangeBatch = {
          apps: [...apps].slice(0, MAX_APPS), manyApps: apps.size > MAX_APPS, tasks: batch.tasks, deployments: batch.deployments,
          nodes: [...batch.nodes].slice(0, MAX_APPS), metrics: batch.metrics, resync: batch.resync || batch.nodes.size > MAX_APPS,
        };
        apps = new Set();
        batch = { tasks: false, deployments: false, metrics: false, resync: false, nodes: new Set() };
        pending = false;
        yield out;
      }
    } finally {
      offFeed();
      offMetrics();
      void busLoop;
    }
  }),
});
