// B6 — real task launch (shared/design/BENCHMARKS.md): real agents spawning real
// processes. Latency is submit (AgentCommands.launch: STAGING committed, LAUNCH sent)
// → TASK_RUNNING seen on the event stream (Postgres NOTIFY, as every API replica and
// the console see it); rate is launches/s with many in flight across the agents. The
// ratio is to a raw child_process.spawn of the same command from an agent-sized Node
// process, measured in the same run.
//
//   npm run bench -- b6 [--latency=100] [--rate=300] [--concurrency=32] [--agents=3]
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const { startApi } = await import(join(root, 'apps/api/dist/server.js'));
const { startEmbeddedPostgres } = await import(join(root, 'apps/cli/dist/postgres/embedded.js'));

const opts = Object.fromEntries(process.argv.slice(2).map((a) => /^--([^=]+)=(.*)$/.exec(a)).filter(Boolean).map((m) => [m[1], Number(m[2])]));
const LATENCY_N = opts.latency ?? 100;
const RATE_N = opts.rate ?? 300;
const CONCURRENCY = opts.concurrency ?? 32;
const AGENTS = opts.agents ?? 3;
const COMMAND = 'sleep 600';
const TOKEN = 'bench-agent-join-token-0123456789abcdef';

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const emit = (params, value, unit, ratio) => {
  const line = { bench: 'b6', params, value: Number(value.toFixed(3)), unit };
  if (ratio !== undefined) line.ratio = Number(ratio.toFixed(3));
  console.log(JSON.stringify(line));
};
const log = (line) => process.stderr.write(`[b6] ${line}\n`);
const freePort = () => new Promise((resolve) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

const home = mkdtempSync(join(tmpdir(), 'gantry-b6-'));
const cleanups = [];
try {
  // ── the raw baseline first, while the machine is quiet ──
  const raw = JSON.parse(execFileSync(process.execPath, [join(here, 'raw-spawn.mjs'), String(LATENCY_N), COMMAND], { encoding: 'utf8' }));

  execFileSync('chmod', ['755', home]);
  const postgres = await startEmbeddedPostgres({ dir: join(home, 'pg'), port: await freePort() });
  cleanups.push(() => postgres.stop());
  const admin = new pg.Client({ connectionString: postgres.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE gantry');
  await admin.end();
  const databaseUrl = postgres.url('gantry');
  const api = await startApi({
    databaseUrl, host: '127.0.0.1', port: 0, heartbeatIntervalMs: 2000, missedHeartbeatsAllowed: 3, leaderRetryMs: 200,
    replicaName: 'bench', agentToken: TOKEN, adminPassword: 'bench-admin-password', consoleUrl: 'http://localhost:3000',
  });
  cleanups.unshift(() => api.close());
  while (!api.isLeader()) await new Promise((r) => setTimeout(r, 20));

  // The event stream, as any replica hears it.
  const running = new Map();
  const waiters = new Map();
  const listener = new pg.Client({ connectionString: databaseUrl });
  await listener.connect();
  await listener.query('LISTEN gantry_events');
  listener.on('notification', (n) => {
    const event = JSON.parse(n.payload);
    if (event.type !== 'task' || event.state !== 'TASK_RUNNING' || running.has(event.taskId)) return;
    running.set(event.taskId, performance.now());
    waiters.get(event.taskId)?.();
  });
  cleanups.unshift(() => listener.end());
  const runningSeen = (taskId) => new Promise((resolve) => (running.has(taskId) ? resolve() : waiters.set(taskId, resolve)));

  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    const child = spawn(process.execPath, [join(root, 'apps/agent/dist/main.js'), '--master', api.url, '--hostname', `bench-${i}`,
      '--work-dir', join(home, `agent-${i}`), '--cpus', '2', '--mem', '8192', '--disk', '1024', '--ports', `${40000 + i * 100}-${40099 + i * 100}`,
      '--usage-interval-ms', '60000'], { env: { ...process.env, GANTRY_AGENT_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const id = await new Promise((resolve) => {
      const check = () => {
        const m = /registered with \S+ as (\S+)/.exec(out);
        if (m) resolve(m[1]);
        else setTimeout(check, 20);
      };
      check();
    });
    while (!api.commands.connected(id)) await new Promise((r) => setTimeout(r, 20));
    agents.push({ child, id, out: () => out });
    cleanups.unshift(() => new Promise((resolve) => (child.once('exit', resolve), child.kill('SIGTERM'))));
  }
  log(`${AGENTS} agents up; ${agents[0].out().match(/isolating tasks with .*|WARNING: .*/)?.[0] ?? ''}`);
  const spec = (taskId) => ({ taskId, cmd: COMMAND, resources: { cpus: 0.01, mem: 16 }, killGracePeriodSeconds: 0 });

  // ── latency: one launch at a time ──
  const latencies = [];
  for (let i = 0; i < LATENCY_N; i++) {
    const taskId = `lat-${i}`;
    const t0 = performance.now();
    const seen = runningSeen(taskId);
    await api.commands.launch(agents[i % AGENTS].id, spec(taskId));
    await seen;
    latencies.push(running.get(taskId) - t0);
  }

  // ── rate: many in flight across the agents ──
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < RATE_N) {
      const i = next++;
      const taskId = `rate-${i}`;
      const seen = runningSeen(taskId);
      await api.commands.launch(agents[i % AGENTS].id, spec(taskId));
      await seen;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const rateElapsedMs = performance.now() - t0;
  const rate = (RATE_N * 1000) / rateElapsedMs;
  const cpu = process.cpuUsage(cpu0);
  log(`rate phase: ${rateElapsedMs.toFixed(0)} ms; the API's own cpu ${((cpu.user + cpu.system) / 1000 / RATE_N).toFixed(2)} ms per launch`);

  const rawP50 = percentile(raw.latencies, 50);
  const rawP99 = percentile(raw.latencies, 99);
  const params = { agents: AGENTS, command: COMMAND };
  emit({ ...params, measure: 'raw spawn latency p50', n: LATENCY_N }, rawP50, 'ms');
  emit({ ...params, measure: 'raw spawn latency p99', n: LATENCY_N }, rawP99, 'ms');
  emit({ ...params, measure: 'raw spawn rate', n: LATENCY_N }, raw.ratePerSecond, 'launches/s');
  emit({ ...params, measure: 'submit→RUNNING latency p50', n: LATENCY_N }, percentile(latencies, 50), 'ms', percentile(latencies, 50) / rawP50);
  emit({ ...params, measure: 'submit→RUNNING latency p99', n: LATENCY_N }, percentile(latencies, 99), 'ms', percentile(latencies, 99) / rawP99);
  emit({ ...params, measure: 'launch rate', n: RATE_N, concurrency: CONCURRENCY }, rate, 'launches/s', rate / raw.ratePerSecond);

  // ── clean up: kill every task through the agents, wait until they are all down ──
  const ids = [...Array(LATENCY_N).keys()].map((i) => `lat-${i}`).concat([...Array(RATE_N).keys()].map((i) => `rate-${i}`));
  for (let i = 0; i < ids.length; i += 64) await Promise.all(ids.slice(i, i + 64).map((id) => api.commands.kill(id, 0).catch(() => undefined)));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const live = (await Promise.all(agents.map((a) => api.tasks.listByAgent(a.id)))).flat().filter((t) => t.state !== 'TASK_KILLED' && t.state !== 'TASK_FAILED');
    if (live.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
} finally {
  for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
}
