// B5 — the API under load (shared/design/BENCHMARKS.md). While B3's workload is being
// placed (1,000 apps × 100 through /v2 onto 5,000 simulated agents, sim-agents.mjs) and a
// mutating load scales apps at 200/s (`PUT /v2/apps/<id>?force=true {instances}` on apps of
// their own, open loop: a request every 5 ms whatever the answers), the benchmark measures
//
//   GET one task        GET /v1/tasks/:id, closed loop over `connections` keep-alive sockets
//   LIST 10k tasks      GET /v1/tasks?limit=500&after=… walked 20 pages deep (10,000 tasks)
//
// against the API and against a bare node:http server answering the same shapes from
// memory (bare-http.mjs, its own process), in alternating 2 s slices so that both see the
// same background load. ratio = API ÷ bare. Targets: reads ≥ 50 % of bare; every p99 10×
// under Kubernetes' SLO (≤ 100 ms for a GET or a mutation, ≤ 3 s for the cluster-wide list).
//
//   npm run bench -- b5 [--agents=5000] [--apps=1000] [--instances=100] [--connections=16] [--rounds=4] [--scaleRate=200]
//                       [--scaleApps=50] [--prof=<dir>]  (CPU profile of the API process over the measured slices)
import { fork } from 'node:child_process';
import { join } from 'node:path';
import {
  args, commitWatcher, emitter, here, httpClient, logger, machine, median, percentile, querySql, sleep, startApiProcess,
  startPostgres, startSim, workloadApps,
} from './lib.mjs';

const opts = args({ agents: 5000, apps: 1000, instances: 100, connections: 16, rounds: 4, sliceMs: 2000, scaleRate: 200, scaleApps: 50, runs: 1, prof: '' });
const emit = emitter('b5');
const log = logger('b5');

/** `connections` workers, each sending `request()` back to back for `ms`. */
async function closedLoop(connections, ms, request) {
  const latencies = [];
  let errors = 0;
  const until = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      const t = performance.now();
      const ok = await request().catch(() => false);
      if (ok) latencies.push(performance.now() - t);
      else errors++;
    }
  }));
  return { count: latencies.length, ms: performance.now() - t0, latencies, errors };
}

function startBare() {
  const child = fork(join(here, 'bare-http.mjs'), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    child.stdout.once('data', (d) => resolve({ url: `http://127.0.0.1:${JSON.parse(String(d)).port}`, stop: async () => child.kill('SIGTERM') }));
  });
}

