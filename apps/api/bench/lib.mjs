// What the master's benchmarks share: embedded Postgres, the API in a process of its own,
// the simulated agent fleet in another, a keep-alive HTTP client, JSON-line output.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..', '..');
export const TOKEN = 'bench-agent-join-token-0123456789abcdef';
export const ADMIN_PASSWORD = 'bench-admin-password';

export function args(defaults) {
  const given = Object.fromEntries(process.argv.slice(2).map((a) => /^--([^=]+)=(.*)$/.exec(a)).filter(Boolean).map((m) => [m[1], m[2]]));
  const out = { ...defaults };
  for (const [k, v] of Object.entries(given)) out[k] = typeof defaults[k] === 'number' ? Number(v) : v;
  return out;
}

export const percentile = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs).sort();
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
export const median = (xs) => percentile(xs, 50);

export function emitter(bench) {
  return (params, value, unit, ratio) => {
    const line = { bench, params, value: Number(Number(value).toFixed(3)), unit };
    if (ratio !== undefined) line.ratio = Number(Number(ratio).toFixed(3));
    console.log(JSON.stringify(line));
  };
}

export const logger = (bench) => (line) => process.stderr.write(`[${bench}] ${line}\n`);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () => new Promise((resolve) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

/** The machine, for the record: cores, model, load average at this moment. */
export function machine() {
  const c = cpus();
  return { cores: c.length, cpu: c[0]?.model.trim(), loadavg: loadavg().map((l) => Number(l.toFixed(2))) };
}

/** User+system CPU seconds a process has used so far (Linux /proc). */
export function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds of a Postgres cluster: its postmaster and every backend (children of it). */
function clusterCpuSeconds(dataDir) {
  try {
    const postmaster = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const children = execFileSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
    return [postmaster, ...children].reduce((sum, p) => sum + (cpuSeconds(p) || 0), 0);
  } catch {
    return NaN;
  }
}

/** A scratch directory with embedded Postgres in it, a database `gantry` created. */
export async function startPostgres(name, settings = {}) {
  const { startEmbeddedPostgres } = await import(join(root, 'apps/cli/dist/postgres/embedded.js'));
  const home = mkdtempSync(join(tmpdir(), `gantry-${name}-`));
  execFileSync('chmod', ['755', home]);
  const port = await freePort();
  const postgres = await startEmbeddedPostgres({ dir: join(home, 'pg'), port, settings });
  const admin = new pg.Client({ connectionString: postgres.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE gantry');
  await admin.end();
  return {
    port,
    url: postgres.url('gantry'),
    /** CPU seconds its live processes have used (backends that already exited are not counted). */
    cpuSeconds: () => clusterCpuSeconds(join(home, 'pg', 'data')),
    stop: async () => {
      await postgres.stop().catch(() => undefined);
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/**
 * One API replica in a process of its own (apps/api/bench/api-process.mjs: startApi, as
 * main.ts runs it, plus an IPC channel the benchmark asks for the scheduler's figures).
 * `nodeArgs` e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'].
 */
export async function startApiProcess({ databaseUrl, port, nodeArgs = [], log = () => undefined, config = {} }) {
  const child = fork(join(here, 'api-process.mjs'), [], {
    execArgv: nodeArgs,
    env: {
      ...process.env,
      BENCH_API_CONFIG: JSON.stringify({
        databaseUrl, host: '127.0.0.1', port, heartbeatIntervalMs: 2000, missedHeartbeatsAllowed: 3, leaderRetryMs: 500,
        replicaName: `bench-${port}`, agentToken: TOKEN, adminPassword: ADMIN_PASSWORD, consoleUrl: 'http://localhost:3000', ...config,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout.on('data', (d) => log(`api: ${String(d).trimEnd()}`));
  child.stderr.on('data', (d) => log(`api: ${String(d).trimEnd()}`));
  const rpc = rpcOf(child);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started = await new Promise((resolve, reject) => {
    child.on('message', (m) => m.event === 'listening' && resolve(m));
    exited.then((code) => reject(new Error(`the API process exited (${code}) before listening`)));
  });
  return {
    url: started.url,
    pid: child.pid,
    child,
    ask: rpc,
    exited,
    waitLeader: async () => {
      while (!(await rpc({ cmd: 'stats' })).leader) await sleep(20);
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      // A CPU profile of a long run takes a while to write.
      await Promise.race([exited, sleep(nodeArgs.length ? 120_000 : 10_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** The simulated fleet (apps/api/bench/sim-agents.mjs) in a process of its own. */
export function startSim({ master, agents, prefix = 'sim', extra = [], log = () => undefined, nodeArgs = [] }) {
  const child = fork(join(here, 'sim-agents.mjs'), [`--master=${master}`, `--agents=${agents}`, `--prefix=${prefix}`, ...extra], {
    execArgv: ['--max-old-space-size=4096', ...nodeArgs],
    env: { ...process.env, GANTRY_AGENT_TOKEN: TOKEN },
    stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
  });
  child.stderr.on('data', (d) => log(String(d).trimEnd()));
  const connected = new Promise((resolve) => child.on('message', (m) => m.event === 'connected' && resolve()));
  return {
    pid: child.pid,
    child,
    ask: rpcOf(child),
    connected,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

function rpcOf(child) {
  let seq = 0;
  const waiting = new Map();
  child.on('message', (m) => {
    if (m.id !== undefined && waiting.has(m.id)) {
      waiting.get(m.id)(m);
      waiting.delete(m.id);
    }
  });
  return (message) => new Promise((resolve, reject) => {
    const id = ++seq;
    waiting.set(id, (m) => resolve(m.stats ?? m.result ?? m));
    try {
      child.send({ ...message, id });
    } catch (error) {
      waiting.delete(id);
      reject(error);
    }
  });
}

/** A keep-alive HTTP/1.1 client for the API (the same sockets reused, as a load generator does). */
export function httpClient(baseUrl, { connections = 16, token = null } = {}) {
  const base = new URL(baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  let bearer = token;
  // `signal` aborts the request, queued or under way (its promise rejects).
  const call = (method, path, body, { signal } = {}) => new Promise((resolve, reject) => {
    const payload = body === undefined ? null : Buffer.from(JSON.stringify(body));
    const req = httpRequest({
      host: base.hostname, port: base.port, method, path, agent, ...(signal ? { signal } : {}),
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode, json, bytes: text.length });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
  return {
    call,
    login: async () => {
      const r = await call('POST', '/v1/auth/login', { uid: 'admin', password: ADMIN_PASSWORD });
      if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.json)}`);
      bearer = r.json.token;
      return bearer;
    },
    close: () => agent.destroy(),
  };
}

/** Counts tasks of `prefix` apps as they commit, from the event stream every replica hears (NOTIFY is sent at commit). */
export async function commitWatcher(databaseUrl, appPrefix) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('LISTEN gantry_events');
  const staged = new Map();
  const running = new Map();
  client.on('notification', (n) => {
    const event = JSON.parse(n.payload);
    if (event.type !== 'task' || !event.appId?.startsWith(appPrefix)) return;
    if (event.state === 'TASK_STAGING' && !staged.has(event.taskId)) staged.set(event.taskId, performance.now());
    else if (event.state === 'TASK_RUNNING' && !running.has(event.taskId)) running.set(event.taskId, performance.now());
  });
  return { staged, running, close: () => client.end() };
}

/**
 * The B3 workload's apps: `apps` × `instances`, four sizes, half with a port, 20 % with a
 * constraint. The ported apps name their service port (10000 + k, as marathon-lb setups
 * do) rather than asking for one (port 0): Gantry hands out service ports under one global
 * lock, which would serialize every submission.
 */
export function workloadApps({ apps, instances, group = '/b3', cmd = 'sleep 3600', servicePortBase = 10_000 }) {
  const SIZES = [[0.1, 32], [0.25, 64], [0.5, 128], [1, 256]];
  const CONSTRAINTS = [[['hostname', 'UNIQUE']], [['zone', 'GROUP_BY', '3']], [['rack', 'MAX_PER', '15']], [['zone', 'LIKE', 'a|b']]];
  return Array.from({ length: apps }, (_, k) => {
    const [cpus, mem] = SIZES[k % SIZES.length];
    return {
      id: `${group}/app-${String(k).padStart(4, '0')}`, cmd, cpus, mem, instances,
      portDefinitions: k % 2 === 0 ? [{ port: servicePortBase + k, name: 'http' }] : [],
      constraints: k % 5 === 0 ? CONSTRAINTS[(k / 5) % CONSTRAINTS.length] : [],
    };
  });
}

export async function querySql(databaseUrl, sql, params = []) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}
