import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import '../apps/api/src/testing/provided-context.js';
import { startEmbeddedPostgres } from '../apps/cli/src/postgres/embedded.js';
import { generatePrismaClient } from './prisma-generate.js';


/**
 * One real, throwaway Postgres for the whole run (fsync off: its data dies with it).
 * Each test file makes its own database from it (apps/api/src/testing/database.ts).
 */
export default async function setup(project: TestProject) {
  const schema = 'prisma/schema.prisma';
  const client = 'apps/api/src/generated/prisma/client.ts';
  if (!existsSync(client) || statSync(schema).mtimeMs > statSync(client).mtimeMs) await generatePrismaClient();
  // Integration tests spawn the real agent, API and CLI programs: build them (turbo caches).
  execFileSync(process.execPath, ['node_modules/turbo/bin/turbo', 'run', 'build', '--filter=@gantry/agent', '--filter=@gantry/api', '--filter=@gantry/cli', '--output-logs=errors-only'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });

  const dir = await mkdtemp(join(tmpdir(), 'gantry-test-pg-'));
  await chmod(dir, 0o755); // the postgres user must reach its data below
  const port = await freePort();
  const postgres = await startEmbeddedPostgres({
    dir,
    port,
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
  });
  project.provide('postgresAdminUrl', postgres.url('postgres'));
  return async () => {
    await postgres.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
