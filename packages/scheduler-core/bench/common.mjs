// Shared helpers for the scheduler-core benchmarks: one JSON line per result, medians
// over repeated runs, and heap held (needs `node --expose-gc`).
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function emit(bench, params, value, unit, ratio) {
  const line = { bench, params, value: Number(value.toFixed(3)), unit };
  if (ratio !== undefined) line.ratio = Number(ratio.toFixed(4));
  console.log(JSON.stringify(line));
}

export function heapUsedMiB() {
  if (typeof globalThis.gc === 'function') {
    globalThis.gc();
    globalThis.gc();
  }
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

/** `--only=10000x1000` style filters and `--runs=N` from argv. */
export function args() {
  const out = {};
  for (const a of process.argv.slice(2)) {
    const m = /^--([^=]+)=(.*)$/.exec(a);
    if (m) out[m[1]] = m[2];
  }
  return out;
}
