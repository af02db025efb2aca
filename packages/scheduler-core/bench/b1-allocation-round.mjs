// B1 — allocation round, the shape of Mesos' `DeclineOffers` benchmark
// (hierarchical_allocator_benchmarks.cpp): agents `cpus:24;mem:4096;disk:4096;
// ports:[31000-32000]` with 16 cpus already used, one framework per role, and every
// offer declined with an infinite filter, so each round offers every agent to the next
// framework that has not refused it yet.
//
// Printed per (agents × frameworks): median allocation-round time, µs per offer, the
// decline (recover + filter) time per round, and the heap the allocator holds. The
// anchor is Mesos' 1.06 s per round at 10k × 1k; `ratio` is ours ÷ Mesos'.
import { HierarchicalAllocator, res } from '../dist/index.js';
import { args, emit, heapUsedMiB, median } from './common.mjs';

const MESOS_ROUND_MS_10K_1K = 1060;
const TOTAL = res('cpus:24;mem:4096;disk:4096;ports:[31000-32000]');
const USED = res('cpus:16;mem:1024;disk:1024;ports:[31000-31099]');

function runOnce(agents, frameworks, rounds) {
  const heapBefore = heapUsedMiB();
  let pending = [];
  const allocator = new HierarchicalAllocator({
    seed: 1,
    onOffers: (fw, list) => {
      for (const a of list) pending.push([fw, a]);
    },
  });
  const fwId = (i) => `framework-${String(i).padStart(5, '0')}`;
  for (let f = 0; f < frameworks; f++) allocator.addFramework({ id: fwId(f), roles: [`role-${f}`] });
  for (let a = 0; a < agents; a++) {
    const f = a % frameworks;
    allocator.addAgent({ id: `agent-${a}`, hostname: `agent-${a}`, resources: TOTAL }, [{ frameworkId: fwId(f), role: `role-${f}`, resources: USED }]);
  }
  const allocMs = [];
  const declineMs = [];
  const perOfferUs = [];
  let now = 0;
  for (let r = 0; r < rounds; r++) {
    pending = [];
    const t0 = performance.now();
    allocator.allocate(now);
    const t1 = performance.now();
    for (const [fw, a] of pending) allocator.recoverResources(fw, a.role, a.agentId, a.resources, Infinity, now);
    const t2 = performance.now();
    allocMs.push(t1 - t0);
    declineMs.push(t2 - t1);
    if (pending.length > 0) perOfferUs.push(((t1 - t0) * 1000) / pending.length);
    now += 1000;
  }
  const heapHeld = heapUsedMiB() - heapBefore;
  return { alloc: median(allocMs), decline: median(declineMs), perOffer: perOfferUs.length ? median(perOfferUs) : NaN, heapHeld, allocator };
}

const opts = args();
const sizes = [1000, 10000].flatMap((a) => [1, 100, 1000].map((f) => [a, f]));
const selected = opts.only ? sizes.filter(([a, f]) => `${a}x${f}` === opts.only) : sizes;
const byShape = new Map();
for (const [agents, frameworks] of selected) {
  const runs = Number(opts.runs ?? (agents * frameworks >= 10_000_000 ? 3 : agents >= 10_000 ? 5 : 9));
  const rounds = Number(opts.rounds ?? 5);
  runOnce(Math.min(agents, 1000), Math.min(frameworks, 100), 2); // warm the JIT
  const results = [];
  for (let i = 0; i < runs; i++) results.push(runOnce(agents, frameworks, rounds));
  const params = { agents, frameworks, rounds, runs };
  const alloc = median(results.map((r) => r.alloc));
  byShape.set(`${agents}x${frameworks}`, alloc);
  const anchorRatio = agents === 10000 && frameworks === 1000 ? alloc / MESOS_ROUND_MS_10K_1K : undefined;
  emit('B1', { ...params, metric: 'allocation round (median)' }, alloc, 'ms', anchorRatio);
  const perOffer = median(results.map((r) => r.perOffer));
  if (Number.isFinite(perOffer)) emit('B1', { ...params, metric: 'allocation per offer' }, perOffer, 'us');
  emit('B1', { ...params, metric: 'decline round (recover + infinite filter)' }, median(results.map((r) => r.decline)), 'ms');
  emit('B1', { ...params, metric: 'heap held by allocator' }, median(results.map((r) => r.heapHeld)), 'MiB');
}
for (const f of [1, 100, 1000]) {
  const small = byShape.get(`1000x${f}`);
  const big = byShape.get(`10000x${f}`);
  if (small && big) emit('B1', { frameworks: f, metric: 'round time 10k agents ÷ 1k agents (linear = 10)' }, big / small, 'x');
}
