// B4 — durable status updates (shared/design/BENCHMARKS.md), and a cold leader start.
//
// 1. A real API process on embedded Postgres, 5,000 simulated agents (sim-agents.mjs), and
//    100,000 tasks RUNNING on them, placed through /v2 as in B3.
// 2. The physical baseline, on the same Postgres in the same run: `concurrency` clients each
//    committing one-row INSERTs (a row the size of a status update) as fast as they can.
// 3. Status updates from the fleet: `concurrency` fresh TASK_RUNNING updates kept in flight
//    across the agents (one per task at most, as agents do), each acknowledged only once
//    durably recorded; updates/s and the ack latency the agents see. ratio = updates/s ÷
//    baseline INSERTs/s at the same concurrency.
// 4. Cold leader start: the leader is killed (SIGKILL) and a new API process started on the
//    same address; the agents reconnect with their own backoff. Ready = every agent
//    re-registered and its task list reconciled, and a scheduler pass begun after that done.
//    Also checked: no task was lost, killed or replaced by the takeover.
//
//   npm run bench -- b4 [--agents=5000] [--apps=1000] [--instances=100] [--concurrency=64,256,1024] [--seconds=10] [--runs=1]
import pg from 'pg';
import {
  args, commitWatcher, cpuSeconds, emitter, freePort, httpClient, logger, machine, median, percentile, querySql, sleep,
  startApiProcess, startPostgres, startSim, workloadApps,
} from './lib.mjs';

const opts = args({ agents: 5000, apps: 1000, instances: 100, concurrency: '64,256,1024', seconds: 10, runs: 1, timeoutS: 900, coldRuns: 1, prof: '' });
const concurrencies = String(opts.concurrency).split(',').map(Number);
const emit = emitter('b4');
const log = logger('b4');

/**
 * `concurrency` clients, each committing one-row INSERTs for `ms`; rows/s and per-commit latency.
 * Keys carry the concurrency: every level inserts into the same table, and a key reused
 * from an earlier level would fail the run.
 */
