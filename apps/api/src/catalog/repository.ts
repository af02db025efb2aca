import type { Tx } from '../db/fenced.js';
import type { Db } from '../db/prisma.js';

/** Package repositories added by operators and packages installed as services: the only place Prisma sees them. */

export interface StoredRepository {
  name: string;
  uri: string;
  position: number;
  createdAt: Date;
}

export type InstallKind = 'MARATHON' | 'STATEFUL';

export interface StoredInstall {
  /** The service the package became (a Marathon app id or a stateful service id). */
  serviceId: string;
  packageName: string;
  packageVersion: string;
  repository: string;
  kind: InstallKind;
  /** The options the user gave (defaults are merged again at each render, as Cosmos does). */
  options: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

const repoSelect = { name: true, uri: true, position: true, createdAt: true } as const;
const installSelect = { serviceId: true, packageName: true, packageVersion: true, repository: true, kind: true, options: true, createdAt: true, updatedAt: true } as const;

const toInstall = (r: Omit<StoredInstall, 'options'> & { options: unknown }): StoredInstall => ({ ...r, options: (r.options ?? {}) as Record<string, unknown> });

export class CatalogRepository {
  constructor(private readonly db: Db) {}

  // ── repositories ───────────────────────────────────────────────────────────

  async repositories(): Promise<StoredRepository[]> {
    return this.db.packageRepository.findMany({ select: repoSelect, orderBy: [{ position: 'asc' }, { name: 'asc' }] });
  }

  /**
   * Adds a repository at `index` of the stored list (the end when absent), moving the
   * later ones down (Cosmos `repository add --index`); false if the name is taken.
   */
  async addRepository(name: string, uri: string, index: number | undefined, now: Date): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      // One writer of the list at a time, so positions stay distinct.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('package_repositories'))`;
      const existing = await tx.packageRepository.findMany({ select: { name: true, position: true }, orderBy: [{ position: 'asc' }, { name: 'asc' }] });
      if (existing.some((r) => r.name === name)) return false;
      const at = index === undefined ? existing.length : Math.max(0, Math.min(index, existing.length));
      for (let i = existing.length - 1; i >= at; i--) await tx.packageRepository.update({ where: { name: existing[i]!.name }, data: { position: i + 1 } });
      await tx.packageRepository.create({ data: { name, uri, position: at, createdAt: now } });
      return true;
    });
  }

  async removeRepository(name: string): Promise<boolean> {
    return (await this.db.packageRepository.deleteMany({ where: { name } })).count === 1;
  }

  // ── installs ───────────────────────────────────────────────────────────────

  async installs(): Promise<StoredInstall[]> {
    return (await this.db.packageInstall.findMany({ select: installSelect, orderBy: { serviceId: 'asc' } })).map(toInstall);
  }

  async install(serviceId: string): Promise<StoredInstall | null> {
    const row = await this.db.packageInstall.findUnique({ where: { serviceId }, select: installSelect });
    return row ? toInstall(row) : null;
  }

  /** Records an install; false if the service id is taken by another install. */
  async recordInstall(install: Omit<StoredInstall, 'createdAt' | 'updatedAt'>, now: Date, tx?: Tx): Promise<boolean> {
    const db = tx ?? this.db;
    const inserted = await db.$executeRaw`
      INSERT INTO package_installs (service_id, package_name, package_version, repository, kind, options, created_at, updated_at)
      VALUES (${install.serviceId}, ${install.packageName}, ${install.packageVersion}, ${install.repository}, ${install.kind}::"PackageKind",
              ${JSON.stringify(install.options)}::jsonb, ${now}, ${now})
      ON CONFLICT (service_id) DO NOTHING`;
    return inserted === 1;
  }

  async updateInstall(serviceId: string, change: Pick<StoredInstall, 'packageVersion' | 'repository' | 'options'>, now: Date, tx?: Tx): Promise<void> {
    const db = tx ?? this.db;
    await db.packageInstall.update({ where: { serviceId }, data: { packageVersion: change.packageVersion, repository: change.repository, options: change.options as object, updatedAt: now } });
  }

  async removeInstall(serviceId: string, tx?: Tx): Promise<void> {
    const db = tx ?? this.db;
    await db.packageInstall.deleteMany({ where: { serviceId } });
  }
}
