// B3-core — the pure part of B3 (end-to-end placement): the services framework's
// `matchOffers` placing B3's workload onto one round of offers. 5,000 agents
// `cpus:32;mem:65536;disk:100000;ports:[31000-32000]` in zones a|b|c and racks r0–r9;
// 1,000 apps × 100 instances of four sizes (0.1 cpu / 32 MiB … 1 cpu / 512 MiB), half
// with one dynamic port, 20 % with a constraint (hostname UNIQUE, @zone GROUP_BY,
// rack MAX_PER 15, @zone LIKE a|b). Every instance fits: the round places 100,000.
//
// Printed: median placements per second over the round (wall clock, and per CPU second —
// the machines are shared) and µs per placement; a second
// shape with one unconstrained app of 10,000 instances (one heap, nothing shared). The
// anchor is B3's end-to-end target of 3,750 placements/s (Nomad C1M); `ratio` is ours ÷
// 3,750 — the headroom left for Postgres, offers and the agent protocol.
import { matchOffers, res } from '../dist/index.js';
import { args, emit, heapUsedMiB, median } from './common.mjs';

const TARGET_PER_S = 3750;
const AGENT = res('cpus:32;mem:65536;disk:100000;ports:[31000-32000]');
const SIZES = [
  [0.1, 32],
  [0.25, 128],
  [0.5, 256],
  [1, 512],
];
const CONSTRAINTS = [
  [{ field: 'hostname', operator: 'UNIQUE' }],
  [{ field: '@zone', operator: 'GROUP_BY', value: '3' }],
  [{ field: 'rack', operator: 'MAX_PER', value: '15' }],
  [{ field: '@zone', operator: 'LIKE', value: 'a|b' }],
];

function offers(agents) {
  const out = [];
  for (let a = 0; a < agents; a++) {
    const id = `agent-${String(a).padStart(5, '0')}`;
    out.push({ id: `offer-${id}`, agentId: id, hostname: id, zone: 'abc'[a % 3], attributes: { rack: `r${a % 10}` }, role: '*', resources: AGENT });
  }
  return out;
}

function spec(k, instances) {
  const [cpus, mem] = SIZES[k % SIZES.length];
  return {
    id: `/bench/app-${String(k).padStart(4, '0')}`,
    version: '2026-01-01T00:00:00.000Z',
    configVersion: '2026-01-01T00:00:00.000Z',
    instances,
    role: '*',
    cpus,
    mem,
    disk: 0,
    gpus: 0,
    ports: k % 2 === 0 ? [0] : [],
    requirePorts: false,
    // 20 %: every fifth app.
    constraints: k % 5 === 0 ? CONSTRAINTS[(k / 5) % CONSTRAINTS.length] : [],
    upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 1 },
    backoff: { backoffSeconds: 1, backoffFactor: 1.15, maxLaunchDelaySeconds: 300 },
    killSelection: 'YOUNGEST_FIRST',
    unreachableStrategy: { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 },
    healthChecked: false,
    readinessChecked: false,
    dependencies: [],
  };
}

// Timed runs force no GC first: a `gc()` just before a round slowed the round itself (the
// one-app shape took 5× as long on the dev machine); the heap is measured in a run of its own.
function runOnce(agents, apps, perApp, measureHeap = false) {
  const candidates = offers(agents);
  // One app alone is app 1: no constraint, no port.
  const requests = Array.from({ length: apps }, (_, k) => ({ spec: spec(apps === 1 ? 1 : k, perApp), count: perApp, placed: [] }));
  const heapBefore = measureHeap ? heapUsedMiB() : 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = matchOffers(requests, candidates);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const heapHeld = measureHeap ? heapUsedMiB() - heapBefore : 0;
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, placed: r.launches.length, unplaced: [...r.unplaced.values()].reduce((a, b) => a + b, 0), heapHeld };
}

const opts = args();
const agents = Number(opts.agents ?? 5000);
const runs = Number(opts.runs ?? 5);
const shapes = [
  { apps: Number(opts.apps ?? 1000), perApp: Number(opts.perApp ?? 100) },
  { apps: 1, perApp: 10_000 },
];
runOnce(500, 50, 20); // warm-up
for (const { apps, perApp } of shapes) {
  const results = [];
  for (let i = 0; i < runs; i++) results.push(runOnce(agents, apps, perApp));
  const params = { agents, apps, instancesPerApp: perApp, constrained: apps === 1 ? 'none' : '20%', runs };
  const perSecond = median(results.map((r) => (r.placed / r.ms) * 1000));
  emit('B3-core', { ...params, metric: 'matchOffers placements per second (median)' }, perSecond, 'placements/s', perSecond / TARGET_PER_S);
  // On a shared machine wall time includes waiting for a core; CPU time (all threads, GC included) does not.
  emit('B3-core', { ...params, metric: 'placements per CPU second (median)' }, median(results.map((r) => (r.placed / r.cpuMs) * 1000)), 'placements/s');
  emit('B3-core', { ...params, metric: 'per placement' }, median(results.map((r) => (r.ms * 1000) / r.placed)), 'us');
  emit('B3-core', { ...params, metric: 'round' }, median(results.map((r) => r.ms)), 'ms');
  emit('B3-core', { ...params, metric: 'placed / unplaced' }, results[0].placed, `placed (${results[0].unplaced} unplaced)`);
  emit('B3-core', { ...params, metric: 'heap held by the result (launches)' }, runOnce(agents, apps, perApp, true).heapHeld, 'MiB');
}
