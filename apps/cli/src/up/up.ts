import { chmod, mkdir, rm, statfs, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Health } from '@gantry/specs';
import pg from 'pg';
import { startEmbeddedPostgres, type RunningPostgres } from '../postgres/embedded.js';
import { startChild, type Child } from './children.js';
import { ensurePortFree, livePid, UpError, waitForExit } from './preflight.js';
import { localSecrets } from './secrets.js';
import { restartDelay, restartPolicy } from './restart-policy.js';
import { agentSlices } from './slices.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

export interface UpOptions {
  home: string;
  apiPort: number;
  webPort: number;
  pgPort: number;
  /** An existing Postgres; when set, no embedded one is started. */
  databaseUrl: string | undefined;
  /** GANTRY_ADMIN_PASSWORD: the first admin's password; otherwise one is made and shown once. */
  adminPassword: string | undefined;
  echo: (line: string) => void;
}

export function upOptionsFromEnv(env: NodeJS.ProcessEnv): UpOptions {
  const port = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value < 1 || value > 65535) throw new UpError(`${name} must be a port number (1-65535), not "${env[name]}"`);
    return value;
  };
  return {
    home: resolve(env.GANTRY_HOME ?? '.gantry'),
    apiPort: port('GANTRY_API_PORT', 8080),
    webPort: port('GANTRY_WEB_PORT', 3000),
    pgPort: port('GANTRY_PG_PORT', 15432),
    databaseUrl: env.DATABASE_URL || undefined,
    adminPassword: env.GANTRY_ADMIN_PASSWORD || undefined,
    echo: (line) => console.log(line),
  };
}

/**
 * `gantry up`: the whole platform on this machine — Postgres (embedded unless
 * DATABASE_URL is set), the API, the console and three agents in zones a, b and c.
 * Returns once everything is ready; `stop()` stops everything it started.
 */