async function insertBaseline(url, concurrency, ms) {
  const clients = await Promise.all(Array.from({ length: concurrency }, async () => {
    const c = new pg.Client({ connectionString: url, application_name: 'b4-baseline' });
    // A failure is thrown by the query; this only keeps a connection closed under it (Postgres stopping) from crashing the run.
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }));
  const latencies = [];
  let rows = 0;
  let seq = 0;
  const until = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(clients.map(async (c, i) => {
    while (performance.now() < until) {
      const t = performance.now();
      await c.query('INSERT INTO b4_baseline (uuid, task_id, state, received_at) VALUES ($1, $2, $3, now())', [`u-${concurrency}-${i}-${++seq}`, `task-${i}`, 'TASK_RUNNING']);
      latencies.push(performance.now() - t);
      rows++;
    }
  }));
  const elapsed = performance.now() - t0;
  await Promise.all(clients.map((c) => c.end()));
  // Their backends gone before the next measurement reads Postgres' CPU: a backend counted
  // at its start and exited by its end would make the CPU it spent negative.
  while (Number((await querySql(url, `SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'b4-baseline'`))[0].n) > 0) await sleep(20);
  return { perSecond: (rows * 1000) / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

async function runOnce(run) {
  const cleanups = [];
  const results = { status: {}, baseline: {}, cold: [] };
  try {
    const maxClients = Math.max(...concurrencies);
    const pgServer = await startPostgres('b4', { max_connections: String(Math.max(100, maxClients + 60)) });
    cleanups.unshift(() => pgServer.stop());
    await querySql(pgServer.url, 'CREATE TABLE b4_baseline (uuid text PRIMARY KEY, task_id text NOT NULL, state text NOT NULL, received_at timestamptz NOT NULL)');
    const port = await freePort();
    let api = await startApiProcess({ databaseUrl: pgServer.url, port, log: (l) => /failed|error/i.test(l) && log(l) });
    cleanups.unshift(() => api.stop()); // `api` is the current process: replaced by the cold start below
    await api.waitLeader();
    const sim = startSim({ master: api.url, agents: opts.agents, log: (l) => /refused|HTTP/.test(l) && log(l) });
    cleanups.unshift(() => sim.stop());
    await sim.connected;

    // ── 100k tasks RUNNING, placed as in B3 ──
    const total = opts.apps * opts.instances;
    const watcher = await commitWatcher(pgServer.url, '/b4/');
    const client = httpClient(api.url, { connections: 4 });
    await client.login();
    const apps = workloadApps({ apps: opts.apps, instances: opts.instances, group: '/b4' });
    const tPlace = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < apps.length) {
        const i = next;
        next += 10;
        for (let attempt = 1; ; attempt++) {
          const r = await client.call('PUT', '/v2/apps', apps.slice(i, i + 10));
          if (r.status === 200) break;
          if (attempt >= 10) throw new Error(`PUT /v2/apps answered ${r.status}`);
        }
      }
    }));
    const deadline = Date.now() + opts.timeoutS * 1000;
    while (watcher.running.size < total && Date.now() < deadline) await sleep(200);
    await watcher.close();
    if (watcher.running.size < total) throw new Error(`only ${watcher.running.size} of ${total} tasks reached RUNNING`);
    // Every deployment done, every ack home: the cluster is at rest before measuring.
    while ((await sim.ask({ cmd: 'stats' })).inFlight > 0) await sleep(200);
    await sleep(2000);
    log(`run ${run}: ${total} tasks RUNNING on ${opts.agents} agents after ${((performance.now() - tPlace) / 1000).toFixed(1)} s`);

    // ── status updates vs the INSERT baseline, concurrency by concurrency ──
    for (const concurrency of concurrencies) {
      const baseline = await insertBaseline(pgServer.url, concurrency, opts.seconds * 1000);
      const cpu0 = { api: cpuSeconds(api.pid), pg: pgServer.cpuSeconds(), sim: cpuSeconds(sim.pid) };
      if (opts.prof) await api.ask({ cmd: 'profile', action: 'start' });
      const load = await sim.ask({ cmd: 'load', concurrency, ms: opts.seconds * 1000 });
      if (opts.prof) await api.ask({ cmd: 'profile', action: 'stop', file: `${opts.prof}/b4-status-c${concurrency}.cpuprofile` });
      const cpu = { api: cpuSeconds(api.pid) - cpu0.api, pg: pgServer.cpuSeconds() - cpu0.pg, sim: cpuSeconds(sim.pid) - cpu0.sim };
      // Let what is still in flight land before the next measurement.
      while ((await sim.ask({ cmd: 'stats' })).inFlight > 0) await sleep(100);
      const status = {
        perSecond: (load.acked * 1000) / load.ms, p50: percentile(load.latencies, 50), p99: percentile(load.latencies, 99),
        apiUsPerUpdate: (cpu.api * 1e6) / load.acked, pgUsPerUpdate: (cpu.pg * 1e6) / load.acked,
      };
      (results.status[concurrency] ??= []).push(status);
      (results.baseline[concurrency] ??= []).push(baseline);
      log(`run ${run}, concurrency ${concurrency}: ${status.perSecond.toFixed(0)} updates/s (ack p50 ${status.p50.toFixed(1)} ms, p99 ${status.p99.toFixed(1)} ms; ` +
        `API ${status.apiUsPerUpdate.toFixed(0)} µs, Postgres ${status.pgUsPerUpdate.toFixed(0)} µs CPU per update) vs ${baseline.perSecond.toFixed(0)} INSERTs/s (p99 ${baseline.p99.toFixed(1)} ms)`);
    }

    // ── cold leader start ──
    for (let cold = 1; cold <= opts.coldRuns; cold++) {
      const before = await querySql(pgServer.url, `SELECT count(*) FILTER (WHERE state = 'TASK_RUNNING')::int AS running, count(*)::int AS n FROM tasks`);
      const killsBefore = (await sim.ask({ cmd: 'stats' })).kills;
      api.child.kill('SIGKILL');
      await api.exited;
      const t0 = Date.now();
      api = await startApiProcess({ databaseUrl: pgServer.url, port, log: (l) => /failed|error/i.test(l) && log(l) });
      const listening = Date.now() - t0;
      await api.waitLeader();
      const leading = Date.now() - t0;
      // Every agent re-registered and reconciled (the fleet says so: its task lists were acknowledged).
      let reconciledAt = 0;
      while (Date.now() - t0 < 120_000) {
        const s = await sim.ask({ cmd: 'stats' });
        if (s.reconciled === opts.agents) {
          reconciledAt = Date.now();
          break;
        }
        await sleep(20);
      }
      // …and a scheduler pass that began after that, finished.
      let readyAt = 0;
      while (Date.now() - t0 < 120_000) {
        const s = await api.ask({ cmd: 'stats' });
        // Begun after the agents were in, and over (the last pass ended after it began).
        if (s.passes && s.passes.lastPassStartedAtWall >= reconciledAt && s.passes.lastPassEndedAtWall >= s.passes.lastPassStartedAtWall) {
          readyAt = s.passes.lastPassEndedAtWall;
          break;
        }
        await sleep(20);
      }
      await sleep(3000);
      const after = await querySql(pgServer.url, `SELECT count(*) FILTER (WHERE state = 'TASK_RUNNING')::int AS running, count(*)::int AS n FROM tasks`);
      const fleet = await sim.ask({ cmd: 'stats' });
      // Not every agent back within 120 s: no ready time (NaN), said so in the log.
      if (!reconciledAt) readyAt = 0;
      const r = {
        readyMs: readyAt ? readyAt - t0 : NaN, listeningMs: listening, leadingMs: leading, reconciledMs: reconciledAt ? reconciledAt - t0 : NaN,
        reconciledAgents: fleet.reconciled,
        runningBefore: before[0].running, runningAfter: after[0].running, newTasks: after[0].n - before[0].n, killsSeen: fleet.kills - killsBefore,
      };
      results.cold.push(r);
      log(`run ${run}, cold start ${cold}: ready ${r.readyMs.toFixed(0)} ms (listening ${r.listeningMs} ms, leading ${r.leadingMs} ms, agents reconciled ${r.reconciledMs.toFixed(0)} ms` +
        `${reconciledAt ? '' : `: only ${r.reconciledAgents} of ${opts.agents} within 120 s`}); ` +
        `RUNNING ${r.runningBefore} → ${r.runningAfter}, ${r.newTasks} new tasks, ${r.killsSeen} kills seen by the fleet since the old leader died`);
    }
    client.close();
    return results;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

