import type { App } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import type { Tx } from '../db/fenced.js';

/** Apps, their immutable versions and explicit groups. The only place Prisma sees them. */

/** An app as stored: the normalized definition and its version facts. */
export interface AppRecord {
  id: string;
  app: App;
  version: Date;
  lastScalingAt: Date;
  lastConfigChangeAt: Date;
  createdAt: Date;
}

export interface GroupRecord {
  id: string;
  dependencies: string[];
  enforceRole: boolean;
  version: Date;
}

const appSelect = { id: true, definition: true, version: true, lastScalingAt: true, lastConfigChangeAt: true, createdAt: true } as const;

type AppRow = { id: string; definition: unknown; version: Date; lastScalingAt: Date; lastConfigChangeAt: Date; createdAt: Date };
const toRecord = (r: AppRow): AppRecord => ({
  id: r.id, app: r.definition as unknown as App, version: r.version, lastScalingAt: r.lastScalingAt, lastConfigChangeAt: r.lastConfigChangeAt, createdAt: r.createdAt,
});

export class AppRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<AppRecord[]> {
    return (await this.db.app.findMany({ select: appSelect, orderBy: { id: 'asc' } })).map(toRecord);
  }

  async get(id: string): Promise<AppRecord | null> {
    const row = await this.db.app.findUnique({ where: { id }, select: appSelect });
    return row ? toRecord(row) : null;
  }

  /** Versions of an app, newest first (Marathon's `GET /v2/apps/{id}/versions` order). */
  async versions(appId: string): Promise<Date[]> {
    const rows = await this.db.appVersion.findMany({ where: { appId }, select: { version: true }, orderBy: { version: 'desc' } });
    return rows.map((r) => r.version);
  }

  async version(appId: string, version: Date): Promise<{ app: App; version: Date; lastConfigChangeAt: Date } | null> {
    const row = await this.db.appVersion.findUnique({ where: { appId_version: { appId, version } }, select: { definition: true, version: true, lastConfigChangeAt: true } });
    return row ? { app: row.definition as unknown as App, version: row.version, lastConfigChangeAt: row.lastConfigChangeAt } : null;
  }

  async groups(): Promise<GroupRecord[]> {
    return this.db.serviceGroup.findMany({ select: { id: true, dependencies: true, enforceRole: true, version: true }, orderBy: { id: 'asc' } });
  }

  // ── writes, inside the desired-state transaction ───────────────────────────

  /** Locks the rows of these apps (existing or not) for this transaction, in a stable order. */
  async lock(tx: Tx, ids: readonly string[]): Promise<void> {
    for (const id of [...new Set(ids)].sort()) await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`gantry-app:${id}`}))`;
  }

  async getIn(tx: Tx, id: string): Promise<AppRecord | null> {
    const row = await tx.app.findUnique({ where: { id }, select: appSelect });
    return row ? toRecord(row) : null;
  }

  async listIn(tx: Tx): Promise<AppRecord[]> {
    return (await tx.app.findMany({ select: appSelect, orderBy: { id: 'asc' } })).map(toRecord);
  }

  /** Writes the app as it is now and keeps this version forever. */
  async put(tx: Tx, record: AppRecord): Promise<void> {
    const fields = {
      definition: record.app as object, version: record.version, lastScalingAt: record.lastScalingAt, lastConfigChangeAt: record.lastConfigChangeAt,
    };
    await tx.app.upsert({ where: { id: record.id }, create: { id: record.id, ...fields, createdAt: record.createdAt }, update: fields });
    await tx.appVersion.create({ data: { appId: record.id, version: record.version, lastConfigChangeAt: record.lastConfigChangeAt, definition: record.app as object } });
  }

  /** Marathon forgets a deleted app's versions too. */
  async remove(tx: Tx, id: string): Promise<void> {
    await tx.app.deleteMany({ where: { id } });
    await tx.appVersion.deleteMany({ where: { appId: id } });
  }

  async putGroup(tx: Tx, group: GroupRecord): Promise<void> {
    const fields = { dependencies: group.dependencies, enforceRole: group.enforceRole, version: group.version };
    await tx.serviceGroup.upsert({ where: { id: group.id }, create: { id: group.id, ...fields }, update: fields });
  }

  async removeGroups(tx: Tx, ids: readonly string[]): Promise<void> {
    await tx.serviceGroup.deleteMany({ where: { id: { in: [...ids] } } });
  }

  async groupsIn(tx: Tx): Promise<GroupRecord[]> {
    return tx.serviceGroup.findMany({ select: { id: true, dependencies: true, enforceRole: true, version: true }, orderBy: { id: 'asc' } });
  }
}
