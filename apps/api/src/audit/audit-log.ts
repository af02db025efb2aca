import type { Db } from '../db/prisma.js';

/** One line of history: who did what, to what, when, from where, and how it ended. */
export interface AuditRecord {
  actor: string | null;
  source: string;
  /** e.g. `POST /v1/iam/grants` or `tRPC iam.grant`. */
  action: string;
  /** The resource the permission check named, when there was one. */
  target: string | null;
  outcome: 'allowed' | 'denied' | 'failed';
  status: number;
}

export interface AuditEntry extends AuditRecord {
  id: string;
  at: string;
}

/**
 * Every write and every denied request is recorded. Append-only: the table's trigger
 * refuses UPDATE, DELETE and TRUNCATE, so not even a bug here can rewrite history.
 */
export class AuditLog {
  constructor(private readonly db: Db) {}

  /** Never throws: a failure to audit is logged loudly but does not fail the request. */
  async record(record: AuditRecord): Promise<void> {
    try {
      await this.db.auditEvent.create({ data: record });
    } catch (error) {
      console.error(`AUDIT WRITE FAILED for ${record.action} by ${record.actor ?? 'anonymous'}: ${(error as Error).message}`);
    }
  }

  /** Newest first, `limit` at most, optionally one actor's, before an id (paging). */
  async search(query: { actor?: string; limit: number; before?: bigint }): Promise<AuditEntry[]> {
    const rows = await this.db.auditEvent.findMany({
      where: { ...(query.actor ? { actor: query.actor } : {}), ...(query.before ? { id: { lt: query.before } } : {}) },
      orderBy: { id: 'desc' },
      take: query.limit,
    });
    return rows.map((r) => ({
      id: r.id.toString(), at: r.at.toISOString(), actor: r.actor, source: r.source, action: r.action,
      target: r.target, outcome: r.outcome as AuditRecord['outcome'], status: r.status,
    }));
  }
}

/** What the audit log calls the end of a request, from its HTTP status. */
export function outcomeOf(status: number): AuditRecord['outcome'] {
  if (status === 401 || status === 403 || status === 429) return 'denied';
  return status >= 400 ? 'failed' : 'allowed';
}

/** Writes are audited; reads only when they were denied. */
export function shouldAudit(method: string, status: number): boolean {
  return method !== 'GET' && method !== 'HEAD' ? true : status === 401 || status === 403;
}
