import type { Db } from '../db/prisma.js';
import type { Tx } from '../db/fenced.js';
import { notify } from '../events/notify.js';
import { QUOTA_KINDS, type QuotaLimits } from './quota.js';

export interface StoredQuota {
  group: string;
  limits: QuotaLimits;
  updatedAt: Date;
  updatedBy: string;
}

/** The allocator's view of a quota: limits of the scalar resources it offers. */
export interface RoleLimits {
  cpus?: number;
  mem?: number;
  disk?: number;
}

const quotaSelect = { group: true, cpus: true, mem: true, disk: true, instances: true, updatedAt: true, updatedBy: true } as const;
type QuotaRow = { group: string; cpus: number | null; mem: number | null; disk: number | null; instances: number | null; updatedAt: Date; updatedBy: string };

function toStored(row: QuotaRow): StoredQuota {
  const limits: QuotaLimits = {};
  for (const kind of QUOTA_KINDS) if (row[kind] !== null) limits[kind] = row[kind];
  return { group: row.group, limits, updatedAt: row.updatedAt, updatedBy: row.updatedBy };
}

/** Quotas per top-level group (`group_quotas`). The only place Prisma sees them. */
export class QuotaRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<StoredQuota[]> {
    return (await this.db.groupQuota.findMany({ select: quotaSelect, orderBy: { group: 'asc' } })).map(toStored);
  }

  async get(group: string): Promise<StoredQuota | null> {
    const row = await this.db.groupQuota.findUnique({ where: { group }, select: quotaSelect });
    return row ? toStored(row) : null;
  }

  /**
   * Sets every limit at once: a kind left out becomes unlimited. Like every change of
   * desired state it wakes the leader (NOTIFY `desired`, sent on commit), whose
   * allocator re-reads `limits()`.
   */
  async put(group: string, limits: QuotaLimits, by: string, now: Date): Promise<StoredQuota> {
    const values = { cpus: limits.cpus ?? null, mem: limits.mem ?? null, disk: limits.disk ?? null, instances: limits.instances ?? null, updatedAt: now, updatedBy: by };
    return this.db.$transaction(async (tx) => {
      const row = await tx.groupQuota.upsert({ where: { group }, create: { group, ...values }, update: values, select: quotaSelect });
      await notify(tx, { type: 'desired' });
      return toStored(row);
    });
  }

  async delete(group: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const removed = (await tx.groupQuota.deleteMany({ where: { group } })).count === 1;
      if (removed) await notify(tx, { type: 'desired' });
      return removed;
    });
  }

  /**
   * The quotas of these groups, read inside a deployment's transaction after taking
   * each group's advisory lock (in name order, so two changes never deadlock): changes
   * to apps of one group with a quota are serialized, and each sees what the previous
   * one committed — two deployments cannot both fit in the room left for one.
   */
  async lockAndGet(tx: Tx, groups: readonly string[]): Promise<StoredQuota[]> {
    const rows = await tx.groupQuota.findMany({ where: { group: { in: [...groups] } }, select: quotaSelect, orderBy: { group: 'asc' } });
    for (const row of rows) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`gantry-quota:${row.group}`}))`;
    return rows.map(toStored);
  }

  /**
   * For the scheduler: role → limits of the scalar resources (instances are not a
   * resource; admission alone counts them). A role absent from the map is unlimited.
   * Feed each to `HierarchicalAllocator.setQuota(role, { guarantee: new Map(),
   * limit: scalars(limits) })` and clear roles that disappeared.
   */
  async limits(): Promise<Map<string, RoleLimits>> {
    const out = new Map<string, RoleLimits>();
    for (const quota of await this.list()) {
      const { cpus, mem, disk } = quota.limits;
      const limits: RoleLimits = { ...(cpus !== undefined ? { cpus } : {}), ...(mem !== undefined ? { mem } : {}), ...(disk !== undefined ? { disk } : {}) };
      if (Object.keys(limits).length) out.set(quota.group, limits);
    }
    return out;
  }
}