const all = [];
for (let run = 1; run <= opts.runs; run++) all.push(await runOnce(run));
const params = { agents: opts.agents, tasks: opts.apps * opts.instances, seconds: opts.seconds, runs: opts.runs, ...machine() };
for (const concurrency of concurrencies) {
  const status = all.flatMap((r) => r.status[concurrency] ?? []);
  const baseline = all.flatMap((r) => r.baseline[concurrency] ?? []);
  const rate = median(status.map((s) => s.perSecond));
  const base = median(baseline.map((b) => b.perSecond));
  const p = { ...params, concurrency };
  emit({ ...p, metric: 'plain 1-row INSERT commits per second (baseline, median)' }, base, 'rows/s');
  emit({ ...p, metric: 'plain 1-row INSERT commit p99 (baseline, median)' }, median(baseline.map((b) => b.p99)), 'ms');
  emit({ ...p, metric: 'durable status updates acknowledged per second (median)' }, rate, 'updates/s', rate / base);
  emit({ ...p, metric: 'status update ack latency p50 (median)' }, median(status.map((s) => s.p50)), 'ms');
  emit({ ...p, metric: 'status update ack latency p99 (median)' }, median(status.map((s) => s.p99)), 'ms');
  emit({ ...p, metric: 'API process CPU per update (median)' }, median(status.map((s) => s.apiUsPerUpdate)), 'us');
  emit({ ...p, metric: 'Postgres CPU per update (median)' }, median(status.map((s) => s.pgUsPerUpdate)), 'us');
}
const cold = all.flatMap((r) => r.cold);
emit({ ...params, metric: 'cold leader start: new process → agents reconciled and a scheduler pass done (median)' }, median(cold.map((c) => c.readyMs)), 'ms');
emit({ ...params, metric: 'cold leader start: new process → all agents reconciled (median)' }, median(cold.map((c) => c.reconciledMs)), 'ms');
emit({ ...params, metric: 'cold leader start: new process → leading (median)' }, median(cold.map((c) => c.leadingMs)), 'ms');
emit({ ...params, metric: 'cold leader start: tasks no longer RUNNING after the takeover (max)' }, Math.max(...cold.map((c) => c.runningBefore - c.runningAfter)), 'tasks');
emit({ ...params, metric: 'cold leader start: tasks launched by the takeover (max)' }, Math.max(...cold.map((c) => c.newTasks)), 'tasks');
emit({ ...params, metric: 'cold leader start: kills sent by the takeover (max)' }, Math.max(...cold.map((c) => c.killsSeen)), 'kills');
emit({ ...params, metric: 'cold leader start: agents reconciled within 120 s (min)' }, Math.min(...cold.map((c) => c.reconciledAgents)), 'agents');
