// The B8 cluster: embedded Postgres, one API replica, the production console, and the
// seeded state of a large cluster (scripts/seed-b8.mjs) — no real agents.
//
// The API runs as a standby: this process holds the leader's advisory lock for the
// whole run, so no scheduler or liveness loop reacts to 5,000 agents that never
// connect (they would all turn UNREACHABLE and their 50,000 tasks be replaced).
// Every replica serves reads the same way, which is what B8 measures.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('../../', import.meta.url));
const LEADER_LOCK_KEY = 0x6c656164; // apps/api/src/leadership/elector.ts

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(what, check, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`b8: ${what} not ready within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function child(name, args, env, log) {
  const proc = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = [];
  const keep = (chunk) => {
    for (const line of String(chunk).split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
      if (log) console.error(`[${name}] ${line}`);
    }
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  return { proc, tail, name };
}

/**
 * Starts everything; `seed` sizes the cluster. Returns the console's URL, the admin's
 * password and `stop()`. `webDistDir` (GANTRY_WEB_DIST_DIR) serves a console built
 * into a directory of its own, so that nobody's `next build` replaces it mid-run.
 */
export async function startWorld({ agents = 5000, apps = 1000, tasks = 50000, log = false, web: withWeb = true, webDistDir = process.env.GANTRY_WEB_DIST_DIR } = {}) {
  const { startEmbeddedPostgres } = await import(join(root, 'apps/cli/dist/postgres/embedded.js'));
  const dir = await mkdtemp(join(tmpdir(), 'gantry-b8-'));
  const { chmod } = await import('node:fs/promises');
  await chmod(dir, 0o755);
  const pgPort = await freePort();
  const postgres = await startEmbeddedPostgres({ dir, port: pgPort, settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
  const children = [];
  let holder = null;
  const stop = async () => {
    for (const c of children.reverse()) {
      c.proc.kill('SIGTERM');
      await new Promise((r) => (c.proc.exitCode !== null ? r() : c.proc.once('exit', r)));
    }
    await holder?.end().catch(() => undefined);
    await postgres.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const admin = new pg.Client({ connectionString: postgres.url('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE gantry');
    await admin.end();
    const databaseUrl = postgres.url('gantry');
    // Advisory locks are per database: take the one the API's elector asks for in `gantry`.
    holder = new pg.Client({ connectionString: databaseUrl });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock($1)', [LEADER_LOCK_KEY]);

    const apiPort = await freePort();
    const webPort = await freePort();
    const adminPassword = randomBytes(12).toString('base64url');
    const api = child('api', [join(root, 'apps/api/dist/main.js')], {
      DATABASE_URL: databaseUrl, GANTRY_API_PORT: String(apiPort), GANTRY_API_HOST: '127.0.0.1', GANTRY_REPLICA_NAME: 'b8',
      GANTRY_ADMIN_PASSWORD: adminPassword, GANTRY_AGENT_TOKEN: randomBytes(24).toString('base64url'), GANTRY_CONSOLE_URL: `http://localhost:${webPort}`,
    }, log);
    children.push(api);
    await waitFor('the API', async () => (await fetch(`http://127.0.0.1:${apiPort}/health`)).ok);

    const seeded = spawn(process.execPath, [join(root, 'scripts/seed-b8.mjs'), `--agents=${agents}`, `--apps=${apps}`, `--tasks=${tasks}`], {
      cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl }, stdio: ['ignore', 'inherit', 'inherit'],
    });
    const code = await new Promise((r) => seeded.once('exit', r));
    if (code !== 0) throw new Error('b8: seeding failed');

    if (!withWeb) return { consoleUrl: null, apiUrl: `http://127.0.0.1:${apiPort}`, databaseUrl, adminPassword, stop };
    const web = child('web', [join(root, 'apps/web/server.js')], {
      GANTRY_API_URL: `http://127.0.0.1:${apiPort}`, GANTRY_WEB_PORT: String(webPort), GANTRY_WEB_HOST: '127.0.0.1', NODE_ENV: 'production',
      AUTH_SECRET: randomBytes(32).toString('base64url'), AUTH_URL: `http://localhost:${webPort}`, AUTH_TRUST_HOST: 'true', NEXT_TELEMETRY_DISABLED: '1',
      ...(webDistDir ? { GANTRY_WEB_DIST_DIR: webDistDir } : {}),
    }, log);
    children.push(web);
    await waitFor('the console', async () => (await fetch(`http://127.0.0.1:${webPort}/login`)).ok);
    return { consoleUrl: `http://localhost:${webPort}`, apiUrl: `http://127.0.0.1:${apiPort}`, databaseUrl, adminPassword, stop };
  } catch (error) {
    for (const c of children) if (c.tail.length) console.error(`[${c.name}] …\n${c.tail.join('\n')}`);
    await stop();
    throw error;
  }
}
