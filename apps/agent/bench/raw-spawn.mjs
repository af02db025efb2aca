// The physical baseline for B6: a small Node process (the size of an agent) spawning
// the same command as the benchmark's tasks, timed from spawn() to the 'spawn' event.
// Prints one JSON object: latencies (ms) and the sequential rate.
import { spawn } from 'node:child_process';

const n = Number(process.argv[2] ?? 100);
const command = process.argv[3] ?? 'sleep 600';
const latencies = [];
const children = [];
const start = performance.now();
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: 'ignore' });
  await new Promise((resolve, reject) => (child.once('spawn', resolve), child.once('error', reject)));
  latencies.push(performance.now() - t0);
  children.push(child);
}
const elapsedMs = performance.now() - start;
for (const child of children) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // gone
  }
}
console.log(JSON.stringify({ latencies, ratePerSecond: (n * 1000) / elapsedMs }));
