// B3 — end-to-end placement (shared/design/BENCHMARKS.md). A real API process on
// embedded Postgres; 5,000 simulated agents (sim-agents.mjs, another process) over real
// WebSocket connections; 1,000 apps × 100 instances, 20 % with a constraint, submitted
// through Marathon's `PUT /v2/apps` in arrays of 10 by 4 concurrent clients. A placement counts when its task row
// is committed STAGING in Postgres (seen on the event stream: NOTIFY is delivered at
// commit); the time to RUNNING (the agents' updates committed) is reported beside it.
// Clock: from the first PUT to the last commit. Target ≥ 3,750 placements/s on 2 cores.
//
//   npm run bench -- b3 [--agents=5000] [--apps=1000] [--instances=100] [--batch=10] [--submitters=4] [--runs=1]
//                       [--prof=<dir>]  (CPU profile of the API process, written when it stops)
import {
  args, commitWatcher, cpuSeconds, emitter, httpClient, logger, machine, median, querySql, sleep, startApiProcess, startPostgres, startSim,
  workloadApps,
} from './lib.mjs';

const opts = args({ agents: 5000, apps: 1000, instances: 100, batch: 10, submitters: 4, runs: 1, timeoutS: 600, prof: '', verbose: 0, statements: 0 });
const emit = emitter('b3');
const log = logger('b3');
const TARGET = 3750;

