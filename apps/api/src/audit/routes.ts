import { invalid } from '@gantry/specs';
import { z } from 'zod';
import { sendError, sendJson } from '../http/respond.js';
import type { Route } from '../http/route.js';
import type { AuditLog } from './audit-log.js';

const AuditQuery = z.strictObject({
  actor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.string().regex(/^\d+$/, { message: 'before is the id of an entry (from a previous page)' }).optional(),
});

export function auditRoutes(audit: AuditLog): Route[] {
  return [
    {
      method: 'GET', path: '/v1/audit', access: { resource: 'gantry:audit', action: 'read' },
      handle: async ({ req, res }) => {
        const query = AuditQuery.safeParse(Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams));
        if (!query.success) return sendError(res, 422, invalid(query.error));
        const { actor, limit, before } = query.data;
        const entries = await audit.search({ ...(actor ? { actor } : {}), limit, ...(before ? { before: BigInt(before) } : {}) });
        sendJson(res, 200, { entries });
      },
    },
  ];
}
