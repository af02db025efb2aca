#!/usr/bin/env node
import { ConfigError, configFromEnv } from './config.js';
import { MigrationError } from './db/migrate.js';
import { PortInUseError, startApi } from './server.js';

/** `node apps/api/dist/main.js`: one API replica, configured from the environment. */
async function main(): Promise<void> {
  const config = configFromEnv(process.env);
  const api = await startApi(config);
  console.log(`gantry api listening on ${api.url}`);
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    api.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  watchParent(shutdown);
}

/** Under `gantry up` fd 3 is a pipe from the parent: when it closes, the parent is gone. */
function watchParent(onGone: () => void): void {
  if (process.env.GANTRY_PARENT_PIPE !== '3') return;
  import('node:fs').then(({ createReadStream }) => {
    const pipe = createReadStream('', { fd: 3 });
    pipe.on('end', onGone);
    pipe.on('error', onGone);
    pipe.resume();
  });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof PortInUseError || error instanceof MigrationError;
  const message = known ? (error as Error).message : describeStartupError(error);
  console.error(`gantry api: ${message}`);
  process.exit(1);
});

function describeStartupError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED') return 'cannot reach Postgres at DATABASE_URL (connection refused) — start it or fix the URL';
  if (e.code === '28P01') return 'Postgres refused the password in DATABASE_URL — fix the credentials';
  if (e.code === '3D000') return `${e.message} — create the database or fix DATABASE_URL`;
  return e.message ?? String(error);
}