async function runOnce(run) {
  const cleanups = [];
  try {
    // --statements=1: Postgres counts every statement (pg_stat_statements), printed at the end.
    const pg = await startPostgres('b3', opts.statements ? { shared_preload_libraries: 'pg_stat_statements' } : {});
    if (opts.statements) await querySql(pg.url, 'CREATE EXTENSION pg_stat_statements');
    cleanups.unshift(() => pg.stop());
    const api = await startApiProcess({
      databaseUrl: pg.url, port: 0, log: (l) => /failed|error/i.test(l) && log(l),
      nodeArgs: opts.prof ? ['--cpu-prof', `--cpu-prof-dir=${opts.prof}`] : [],
    });
    cleanups.unshift(() => api.stop());
    await api.waitLeader();
    const tSim = performance.now();
    const sim = startSim({ master: api.url, agents: opts.agents, log: (l) => /refused|HTTP/.test(l) && log(l) });
    cleanups.unshift(() => sim.stop());
    await sim.connected;
    const connectedAt = performance.now();
    log(`run ${run}: ${opts.agents} agents registered and reconciled in ${((connectedAt - tSim) / 1000).toFixed(1)} s`);
    // The allocator takes agents in on the scheduler's next pass.
    while (((await api.ask({ cmd: 'stats' })).passes?.lastPassStartedAt ?? 0) < connectedAt) await sleep(50);

    const watcher = await commitWatcher(pg.url, '/b3/');
    cleanups.unshift(() => watcher.close());
    const client = httpClient(api.url, { connections: opts.submitters });
    await client.login();
    const apps = workloadApps({ apps: opts.apps, instances: opts.instances, group: '/b3' });
    const total = opts.apps * opts.instances;

    const cpu0 = { api: cpuSeconds(api.pid), pg: pg.cpuSeconds(), sim: cpuSeconds(sim.pid) };
    // --verbose=2: what Postgres is doing, every second (which statements run, which wait and on what).
    const activity = opts.verbose >= 2 ? setInterval(async () => {
      const rows = await querySql(pg.url, `SELECT state, wait_event_type AS wt, wait_event AS w, now() - xact_start AS age, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS q
        FROM pg_stat_activity WHERE datname = 'gantry' AND pid <> pg_backend_pid() AND state <> 'idle' ORDER BY xact_start`).catch(() => []);
      log(`  pg: ${rows.length} busy: ${rows.map((r) => `[${r.state}${r.wt ? ` ${r.wt}/${r.w}` : ''} ${r.age ? `${Math.round((r.age.seconds ?? 0) * 1000 + (r.age.milliseconds ?? 0))}ms` : ''}] ${r.q}`).join(' | ')}`);
    }, 1000) : null;
    if (activity) cleanups.unshift(async () => clearInterval(activity));
    const t0 = performance.now();
    let retries = 0;
    let next = 0;
    const submitter = async () => {
      while (next < apps.length) {
        const i = next;
        next += opts.batch;
        for (let attempt = 1; ; attempt++) {
          const tPut = performance.now();
          const r = await client.call('PUT', '/v2/apps', apps.slice(i, i + opts.batch));
          if (opts.verbose) log(`  PUT ${i}: ${r.status} in ${(performance.now() - tPut).toFixed(0)} ms`);
          if (r.status === 200) break;
          // A PUT of app definitions is idempotent: one that failed (e.g. its transaction ran past
          // Prisma's 5 s under load) is sent again, and counted.
          if (r.status !== 500 || attempt >= 10) throw new Error(`PUT /v2/apps answered ${r.status}: ${JSON.stringify(r.json).slice(0, 500)}`);
          retries++;
          log(`  PUT of apps ${i}–${i + opts.batch - 1} answered 500 after ${(performance.now() - tPut).toFixed(0)} ms; sending it again`);
        }
      }
    };
    await Promise.all(Array.from({ length: opts.submitters }, submitter));
    const submittedMs = performance.now() - t0;
    log(`run ${run}: ${opts.apps} apps submitted in ${(submittedMs / 1000).toFixed(2)} s`);
    const deadline = Date.now() + opts.timeoutS * 1000;
    const progress = setInterval(async () => {
      const [stats, fleet] = await Promise.all([api.ask({ cmd: 'stats', resetLoop: true }), sim.ask({ cmd: 'stats' })]);
      log(`  ${((performance.now() - t0) / 1000).toFixed(1)} s: ${watcher.staged.size} staged, ${watcher.running.size} running; ` +
        `API event loop delay p50 ${stats.loop.p50.toFixed(0)} ms p99 ${stats.loop.p99.toFixed(0)} ms; passes ${stats.passes.passes} (last ${stats.passes.lastPassMs?.toFixed(0)} ms); ` +
        `fleet: ${fleet.registered} registered, launches ${fleet.launches}, updates sent ${fleet.updatesSent} (${fleet.resent} again) acked ${fleet.updatesAcked}, in flight ${fleet.inFlight}, disconnects ${fleet.disconnects} ${JSON.stringify(fleet.closes)}`);
    }, 5000);
    cleanups.unshift(async () => clearInterval(progress));
    while (watcher.running.size < total && Date.now() < deadline) await sleep(100);
    const cpu = { api: cpuSeconds(api.pid) - cpu0.api, pg: pg.cpuSeconds() - cpu0.pg, sim: cpuSeconds(sim.pid) - cpu0.sim };
    const last = (m) => Math.max(...m.values()) - t0;
    const stagedMs = watcher.staged.size === total ? last(watcher.staged) : NaN;
    const runningMs = watcher.running.size === total ? last(watcher.running) : NaN;
    const [row] = await querySql(pg.url, `SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'TASK_RUNNING')::int AS running FROM tasks WHERE app_id LIKE '/b3/%'`);
    const stats = await api.ask({ cmd: 'stats' });
    if (opts.statements) {
      const top = await querySql(pg.url, `SELECT calls, round(total_exec_time)::int AS ms, rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q
        FROM pg_stat_statements ORDER BY calls DESC LIMIT 25`);
      for (const r of top) log(`  pg ${String(r.calls).padStart(8)} calls ${String(r.ms).padStart(7)} ms ${String(r.rows).padStart(8)} rows  ${r.q}`);
    }
    const result = {
      stagedMs, runningMs, submittedMs, retries, rows: row.n, runningRows: row.running, cpu, passes: stats.passes, load: machine().loadavg,
      half: [...watcher.staged.values()].sort((a, b) => a - b)[Math.floor(total / 2)] - t0,
    };
    log(`run ${run}: ${retries} PUT(s) retried; staged ${total} in ${(stagedMs / 1000).toFixed(2)} s, running in ${(runningMs / 1000).toFixed(2)} s; rows ${row.n} (${row.running} running); ` +
      `cpu s api ${cpu.api.toFixed(1)} pg ${cpu.pg.toFixed(1)} sim ${cpu.sim.toFixed(1)}; passes ${stats.passes?.passes}; phases ${JSON.stringify(Object.fromEntries(Object.entries(stats.passes?.phases ?? {}).map(([k, v]) => [k, Math.round(v)])))}`);
    client.close();
    return result;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

const results = [];
for (let run = 1; run <= opts.runs; run++) results.push(await runOnce(run));
const total = opts.apps * opts.instances;
const params = { agents: opts.agents, apps: opts.apps, instancesPerApp: opts.instances, constrained: '20%', batch: opts.batch, submitters: opts.submitters, runs: opts.runs, ...machine() };
const rate = (ms) => (total * 1000) / ms;
const staged = median(results.map((r) => rate(r.stagedMs)));
emit({ ...params, metric: 'placements committed STAGING per second (median)' }, staged, 'placements/s', staged / TARGET);
emit({ ...params, metric: 'placements RUNNING per second (median)' }, median(results.map((r) => rate(r.runningMs))), 'placements/s', median(results.map((r) => rate(r.runningMs))) / TARGET);
emit({ ...params, metric: 'submit → all staged (median)' }, median(results.map((r) => r.stagedMs)), 'ms');
emit({ ...params, metric: 'submit → half staged (median)' }, median(results.map((r) => r.half)), 'ms');
emit({ ...params, metric: 'submit → all running (median)' }, median(results.map((r) => r.runningMs)), 'ms');
emit({ ...params, metric: 'PUT /v2/apps of every app (median)' }, median(results.map((r) => r.submittedMs)), 'ms');
emit({ ...params, metric: 'API process CPU per placement (to running, median)' }, median(results.map((r) => (r.cpu.api * 1e6) / total)), 'us');
emit({ ...params, metric: 'Postgres CPU per placement (to running, median)' }, median(results.map((r) => (r.cpu.pg * 1e6) / total)), 'us');
emit({ ...params, metric: 'simulated fleet CPU per placement (to running, median)' }, median(results.map((r) => (r.cpu.sim * 1e6) / total)), 'us');
