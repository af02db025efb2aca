import { defineConfig } from 'prisma/config';

// Prisma's CLI reads this. Here only `prisma generate` runs (offline; see STACK.md);
// migrations are applied by apps/api/src/db/migrate.ts in Prisma's own layout, so a
// machine with Prisma's engines can take over with `prisma migrate deploy`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://gantry@127.0.0.1:5432/gantry' },
});
