import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../../http/respond.js';
import type { Route } from '../../http/route.js';
import type { LaunchQueue } from '../scheduler/launch-queue.js';
import { rejectSummary } from '../scheduler/launch-queue.js';
import type { ServicesApi } from '../services-api.js';
import { query, serviceRoute } from './v2-common.js';

export interface LeaderInfo {
  /** This replica's launch queue when it leads; null on a standby. */
  queue: () => LaunchQueue | null;
  /** The leader's advertised URL, if there is one. */
  leaderUrl: () => Promise<string | null>;
  isLeader: () => boolean;
  /** Gives up leadership (a standby takes over). */
  abdicate: () => Promise<void>;
  /** Resets an app's launch backoff (leader only). */
  resetDelay: (appId: string) => boolean;
  version: string;
  frameworkId: string;
}

/**
 * What only the leader knows (its launch queue) is fetched from the leader by a
 * standby, with the caller's own token, as Marathon's standbys proxy to the leader.
 */
async function proxyToLeader(req: IncomingMessage, res: ServerResponse, leader: LeaderInfo): Promise<boolean> {
  if (leader.isLeader()) return false;
  const url = await leader.leaderUrl();
  if (!url) {
    sendJson(res, 503, { message: 'no leader is elected right now; retry shortly' });
    return true;
  }
  const upstream = await fetch(`${url}${req.url}`, { method: req.method ?? 'GET', headers: { authorization: req.headers.authorization ?? '' } }).catch(() => null);
  if (!upstream) {
    sendJson(res, 503, { message: `the leader at ${url} did not answer; retry shortly` });
    return true;
  }
  res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
  res.end(Buffer.from(await upstream.arrayBuffer()));
  return true;
}

/** Marathon's `/v2/queue`, `/v2/info` and `/v2/leader`. */
export function clusterRoutes(api: ServicesApi, leader: LeaderInfo): Route[] {
  return [
    {
      method: 'GET', path: '/v2/queue', access: 'authenticated',
      handle: serviceRoute(async ({ req, res, principal }) => {
        if (await proxyToLeader(req, res, leader)) return;
        const withOffers = query(req).getAll('embed').includes('lastUnusedOffers');
        const now = Date.now();
        const entries = (leader.queue()?.list() ?? []);
        const apps = new Map((await api.listApps(principal!)).map((a) => [a.id, a]));
        const queue = entries.filter((e) => apps.has(e.appId)).map((e) => {
          const timeLeft = e.delayedUntil ? Math.max(0, Math.ceil((e.delayedUntil - now) / 1000)) : 0;
          return {
            app: apps.get(e.appId),
            count: e.count,
            delay: { timeLeftSeconds: timeLeft, overdue: timeLeft === 0 },
            since: new Date(e.since).toISOString(),
            processedOffersSummary: {
              processedOffersCount: e.processedOffersCount,
              unusedOffersCount: e.unusedOffersCount,
              ...(e.lastUnusedOfferAt ? { lastUnusedOfferAt: new Date(e.lastUnusedOfferAt).toISOString() } : {}),
              ...(e.lastUsedOfferAt ? { lastUsedOfferAt: new Date(e.lastUsedOfferAt).toISOString() } : {}),
              rejectSummaryLastOffers: rejectSummary(e.lastRejections),
              rejectSummaryLaunchAttempt: rejectSummary(e.lastRejections),
            },
            ...(withOffers ? {
              lastUnusedOffers: (e.lastRejections?.candidates ?? []).map((c) => ({
                offer: { id: c.candidateId, agentId: c.agentId, hostname: c.hostname },
                timestamp: e.lastUnusedOfferAt ? new Date(e.lastUnusedOfferAt).toISOString() : null,
                reason: c.rejections.map((r) => r.reason),
                details: c.rejections.map((r) => ({ reason: r.reason, detail: r.detail })),
              })),
            } : {}),
          };
        });
        sendJson(res, 200, { queue });
      }),
    },
    {
      method: 'DELETE', path: '/v2/queue/*id/delay', access: 'authenticated',
      handle: serviceRoute(async ({ req, res, principal, params }) => {
        api.require(principal!, params.id!, 'update');
        if (await proxyToLeader(req, res, leader)) return;
        if (!leader.resetDelay(params.id!)) return sendJson(res, 404, { message: `Application ${params.id} not found in tasks queue.` });
        res.writeHead(204).end();
      }),
    },
    {
      method: 'GET', path: '/v2/info', access: 'authenticated',
      handle: async ({ res }) => {
        const url = await leader.leaderUrl();
        sendJson(res, 200, {
          name: 'gantry', version: leader.version, buildref: leader.version, elected: url !== null,
          leader: url ? new URL(url).host : null, frameworkId: leader.frameworkId,
          marathon_config: { task_launch_timeout: 300_000, kill_retry_timeout: 10_000, mesos_role: '*', framework_name: 'gantry-services' },
          http_config: { http_port: url ? Number(new URL(url).port) : null },
          event_subscriber: { type: 'sse' },
        });
      },
    },
    {
      method: 'GET', path: '/v2/leader', access: 'authenticated',
      handle: async ({ res }) => {
        const url = await leader.leaderUrl();
        if (!url) return sendJson(res, 404, { message: 'There is no leader' });
        sendJson(res, 200, { leader: new URL(url).host });
      },
    },
    {
      // Marathon's abdication: the leader steps down and a standby takes over.
      method: 'DELETE', path: '/v2/leader', access: { resource: 'gantry:cluster:leader', action: 'delete' },
      handle: async ({ req, res }) => {
        if (await proxyToLeader(req, res, leader)) return;
        await leader.abdicate();
        sendJson(res, 200, { message: 'Leadership abdicated' });
      },
    },
  ];
}
