// One API replica for the benchmarks: exactly what `node apps/api/dist/main.js` runs
// (startApi with a config), in a process of its own, plus an IPC channel through which the
// benchmark asks for what it cannot see from outside (is this replica leading, how many
// scheduler passes has it done, how long did they take). Config: BENCH_API_CONFIG (JSON).
import { dirname, join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const { startApi } = await import(join(root, 'apps/api/dist/server.js'));
const { ApiConfig } = await import(join(root, 'apps/api/dist/config.js'));

const config = ApiConfig.parse(JSON.parse(process.env.BENCH_API_CONFIG ?? '{}'));
const api = await startApi(config);
// How long callbacks wait for the event loop (what every request and query pays on top of its own work).
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
process.send?.({ event: 'listening', url: api.url });

// {cmd:'profile', action:'start'|'stop', file}: a CPU profile of one phase of a benchmark.
let profiler = null;
const post = (method, params = {}) => new Promise((resolve, reject) => profiler.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));

process.on('message', async (message) => {
  if (message.cmd === 'profile') {
    if (message.action === 'start') {
      profiler = new Session();
      profiler.connect();
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 1000 });
      await post('Profiler.start');
    } else if (profiler) {
      const { profile } = await post('Profiler.stop');
      writeFileSync(message.file, JSON.stringify(profile));
      profiler.disconnect();
      profiler = null;
    }
    process.send({ id: message.id });
    return;
  }
  if (message.cmd === 'stats') {
    const passes = typeof api.scheduler.stats === 'function' ? api.scheduler.stats() : null;
    // Wall-clock times too, to compare with other processes' clocks.
    if (passes) {
      passes.lastPassStartedAtWall = passes.lastPassStartedAt === null ? null : performance.timeOrigin + passes.lastPassStartedAt;
      passes.lastPassEndedAtWall = passes.lastPassEndedAt === null ? null : performance.timeOrigin + passes.lastPassEndedAt;
    }
    const loop = { p50: loopDelay.percentile(50) / 1e6, p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
    if (message.resetLoop) loopDelay.reset();
    process.send({ id: message.id, stats: { leader: api.isLeader(), passes, loop, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) } });
  }
});

let closing = false;
const shutdown = () => {
  if (closing) return;
  closing = true;
  api.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);
