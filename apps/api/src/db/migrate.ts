import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { planMigrations, type MigrationFile } from './migration-plan.js';

/**
 * Applies prisma/migrations/<name>/migration.sql files, each once, in name order,
 * under an advisory lock so that replicas starting together migrate exactly once.
 *
 * Prisma: `prisma migrate deploy` needs its native schema engine, which cannot be
 * downloaded here. We keep Prisma's layout and record into Prisma's own
 * `_prisma_migrations` table with its checksum (sha256 of the file), so a machine
 * with the engine can take over with `prisma migrate deploy`.
 */

// Arbitrary constant shared by every Gantry replica: "gantry migrate".
const MIGRATION_LOCK_KEY = 0x6d696772;

export const defaultMigrationsDir = new URL('../../../../prisma/migrations/', import.meta.url).pathname;

export async function readMigrations(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: MigrationFile[] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const sql = await readFile(join(dir, entry.name, 'migration.sql'), 'utf8');
    files.push({ name: entry.name, sql, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return files;
}

export interface MigrateResult {
  applied: string[];
}

export async function migrate(databaseUrl: string, dir = defaultMigrationsDir): Promise<MigrateResult> {
  const files = await readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
      "id" VARCHAR(36) PRIMARY KEY NOT NULL,
      "checksum" VARCHAR(64) NOT NULL,
      "finished_at" TIMESTAMPTZ,
      "migration_name" VARCHAR(255) NOT NULL,
      "logs" TEXT,
      "rolled_back_at" TIMESTAMPTZ,
      "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
      "applied_steps_count" INTEGER NOT NULL DEFAULT 0
    )`);
    const recorded = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL',
    );
    const plan = planMigrations(
      files,
      recorded.rows.map((r) => ({ name: r.migration_name, checksum: r.checksum, finished: r.finished_at !== null })),
    );
    if (!plan.ok) throw new MigrationError(plan.error);
    for (const file of plan.pending) {
      // DDL is transactional in Postgres: a migration applies whole or not at all.
      await client.query('BEGIN');
      try {
        await client.query(file.sql);
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           VALUES ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), file.checksum, file.name],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`);
      }
    }
    return { applied: plan.pending.map((f) => f.name) };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await client.end();
  }
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}
