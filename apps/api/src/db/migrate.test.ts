import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../testing/database.js';
import { defaultMigrationsDir, migrate, readMigrations } from './migrate.js';

describe('migrate (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('applies every migration once, records it as Prisma does, and is a no-op the second time', async () => {
    const names = (await readMigrations(defaultMigrationsDir)).map((m) => m.name).sort();
    expect(names.length).toBeGreaterThan(0);
    expect(await migrate(db.url)).toEqual({ applied: names });
    expect(await migrate(db.url)).toEqual({ applied: [] });

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const rows = await client.query('SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name');
    await client.end();
    expect(rows.rows.map((r) => r.migration_name)).toEqual(names);
    for (const row of rows.rows) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
    }
  });

  it('migrates exactly once when replicas start together', async () => {
    const other = await createTestDatabase();
    try {
      const results = await Promise.all([migrate(other.url), migrate(other.url), migrate(other.url)]);
      const applied = results.flatMap((r) => r.applied);
      const names = (await readMigrations(defaultMigrationsDir)).map((m) => m.name);
      expect(applied.sort()).toEqual(names.sort());
    } finally {
      await other.drop();
    }
  });

  it('refuses a migration edited after it was applied, and applies nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gantry-migrations-'));
    await cp(defaultMigrationsDir, dir, { recursive: true });
    const [first] = (await readMigrations(dir)).sort((a, b) => a.name.localeCompare(b.name));
    await writeFile(join(dir, first!.name, 'migration.sql'), first!.sql + '\n-- edited\n');
    await expect(migrate(db.url, dir)).rejects.toThrow(/was edited after it was applied/);
  });

  it('rolls back a failing migration whole', async () => {
    const other = await createTestDatabase();
    const dir = await mkdtemp(join(tmpdir(), 'gantry-migrations-'));
    await cp(defaultMigrationsDir, dir, { recursive: true });
    const broken = join(dir, '99990101000000_broken');
    await (await import('node:fs/promises')).mkdir(broken);
    await writeFile(join(broken, 'migration.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
    try {
      await expect(migrate(other.url, dir)).rejects.toThrow(/migration 99990101000000_broken failed/);
      const client = new pg.Client({ connectionString: other.url });
      await client.connect();
      const table = await client.query(`SELECT to_regclass('half_done') AS t`);
      const recorded = await client.query(`SELECT count(*)::int AS n FROM "_prisma_migrations" WHERE migration_name LIKE '%broken'`);
      await client.end();
      expect(table.rows[0].t).toBeNull();
      expect(recorded.rows[0].n).toBe(0);
    } finally {
      await other.drop();
    }
  });
});
