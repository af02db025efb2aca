import { authorize, mayReadQuota } from '@gantry/auth';
import { invalid } from '@gantry/specs';
import { z } from 'zod';
import { readJsonBody } from '../http/body.js';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { AppRecord } from '../services/app-repository.js';
import { demandOf, groupNameProblem, inUnits, topLevelGroup, type QuotaLimits } from './quota.js';
import type { QuotaRepository, StoredQuota } from './repository.js';

/**
 * `/v1/quotas`: quotas per top-level group. Operators set them (update/delete on
 * `gantry:quota:/<group>`; a grant on `gantry:quota` covers every group); a group's
 * members read theirs (read on `gantry:service:/<group>`), and lists hold only the
 * groups the principal may read. A group the principal may not read gets 403 whether
 * or not it exists or has a quota.
 *
 * Each answer carries what the group's apps want now (`wanted`), beside its limits.
 */
const Limit = z.number().finite().nonnegative();
const QuotaBody = z.strictObject({
  cpus: Limit.optional(),
  mem: Limit.optional(),
  disk: Limit.optional(),
  instances: z.int().nonnegative().optional(),
});

export interface QuotaView {
  group: string;
  /** Absent kinds are unlimited. */
  limits: QuotaLimits;
  /** Σ of what the group's apps want: instances × cpus, mem (MiB), disk (MiB), and instances. */
  wanted: ReturnType<typeof inUnits>;
  updatedAt: string | null;
  updatedBy: string | null;
}

export function quotaRoutes(quotas: QuotaRepository, apps: { list: () => Promise<AppRecord[]> }, now: () => Date): Route[] {
  const view = (group: string, quota: StoredQuota | null, records: readonly AppRecord[]): QuotaView => ({
    group,
    limits: quota?.limits ?? {},
    wanted: inUnits(demandOf(records.filter((r) => topLevelGroup(r.id) === group).map((r) => r.app))),
    updatedAt: quota?.updatedAt.toISOString() ?? null,
    updatedBy: quota?.updatedBy ?? null,
  });
  const forbidden = (group: string) => ({ message: `forbidden: reading the quota of /${group} needs read on gantry:service:/${group} or gantry:quota:/${group}` });
  const badName = (group: string) => {
    const problem = groupNameProblem(group);
    return problem ? { message: 'Object is not valid', details: [{ path: '/group', errors: [problem] }] } : null;
  };
  const operator = (action: 'update' | 'delete') => (params: Record<string, string>) => ({ resource: `gantry:quota:/${params.group}`, action });

  return [
    {
      // Every top-level group the principal may read: those with a quota and those with apps.
      method: 'GET', path: '/v1/quotas', access: 'authenticated',
      handle: async ({ res, principal }) => {
        const [stored, records] = await Promise.all([quotas.list(), apps.list()]);
        const byGroup = new Map(stored.map((q) => [q.group, q]));
        const groups = new Set([...byGroup.keys(), ...records.flatMap((r) => topLevelGroup(r.id) ?? [])]);
        const readable = [...groups].sort().filter((g) => mayReadQuota(principal!.grants, g));
        sendJson(res, 200, {
          quotas: readable.map((g) => view(g, byGroup.get(g) ?? null, records)),
          // Whether the console should offer "set quota" at all.
          mayUpdate: authorize(principal!.grants, { resource: 'gantry:quota', action: 'update' }).allowed,
        });
      },
    },
    {
      method: 'GET', path: '/v1/quotas/:group', access: 'authenticated',
      handle: async ({ res, params, principal }) => {
        const group = params.group!;
        if (!mayReadQuota(principal!.grants, group)) return sendError(res, 403, forbidden(group));
        const bad = badName(group);
        if (bad) return sendError(res, 422, bad);
        const [quota, records] = await Promise.all([quotas.get(group), apps.list()]);
        sendJson(res, 200, view(group, quota, records));
      },
    },
    {
      // Every limit at once: a kind left out is unlimited; `{}` lifts them all.
      method: 'PUT', path: '/v1/quotas/:group', access: operator('update'),
      handle: async ({ req, res, params, principal }) => {
        const group = params.group!;
        const bad = badName(group);
        if (bad) return sendError(res, 422, bad);
        const body = QuotaBody.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const stored = await quotas.put(group, body.data, principal!.uid, now());
        sendJson(res, 200, view(group, stored, await apps.list()));
      },
    },
    {
      method: 'DELETE', path: '/v1/quotas/:group', access: operator('delete'),
      handle: async ({ res, params }) => {
        if (!(await quotas.delete(params.group!))) return sendError(res, 404, { message: `/${params.group} has no quota` });
        res.writeHead(204).end();
      },
    },
  ];
}
