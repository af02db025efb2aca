#!/usr/bin/env node
// `npm run bench -- <name> [args…]`: builds what the benchmark needs, then runs it.
// Each benchmark prints one JSON line per result (see shared/design/BENCHMARKS.md).
// With no name, lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const benches = {
  b1: { workspace: '@gantry/scheduler-core', program: 'packages/scheduler-core/bench/b1-allocation-round.mjs', what: 'allocation round, Mesos DeclineOffers shape' },
  b2: { workspace: '@gantry/scheduler-core', program: 'packages/scheduler-core/bench/b2-drf-quota.mjs', what: 'DRF with quota, Mesos LargeAndSmallQuota shape' },
  'b3-core': { workspace: '@gantry/scheduler-core', program: 'packages/scheduler-core/bench/b3-match-offers.mjs', what: 'services matchOffers: B3 workload (1,000 apps × 100) onto 5,000 offers, pure' },
  // A list of workspaces is built in order (B6 runs the real API, agents and embedded Postgres).
  b6: {
    workspace: ['@gantry/specs', '@gantry/auth', '@gantry/scheduler-core', '@gantry/agent', '@gantry/api', '@gantry/cli'],
    program: 'apps/agent/bench/b6-launch.mjs', what: 'real task launch: submit → RUNNING on the event stream vs raw spawn',
  },
  // B3–B5 run the real API in a process of its own and a simulated agent fleet in another (apps/api/bench).
  b3: {
    workspace: ['@gantry/specs', '@gantry/auth', '@gantry/scheduler-core', '@gantry/api', '@gantry/cli'],
    program: 'apps/api/bench/b3-placement.mjs', what: 'end-to-end placement: 1,000 apps × 100 through /v2 onto 5,000 simulated agents, counted when committed',
  },
  b4: {
    workspace: ['@gantry/specs', '@gantry/auth', '@gantry/scheduler-core', '@gantry/api', '@gantry/cli'],
    program: 'apps/api/bench/b4-status.mjs', what: 'durable status updates from 5,000 simulated agents vs plain 1-row INSERTs; cold leader start with 100k tasks',
  },
  b5: {
    workspace: ['@gantry/specs', '@gantry/auth', '@gantry/scheduler-core', '@gantry/api', '@gantry/cli'],
    program: 'apps/api/bench/b5-api.mjs', what: 'API under B3 load: GET one task, LIST 10k paged by 500, scale at 200/s, vs bare node:http',
  },
  // B8 seeds a large cluster into Postgres and drives the production console in Chromium (e2e/bench).
  b8: {
    workspace: ['@gantry/specs', '@gantry/auth', '@gantry/scheduler-core', '@gantry/api', '@gantry/cli', '@gantry/web'],
    program: 'e2e/bench/b8-console.mjs', what: 'console at scale: 50k tasks, 1k apps, 5k agents; LCP, INP and memory with 4× CPU throttling',
  },
};

const [name, ...rest] = process.argv.slice(2);
const bench = name && benches[name.toLowerCase()];
if (!bench) {
  console.error(`usage: npm run bench -- <name> [--key=value…]\n${Object.entries(benches).map(([k, b]) => `  ${k}  ${b.what}`).join('\n')}`);
  process.exit(name ? 2 : 0);
}

const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// Build output goes to stderr so stdout stays pure JSON lines.
for (const workspace of [bench.workspace].flat()) {
  run('npm', ['run', 'build', '-w', workspace, '--silent'], { stdio: ['ignore', process.stderr, 'inherit'] });
}
run(process.execPath, ['--expose-gc', bench.program, ...rest]);
