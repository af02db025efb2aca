#!/usr/bin/env node
// Seeds a migrated Gantry database for Benchmark B8 (the console at scale): 5,000
// agents, 1,000 apps in 20 teams' groups, 50,000 live tasks spread over the agents,
// each app with a few versions, and recent deployments — written straight into
// Postgres in batched multi-row statements (BENCHMARKS.md: ~200k rows/s that way).
//
//   DATABASE_URL=postgres://… node scripts/seed-b8.mjs [--agents=5000] [--apps=1000] [--tasks=50000]
//
// Deterministic (a seeded PRNG): the same flags give the same cluster. Refuses a
// database that already has apps, so it never mixes with real state.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { parseAppDefinition } from '@gantry/specs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
const AGENTS = Number(args.agents ?? 5000);
const APPS = Number(args.apps ?? 1000);
const TASKS = Number(args.tasks ?? 50000);
const url = process.env.DATABASE_URL;
if (!url) {
  console.error('seed-b8: set DATABASE_URL to a migrated Gantry database');
  process.exit(2);
}

// mulberry32: small, seeded, good enough to spread load.
let seed = 0x8b8b8b8b;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (items) => items[Math.floor(random() * items.length)];
const pad = (n, width) => String(n).padStart(width, '0');

const client = new pg.Client({ connectionString: url });
await client.connect();
const started = Date.now();
try {
  const { rows: [{ n }] } = await client.query('SELECT count(*)::int AS n FROM apps');
  if (n > 0) throw new Error(`the database already holds ${n} apps: seed an empty one`);
  const now = new Date();
  const ago = (ms) => new Date(now.getTime() - ms);

  // ── agents ──
  const agents = [];
  for (let i = 0; i < AGENTS; i++) {
    agents.push({
      id: `b8-agent-${pad(i, 5)}`,
      hostname: `node-${pad(i, 5)}.dc1.example`,
      address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      state: i % 97 === 13 ? 'UNREACHABLE' : 'ACTIVE',
      mode: i % 211 === 7 ? 'DRAINING' : 'UP',
      resources: { cpus: 32, mem: 131072, disk: 1_048_576, ports: [[31000, 32999]] },
      used: { cpus: 0, mem: 0, disk: 0, ports: [] },
      attributes: { zone: 'abc'[i % 3], rack: `r-${pad(i % 50, 2)}`, ...(i % 10 === 0 ? { gpu: 'none' } : {}) },
    });
  }

  // ── apps: /team-NN/<tier>/svc-NNN, definitions normalized by the API's own parser ──
  const tiers = ['web', 'api', 'workers', 'data'];
  const apps = [];
  for (let i = 0; i < APPS; i++) {
    const team = `team-${pad(i % 20, 2)}`;
    const id = `/${team}/${tiers[Math.floor(i / 20) % tiers.length]}/svc-${pad(i, 4)}`;
    const instances = Math.max(1, Math.round(TASKS / APPS));
    const parsed = parseAppDefinition({
      id, cmd: `exec python3 -m http.server $PORT0 # ${id}`, cpus: pick([0.1, 0.25, 0.5, 1]), mem: pick([64, 128, 256, 512]), disk: pick([0, 0, 100]),
      instances, labels: { team, tier: tiers[i % tiers.length], ...(i % 7 === 0 ? { HAPROXY_GROUP: 'external' } : {}) },
      env: { LOG_LEVEL: pick(['info', 'debug']) },
      constraints: i % 5 === 0 ? [['zone', 'GROUP_BY', '3']] : [],
      healthChecks: i % 3 === 0 ? [] : [{ protocol: 'MESOS_HTTP', path: '/', portIndex: 0 }],
      portDefinitions: [{ port: 10000 + i, name: 'http', protocol: 'tcp' }],
    }, { mode: 'create' });
    if (!parsed.ok) throw new Error(`seed definition of ${id} is invalid: ${JSON.stringify(parsed.error)}`);
    const created = ago(30 * 86_400_000 * random() + 3_600_000);
    const versions = [created, new Date(created.getTime() + 60_000), new Date(created.getTime() + 120_000)];
    apps.push({ id, app: parsed.app, versions, created });
  }

  // ── tasks: each app's instances on distinct reachable agents ──
  const reachable = agents.filter((a) => a.state === 'ACTIVE');
  const tasks = [];
  let cursor = 0;
  for (const a of apps) {
    for (let k = 0; k < a.app.instances && tasks.length < TASKS; k++) {
      const agent = reachable[(cursor++ * 7919) % reachable.length];
      const port = 31000 + (cursor % 2000);
      const version = a.versions.at(-1).toISOString();
      const spec = {
        taskId: `${a.id.slice(1).split('/').join('_')}.instance-${randomUUID()}._app.1`, appId: a.id, appVersion: version,
        cmd: a.app.cmd, env: a.app.env, resources: { cpus: a.app.cpus, mem: a.app.mem, disk: a.app.disk, ports: [port] },
        cpuLimit: false, killGracePeriodSeconds: 3, healthChecks: [], readinessChecks: [], volumes: [],
      };
      const checked = a.app.healthChecks.length > 0;
      const roll = random();
      const state = roll < 0.004 ? 'TASK_STAGING' : roll < 0.006 ? 'TASK_KILLING' : 'TASK_RUNNING';
      const startedAt = ago(86_400_000 * random());
      tasks.push({
        id: spec.taskId, agentId: agent.id, appId: a.id, state, spec, configVersion: version,
        healthy: checked && state === 'TASK_RUNNING' ? roll > 0.015 : null,
        message: checked && roll <= 0.015 && state === 'TASK_RUNNING' ? 'HTTP GET / on port ' + port + ' answered 503' : null,
        createdAt: startedAt, startedAt: state === 'TASK_STAGING' ? null : startedAt,
      });
      agent.used.cpus += a.app.cpus;
      agent.used.mem += a.app.mem;
      agent.used.disk += a.app.disk;
      agent.used.ports.push([port, port]);
    }
  }

  await client.query('BEGIN');
  const batch = async (rows, size, insert) => {
    for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
  };
  const col = (rows, f) => rows.map(f);
  await batch(agents, 1000, (rows) => client.query(
    `INSERT INTO agents (id, hostname, address, state, mode, resources, used, attributes, agent_version, registered_at, last_heartbeat_at, epoch)
     SELECT id, h, addr, s::"NodeState", m::"NodeMode", r, u, at, '0.1.0', $9, $9, 1
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::jsonb[], $8::jsonb[]) AS v(id, h, addr, s, m, r, u, at)`,
    [col(rows, (a) => a.id), col(rows, (a) => a.hostname), col(rows, (a) => a.address), col(rows, (a) => a.state), col(rows, (a) => a.mode),
      col(rows, (a) => JSON.stringify(a.resources)), col(rows, (a) => JSON.stringify({ ...a.used, cpus: Math.round(a.used.cpus * 1000) / 1000 })),
      col(rows, (a) => JSON.stringify(a.attributes)), now],
  ));
  await batch(apps, 500, (rows) => client.query(
    `INSERT INTO apps (id, definition, version, last_scaling_at, last_config_change_at, created_at)
     SELECT id, d, v, v, v, c FROM unnest($1::text[], $2::jsonb[], $3::timestamptz[], $4::timestamptz[]) AS x(id, d, v, c)`,
    [col(rows, (a) => a.id), col(rows, (a) => JSON.stringify(a.app)), col(rows, (a) => a.versions.at(-1)), col(rows, (a) => a.created)],
  ));
  const versions = apps.flatMap((a) => a.versions.map((v, i) => ({ appId: a.id, version: v, definition: { ...a.app, instances: i === 0 ? 1 : a.app.instances } })));
  await batch(versions, 1000, (rows) => client.query(
    `INSERT INTO app_versions (app_id, version, last_config_change_at, definition)
     SELECT a, v, v, d FROM unnest($1::text[], $2::timestamptz[], $3::jsonb[]) AS x(a, v, d)`,
    [col(rows, (r) => r.appId), col(rows, (r) => r.version), col(rows, (r) => JSON.stringify(r.definition))],
  ));
  await batch(tasks, 2000, (rows) => client.query(
    `INSERT INTO tasks (id, agent_id, app_id, state, healthy, message, spec, config_version, role, created_at, updated_at, started_at, epoch)
     SELECT id, ag, ap, s::"TaskState", h, msg, sp, cv, '*', c, c, st, 1
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bool[], $6::text[], $7::jsonb[], $8::text[], $9::timestamptz[], $10::timestamptz[])
       AS v(id, ag, ap, s, h, msg, sp, cv, c, st)`,
    [col(rows, (t) => t.id), col(rows, (t) => t.agentId), col(rows, (t) => t.appId), col(rows, (t) => t.state), col(rows, (t) => t.healthy),
      col(rows, (t) => t.message), col(rows, (t) => JSON.stringify(t.spec)), col(rows, (t) => t.configVersion), col(rows, (t) => t.createdAt),
      col(rows, (t) => t.startedAt)],
  ));
  // Recent deployments: finished scale-ups of the first few apps.
  const deployments = apps.slice(0, 20).map((a, i) => ({
    id: randomUUID(), version: a.versions.at(-1), apps: [a.id], steps: [[{ action: 'ScaleApplication', app: a.id }]],
    createdAt: ago(60_000 * (i + 1)), finishedAt: ago(60_000 * (i + 1) - 20_000),
  }));
  await client.query(
    `INSERT INTO deployments (id, version, status, affected_apps, steps, current_step, original, target, created_at, finished_at)
     SELECT id, v, 'SUCCEEDED', ARRAY[a], s, 1, '{}'::jsonb, '{}'::jsonb, c, f
     FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::jsonb[], $5::timestamptz[], $6::timestamptz[]) AS x(id, v, a, s, c, f)`,
    [col(deployments, (d) => d.id), col(deployments, (d) => d.version), col(deployments, (d) => d.apps[0]), col(deployments, (d) => JSON.stringify(d.steps)),
      col(deployments, (d) => d.createdAt), col(deployments, (d) => d.finishedAt)],
  );
  await client.query('COMMIT');
  await client.query('ANALYZE agents; ANALYZE apps; ANALYZE tasks; ANALYZE app_versions; ANALYZE deployments');
  console.error(`seed-b8: ${agents.length} agents, ${apps.length} apps (${versions.length} versions), ${tasks.length} tasks in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (error) {
  await client.query('ROLLBACK').catch(() => undefined);
  console.error(`seed-b8: ${error.message}`);
  process.exitCode = 1;
} finally {
  await client.end();
}
