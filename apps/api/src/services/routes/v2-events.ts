import { authorize } from '@gantry/auth';
import type { Route } from '../../http/route.js';
import type { Principal } from '../../iam/authenticator.js';
import type { EventFeed, FeedEvent } from '../event-feed.js';
import { appsNamed } from '../event-feed.js';
import type { ServiceEventLog } from '../service-event-log.js';
import { servicePermission } from '../services-api.js';
import { query } from './v2-common.js';

const KEEPALIVE_MS = 15_000;
const RESUME_LIMIT = 10_000;

const visibleTo = (principal: Principal, event: FeedEvent) =>
  event.apps.every((app) => authorize(principal.grants, servicePermission(app, 'read')).allowed);

/**
 * `GET /v2/events`: Marathon's server-sent event stream, `?event_type=` filters
 * (repeatable), every replica serving it. Each subscriber sees only events about apps
 * it may read. A client reconnecting with `Last-Event-ID` first gets what it missed
 * from the log (events that name an id are logged; status updates are live only).
 */
export function eventRoutes(feed: EventFeed, log: ServiceEventLog): Route[] {
  return [
    {
      method: 'GET', path: '/v2/events', access: 'authenticated',
      handle: async ({ req, res, principal, source }) => {
        const types = new Set(query(req).getAll('event_type'));
        const wanted = (event: FeedEvent) => (types.size === 0 || types.has(event.event.eventType)) && visibleTo(principal!, event);
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        const write = (event: FeedEvent) => {
          res.write(`${event.id ? `id: ${event.id}\n` : ''}event: ${event.event.eventType}\ndata: ${JSON.stringify(event.event)}\n\n`);
        };
        // Subscribe first, so nothing falls between the resumed part and the live part.
        const buffered: FeedEvent[] = [];
        let live = false;
        const unsubscribe = feed.subscribe((event) => {
          if (!wanted(event)) return;
          if (live) write(event);
          else buffered.push(event);
        });
        const keepalive = setInterval(() => res.write(':\n\n'), KEEPALIVE_MS);
        res.on('close', () => {
          clearInterval(keepalive);
          unsubscribe();
        });
        const attached = { eventType: 'event_stream_attached', timestamp: new Date().toISOString(), remoteAddress: source } as FeedEvent['event'];
        if (types.size === 0 || types.has('event_stream_attached')) write({ event: attached, apps: [] });
        const lastId = req.headers['last-event-id'];
        let resumedUpTo = 0n;
        if (typeof lastId === 'string' && /^\d+$/.test(lastId)) {
          for (const stored of await log.after(lastId, RESUME_LIMIT)) {
            const event = { id: stored.id, event: stored.event, apps: appsNamed(stored.event, stored.appId) };
            if (wanted(event)) write(event);
            resumedUpTo = BigInt(stored.id);
          }
        }
        for (const event of buffered) if (!event.id || BigInt(event.id) > resumedUpTo) write(event);
        buffered.length = 0;
        live = true;
      },
    },
  ];
}