export async function up(options: UpOptions): Promise<{ stop: () => Promise<void>; done: Promise<number> }> {
  try {
    await mkdir(options.home, { recursive: true });
    // As root, Postgres runs as the `postgres` user, which must be able to reach its data.
    await chmod(options.home, 0o755);
  } catch (error) {
    throw new UpError(`GANTRY_HOME ${options.home} is not a usable directory (${(error as NodeJS.ErrnoException).code}) — point GANTRY_HOME at a writable directory`);
  }
  const lock = join(options.home, 'up.pid');
  const running = livePid(lock);
  if (running) throw new UpError(`gantry up is already running here (pid ${running}) with data in ${options.home} — stop it first`);
  await writeFile(lock, `${process.pid}\n`);

  const children: Child[] = [];
  let postgres: RunningPostgres | null = null;
  let stopping = false;
  let finish: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));

  const restarts = new Set<NodeJS.Timeout>();
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    for (const timer of restarts) clearTimeout(timer);
    const agents = children.filter((c) => c.name.startsWith('local-'));
    // Agents first, with time for their tasks' grace periods: the master records the kills.
    await Promise.all(agents.map((c) => c.stop(25_000)));
    await Promise.all(children.filter((c) => !agents.includes(c)).map((c) => c.stop()));
    await postgres?.stop().catch(() => undefined);
    await rm(lock, { force: true });
    finish(code);
  };

  try {
    await ensurePortFree(options.apiPort, 'API', 'GANTRY_API_PORT');
    await ensurePortFree(options.webPort, 'console', 'GANTRY_WEB_PORT');

    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const pgDir = join(options.home, 'postgres');
      // A Postgres left running by a `gantry up` that was killed outright: stop it, it is ours.
      const orphan = livePid(join(pgDir, 'data', 'postmaster.pid'));
      if (orphan) {
        options.echo(`stopping the Postgres (pid ${orphan}) left running by an earlier gantry up`);
        process.kill(orphan, 'SIGINT');
        if (!(await waitForExit(orphan, 15_000))) throw new UpError(`Postgres pid ${orphan} on ${pgDir} does not stop — stop it by hand`);
      }
      await ensurePortFree(options.pgPort, 'Postgres', 'GANTRY_PG_PORT');
      postgres = await startEmbeddedPostgres({ dir: pgDir, port: options.pgPort });
      await ensureDatabase(postgres.url('postgres'), 'gantry');
      databaseUrl = postgres.url('gantry');
    }

    const secrets = await localSecrets(options.home, options.adminPassword);
    const apiUrl = `http://127.0.0.1:${options.apiPort}`;
    const baseEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', GANTRY_AGENT_TOKEN: secrets.agentToken };
    const adminPassword = options.adminPassword ?? secrets.firstAdminPassword;
    const api = startChild('api', process.execPath, [join(root, 'apps/api/dist/main.js')], {
      env: {
        ...baseEnv, DATABASE_URL: databaseUrl, GANTRY_API_PORT: String(options.apiPort), GANTRY_API_HOST: '127.0.0.1',
        GANTRY_REPLICA_NAME: 'local', ...(adminPassword ? { GANTRY_ADMIN_PASSWORD: adminPassword } : {}),
      },
      echo: options.echo,
    });
    children.push(api);
    await waitUntil('the API', api, async () => {
      const health = Health.parse(await (await fetch(`${apiUrl}/health`)).json());
      return health.status === 'ok' && health.leader;
    });

    const web = startChild('web', process.execPath, [join(root, 'apps/web/server.js')], {
      cwd: join(root, 'apps/web'),
      env: {
        ...baseEnv, GANTRY_API_URL: apiUrl, GANTRY_WEB_PORT: String(options.webPort), GANTRY_WEB_HOST: '127.0.0.1', NODE_ENV: 'production',
        AUTH_SECRET: secrets.sessionSecret, AUTH_URL: `http://localhost:${options.webPort}`, AUTH_TRUST_HOST: 'true',
      },
      echo: options.echo,
    });
    children.push(web);

    const disk = await statfs(options.home).then((s) => Math.floor((s.bavail * s.bsize) / 2 ** 20));
    const slices = agentSlices({ cpus: cpus().length, memMiB: Math.floor(totalmem() / 2 ** 20), diskMiB: disk });
    const policy = restartPolicy(Number(process.env.GANTRY_HEARTBEAT_INTERVAL_MS ?? 2000), Number(process.env.GANTRY_MISSED_HEARTBEATS ?? 3));
    const startAgent = (slice: (typeof slices)[number]) => startChild(slice.hostname, process.execPath, [
      join(root, 'apps/agent/dist/main.js'),
      '--master', apiUrl, '--hostname', slice.hostname, '--address', '127.0.0.1',
      '--attributes', slice.attributes, '--cpus', String(slice.cpus), '--mem', String(slice.mem),
      '--disk', String(slice.disk), '--ports', slice.ports, '--work-dir', join(options.home, 'agents', slice.hostname),
      // Stopping the local cluster stops its tasks too (they are relaunched at the next start);
      // an agent that crashes still leaves them running for its restart to take back.
      '--stop-tasks-on-exit',
    ], { env: baseEnv, echo: options.echo });
    /** The local supervisor: an agent that dies is restarted (and recovers its tasks), like systemd's Restart=always. */
    const supervise = (slice: (typeof slices)[number], child: Child, attempt: number) => {
      const startedAt = Date.now();
      void child.exited.then((code) => {
        if (stopping) return;
        const next = restartDelay(policy, attempt, Date.now() - startedAt);
        options.echo(`agent ${child.name} exited (code ${code}); its node turns UNREACHABLE; restarting it in ${Math.round(next.delayMs / 1000)} s`);
        const timer = setTimeout(() => {
          restarts.delete(timer);
          if (stopping) return;
          const replacement = startAgent(slice);
          children.splice(children.indexOf(child), 1, replacement);
          supervise(slice, replacement, next.attempt);
        }, next.delayMs);
        restarts.add(timer);
      });
    };
    for (const slice of slices) children.push(startAgent(slice));
    await waitUntil('the console', web, async () => (await fetch(`http://127.0.0.1:${options.webPort}/nodes`)).ok);
    // An agent says when the master has taken it (the node list itself needs a sign-in).
    const agents = children.filter((c) => c.name.startsWith('local-'));
    for (const agent of agents) {
      await waitUntil(`${agent.name} to register`, agent, async () => agent.tail().some((l) => l.includes('registered with')));
    }

    for (const child of children) {
      if (child.name.startsWith('local-')) {
        supervise(slices.find((s) => s.hostname === child.name)!, child, 0);
        continue;
      }
      void child.exited.then((code) => {
        if (stopping) return;
        options.echo(`${child.name} stopped unexpectedly (code ${code}); stopping everything`);
        void stop(1);
      });
    }
    options.echo(banner(options, slices.map((s) => s.hostname), secrets.firstAdminPassword));
    return { stop: () => stop(0), done };
  } catch (error) {
    await stop(1);
    throw error;
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** Waits for `ready`, failing at once with the child's last words if it exits first. */
async function waitUntil(what: string, child: Child, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void child.exited.then(() => (exited = true));
  for (;;) {
    if (exited) {
      const last = child.tail().filter((l) => l.trim()).at(-1) ?? `exit code ${child.process.exitCode}`;
      throw new UpError(`${child.name} stopped while waiting for ${what}: ${last.replace(/^gantry \w+: /, '')}`);
    }
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw new UpError(`${what} did not become ready within ${timeoutMs / 1000} s — see the [${child.name}] lines above`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function banner(options: UpOptions, agents: string[], firstAdminPassword: string | null): string {
  return [
    '',
    'Gantry is up.',
    `  Console   http://localhost:${options.webPort}`,
    `  API       http://127.0.0.1:${options.apiPort}   (health: /health, nodes: /v1/nodes, tRPC: /trpc)`,
    `  Postgres  ${options.databaseUrl ? 'external (DATABASE_URL)' : `embedded, port ${options.pgPort}, data in ${join(options.home, 'postgres')}`}`,
    `  Agents    ${agents.join(', ')}`,
    firstAdminPassword
      ? `  Sign in   as admin with the password ${firstAdminPassword} (shown this once: note it)`
      : `  Sign in   as admin with ${options.adminPassword ? 'GANTRY_ADMIN_PASSWORD' : 'the password shown at the first start'}`,
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}
