/**
 * Which migrations to apply, decided from what is on disk and what the database
 * recorded. Pure, so every refusal is tested without a database.
 */
export interface MigrationFile {
  name: string;
  checksum: string;
  sql: string;
}

export interface AppliedMigration {
  name: string;
  checksum: string;
  finished: boolean;
}

export type MigrationPlan = { ok: true; pending: MigrationFile[] } | { ok: false; error: string };

export function planMigrations(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationPlan {
  const onDisk = new Map(files.map((f) => [f.name, f]));
  for (const done of applied) {
    if (!done.finished) {
      return {
        ok: false,
        error: `migration ${done.name} started but never finished; repair the database by hand, then delete its row from _prisma_migrations`,
      };
    }
    const file = onDisk.get(done.name);
    if (!file) {
      return {
        ok: false,
        error: `the database has migration ${done.name}, which this Gantry does not know: it was migrated by a newer version; run that version`,
      };
    }
    if (file.checksum !== done.checksum) {
      return {
        ok: false,
        error: `migration ${done.name} was edited after it was applied (checksum differs); restore the file and add a new migration instead`,
      };
    }
  }
  const appliedNames = new Set(applied.map((a) => a.name));
  const pending = [...files].sort((a, b) => (a.name < b.name ? -1 : 1)).filter((f) => !appliedNames.has(f.name));
  return { ok: true, pending };
}