async function runOnce(run) {
  const cleanups = [];
  try {
    const pg = await startPostgres('b5');
    cleanups.unshift(() => pg.stop());
    const api = await startApiProcess({ databaseUrl: pg.url, port: 0, log: (l) => /failed|error/i.test(l) && log(l) });
    cleanups.unshift(() => api.stop());
    await api.waitLeader();
    const bare = await startBare();
    cleanups.unshift(() => bare.stop());
    const sim = startSim({ master: api.url, agents: opts.agents, log: (l) => /refused|HTTP/.test(l) && log(l) });
    cleanups.unshift(() => sim.stop());
    await sim.connected;

    const admin = httpClient(api.url, { connections: 4 });
    const token = await admin.login();
    // The apps the mutating load scales: small, of their own, running before it starts.
    const scaleIds = Array.from({ length: opts.scaleApps }, (_, i) => `/b5scale/app-${String(i).padStart(3, '0')}`);
    const put = await admin.call('PUT', '/v2/apps', scaleIds.map((id) => ({ id, cmd: 'sleep 3600', cpus: 0.01, mem: 16, instances: 1, portDefinitions: [] })));
    if (put.status !== 200) throw new Error(`creating the scaled apps answered ${put.status}`);

    // ── the B3 workload, submitted in the background ──
    const total = opts.apps * opts.instances;
    const watcher = await commitWatcher(pg.url, '/b5/');
    cleanups.unshift(() => watcher.close());
    const apps = workloadApps({ apps: opts.apps, instances: opts.instances, group: '/b5' });
    let next = 0;
    const submitting = Promise.all(Array.from({ length: 4 }, async () => {
      while (next < apps.length) {
        const i = next;
        next += 10;
        for (let attempt = 1; attempt <= 10; attempt++) if ((await admin.call('PUT', '/v2/apps', apps.slice(i, i + 10))).status === 200) break;
      }
    }));
    // LIST 10k needs 10k tasks to list.
    while (watcher.staged.size < 10_000) await sleep(100);
    const ids = (await querySql(pg.url, `SELECT id FROM tasks WHERE app_id LIKE '/b5/%' ORDER BY random() LIMIT 1000`)).map((r) => r.id);

    // ── scale at 200/s, open loop, for the whole measurement ──
    const scaler = httpClient(api.url, { connections: 128, token });
    // Latency is from when a request was due, not when a socket took it (no coordinated
    // omission: a request queued behind slow ones waits on the clock). Requests still
    // unanswered when the measurement ends are aborted and counted as such, not waited for
    // (an API that falls behind would otherwise have the benchmark drain its backlog).
    const scale = { sent: 0, latencies: [], errors: 0, unanswered: 0, statuses: {}, ms: 0 };
    let scaling = true;
    const inFlight = new Set();
    const abortScale = new AbortController();
    const scaleLoop = (async () => {
      const every = 1000 / opts.scaleRate;
      const t0 = performance.now();
      for (let k = 0; scaling; k++) {
        const due = t0 + k * every;
        const wait = due - performance.now();
        // Behind schedule, the missed requests go out at once, as an open-loop generator's do;
        // but the loop yields each time, so the measurement around it keeps its own clock.
        await sleep(Math.max(0, wait));
        const id = scaleIds[k % scaleIds.length];
        const instances = 1 + (Math.floor(k / scaleIds.length) % 2);
        scale.sent++;
        const p = scaler.call('PUT', `/v2/apps${id}?force=true`, { instances }, { signal: abortScale.signal }).then((r) => {
          scale.statuses[r.status] = (scale.statuses[r.status] ?? 0) + 1;
          if (r.status === 200) scale.latencies.push(performance.now() - due);
          else scale.errors++;
        }, () => (abortScale.signal.aborted ? scale.unanswered++ : scale.errors++)).finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      scale.ms = performance.now() - t0;
    })();

    // ── alternating slices: GET and LIST, API and bare ──
    const apiReads = httpClient(api.url, { connections: opts.connections, token });
    const bareReads = httpClient(bare.url, { connections: opts.connections });
    const getApi = async () => (await apiReads.call('GET', `/v1/tasks/${encodeURIComponent(ids[Math.floor(Math.random() * ids.length)])}`)).status === 200;
    const getBare = async () => (await bareReads.call('GET', '/task')).status === 200;
    // One walk = 20 pages of 500: 10,000 tasks. Latency per page; each walk timed whole too.
    const walks = { api: [], bare: [] };
    const walker = (client, path, into) => async () => {
      let after = null;
      const t0 = performance.now();
      for (let page = 0; page < 20; page++) {
        const r = await client.call('GET', `${path}?limit=500${after ? `&after=${encodeURIComponent(after)}` : ''}`);
        if (r.status !== 200 || r.json.tasks.length === 0) return false;
        after = r.json.next;
        if (!after) break;
      }
      into.push(performance.now() - t0);
      return true;
    };
    const slices = { getApi: [], getBare: [], listApi: [], listBare: [] };
    const underLoad = { measured: 0, whilePlacing: 0 };
    if (opts.prof) await api.ask({ cmd: 'profile', action: 'start' });
    for (let round = 0; round < opts.rounds; round++) {
      for (const [name, fn, connections] of [
        ['getApi', getApi, opts.connections], ['getBare', getBare, opts.connections],
        ['listApi', walker(apiReads, '/v1/tasks', walks.api), 4], ['listBare', walker(bareReads, '/tasks', walks.bare), 4],
      ]) {
        underLoad.measured++;
        if (watcher.running.size < total) underLoad.whilePlacing++;
        slices[name].push(await closedLoop(connections, opts.sliceMs, fn));
      }
      log(`run ${run}, round ${round + 1}: ${watcher.staged.size} staged, ${watcher.running.size} running; scale ${scale.sent} sent ${JSON.stringify(scale.statuses)}`);
    }
    if (opts.prof) await api.ask({ cmd: 'profile', action: 'stop', file: `${opts.prof}/b5-api-run${run}.cpuprofile` });
    scaling = false;
    await scaleLoop;
    abortScale.abort();
    await Promise.all(inFlight);
    await submitting;
    for (const c of [admin, scaler, apiReads, bareReads]) c.close();

    const sum = (list) => ({ count: list.reduce((a, s) => a + s.count, 0), ms: list.reduce((a, s) => a + s.ms, 0), latencies: list.flatMap((s) => s.latencies), errors: list.reduce((a, s) => a + s.errors, 0) });
    const r = Object.fromEntries(Object.entries(slices).map(([k, v]) => [k, sum(v)]));
    const result = {
      getApi: (r.getApi.count * 1000) / r.getApi.ms, getBare: (r.getBare.count * 1000) / r.getBare.ms,
      getApiP99: percentile(r.getApi.latencies, 99), getBareP99: percentile(r.getBare.latencies, 99),
      walkApi: (r.listApi.count * 1000) / r.listApi.ms, walkBare: (r.listBare.count * 1000) / r.listBare.ms,
      walkApiP99: percentile(walks.api, 99), walkBareP99: percentile(walks.bare, 99), walkApiP50: percentile(walks.api, 50),
      scaleRate: (scale.latencies.length * 1000) / scale.ms, scaleP99: percentile(scale.latencies, 99), scaleP50: percentile(scale.latencies, 50),
      scaleErrors: scale.errors, scaleUnanswered: scale.unanswered, scaleSent: scale.sent, errors: r.getApi.errors + r.listApi.errors,
      measuredMs: scale.ms,
      whilePlacing: underLoad.whilePlacing / underLoad.measured,
    };
    log(`run ${run}: GET ${result.getApi.toFixed(0)}/s (p99 ${result.getApiP99.toFixed(1)} ms) vs bare ${result.getBare.toFixed(0)}/s; ` +
      `10k-task walk ${result.walkApi.toFixed(2)}/s (p50 ${result.walkApiP50.toFixed(0)} ms, p99 ${result.walkApiP99.toFixed(0)} ms) vs bare ${result.walkBare.toFixed(2)}/s; ` +
      `scale ${result.scaleRate.toFixed(0)}/s answered 200 (p50 ${result.scaleP50.toFixed(0)} ms, p99 ${result.scaleP99.toFixed(0)} ms) of ${result.scaleSent} sent in ${(result.measuredMs / 1000).toFixed(1)} s, ` +
      `${result.scaleErrors} answered otherwise ${JSON.stringify(scale.statuses)}, ${result.scaleUnanswered} unanswered at the end; read errors ${result.errors}; ` +
      `${(result.whilePlacing * 100).toFixed(0)} % of slices while B3's placement was under way`);
    return result;
  } finally {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
  }
}

const results = [];
for (let run = 1; run <= opts.runs; run++) results.push(await runOnce(run));
const params = { agents: opts.agents, apps: opts.apps, instancesPerApp: opts.instances, connections: opts.connections, rounds: opts.rounds, runs: opts.runs, ...machine() };
const m = (k) => median(results.map((r) => r[k]));
emit({ ...params, metric: 'GET one task, requests per second (median)' }, m('getApi'), 'req/s', m('getApi') / m('getBare'));
emit({ ...params, metric: 'GET one task from bare node:http, requests per second (median)' }, m('getBare'), 'req/s');
emit({ ...params, metric: 'GET one task p99 (median)' }, m('getApiP99'), 'ms', m('getApiP99') / 1000);
emit({ ...params, metric: 'LIST 10k tasks paged by 500, walks per second (median)' }, m('walkApi'), 'walks/s', m('walkApi') / m('walkBare'));
emit({ ...params, metric: 'LIST 10k tasks from bare node:http, walks per second (median)' }, m('walkBare'), 'walks/s');
emit({ ...params, metric: 'LIST 10k tasks p99, whole walk (median)' }, m('walkApiP99'), 'ms', m('walkApiP99') / 30_000);
emit({ ...params, metric: 'scale (PUT /v2/apps/{id}?force=true) answered 200 per second, 200/s offered (median)' }, m('scaleRate'), 'req/s', m('scaleRate') / opts.scaleRate);
emit({ ...params, metric: 'scale p99 (median)' }, m('scaleP99'), 'ms', m('scaleP99') / 1000);
emit({ ...params, metric: 'scale requests answered with an error (median)' }, m('scaleErrors'), 'requests');
emit({ ...params, metric: 'scale requests still unanswered when the measurement ended (median)' }, m('scaleUnanswered'), 'requests');
emit({ ...params, metric: 'scale requests sent (median)' }, m('scaleSent'), 'requests');
emit({ ...params, metric: 'GET and LIST requests that failed (median)' }, m('errors'), 'requests');
emit({ ...params, metric: 'share of slices measured while B3 placement was under way (median)' }, m('whilePlacing'), 'fraction');
