/**
 * The built-in repository: every package validates, renders with its defaults and with
 * custom options into a valid service definition, and the stateful ones drive the scheduler
 * core's reconciler to a placement whose operations the offer protocol accepts. `hello` is
 * also run for real: its rendered command serves its greeting.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { applyOperations, reconcileStatefulService, res, resolveOfferOperations, type StatefulLaunchPayload, type StatefulServiceSpec } from '@gantry/scheduler-core';
import { missingPrograms } from './host-requirements.js';
import { renderPackage, type RenderResult } from './render.js';
import { findPackage, readRepository, searchPackages } from './repository.js';
import { BUILTIN_DIR, readTree } from './testing/read-tree.js';

const { index, problems } = readRepository('builtin', readTree(BUILTIN_DIR));
const PG_BIN = '/opt/pg/bin';
const context = { gantry: { binaries: { postgres: PG_BIN } }, source: 'builtin' };

function stateful(r: RenderResult): StatefulServiceSpec {
  if (!r.ok || r.kind !== 'stateful') throw new Error(JSON.stringify(r));
  // Compile-time conformance: the boundary schema's output is the core's spec minus its configId.
  const spec: StatefulServiceSpec = { ...r.definition, configId: 'v1' };
  return spec;
}

/** The first pass places the pod: RESERVE, CREATE, LAUNCH on one offer, accepted by the offer protocol. */
function placeFirstPod(spec: StatefulServiceSpec) {
  const d = reconcileStatefulService({ spec, plans: [], instances: [], agents: [{ id: 'a1', hostname: 'a1', reachable: true }], now: 0 });
  expect(d.needs).toHaveLength(1);
  const offer = { id: 'o1', agentId: 'a1', hostname: 'a1', role: spec.role, resources: res('cpus:4;mem:8192;disk:20000;ports:[31000-31100]') };
  const resolved = resolveOfferOperations(d.needs[0]!, offer);
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.rejections));
  expect(resolved.operations.map((o) => o.type)).toEqual(['RESERVE', 'CREATE', 'LAUNCH']);
  expect(applyOperations(offer.resources, resolved.operations, { role: spec.role }).ok).toBe(true);
  return { need: d.needs[0]!, payload: resolved.launched[0]!.payload as StatefulLaunchPayload, reservation: resolved.reservation! };
}

describe('built-in repository', () => {
  it('holds hello, nginx, postgresql and redis, all valid', () => {
    expect(problems).toEqual([]);
    expect(searchPackages(index).map((p) => [p.name, p.kind])).toEqual([
      ['hello', 'marathon'],
      ['nginx', 'marathon'],
      ['postgresql', 'stateful'],
      ['redis', 'stateful'],
    ]);
    expect(searchPackages(index, 'database').map((p) => p.name)).toEqual(['postgresql', 'redis']);
  });

  it('declares what each needs from the host, and names what to install', () => {
    const redis = findPackage(index, 'redis')!;
    expect(missingPrograms(redis, (p) => p !== 'redis-server')).toEqual([
      { program: 'redis-server', message: 'redis needs redis-server, which is not on this host: install Redis on every agent (Debian: apt-get install redis-server)' },
    ]);
    const pg = findPackage(index, 'postgresql')!;
    expect(pg.gantry.binaries).toEqual(['postgres']);
    const r = renderPackage(pg, {}, {});
    expect(!r.ok && r.error.kind).toBe('MissingPrograms');
    expect(findPackage(index, 'nginx')!.gantry.requires).toEqual(['nginx']);
    expect(findPackage(index, 'hello')!.gantry.requires).toEqual(['node']);
  });
});

describe('hello', () => {
  const pkg = findPackage(index, 'hello')!;

  it('renders a valid Marathon app with defaults and with options', () => {
    const d = renderPackage(pkg, {}, context);
    expect(d.ok && d.kind === 'marathon' && d.app).toMatchObject({ id: '/hello', instances: 1, cpus: 0.1, mem: 64, env: { GREETING: 'Hello from Gantry!' } });
    const c = renderPackage(pkg, { service: { name: '/team/hi', instances: 3 }, hello: { greeting: 'Grüß "dich"\n$HOME' } }, context);
    expect(c.ok && c.kind === 'marathon' && c.app).toMatchObject({ id: '/team/hi', instances: 3, env: { GREETING: 'Grüß "dich"\n$HOME' } });
    const bad = renderPackage(pkg, { service: { instances: -1 }, hello: { greeting: '' } }, context);
    expect(!bad.ok && bad.error.kind === 'InvalidOptions' && bad.error.details.map((e) => e.path)).toEqual(['/hello/greeting', '/service/instances']);
  });

  it('its command really serves the greeting (node, a free port)', async () => {
    const r = renderPackage(pkg, { hello: { greeting: 'Hi "there" & $USER' } }, context);
    if (!r.ok || r.kind !== 'marathon') throw new Error('render');
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const child = spawn('/bin/sh', ['-c', r.app.cmd!], { env: { ...process.env, ...r.app.env, PORT0: String(port) }, stdio: 'ignore' });
    try {
      let body = '';
      for (let i = 0; i < 100 && body === ''; i++) {
        body = await fetch(`http://127.0.0.1:${port}/`).then((x) => x.text()).catch(() => new Promise<string>((res) => setTimeout(() => res(''), 50)));
      }
      expect(body).toBe('Hi "there" & $USER\n');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('nginx', () => {
  const pkg = findPackage(index, 'nginx')!;
  it('renders a valid Marathon app with defaults and with options', () => {
    const d = renderPackage(pkg, {}, context);
    expect(d.ok && d.kind === 'marathon' && d.app).toMatchObject({ id: '/nginx', upgradeStrategy: { minimumHealthCapacity: 0.5, maximumOverCapacity: 0.2 }, healthChecks: [{ protocol: 'MESOS_HTTP', path: '/' }] });
    const c = renderPackage(pkg, { service: { instances: 2, mem: 128 }, nginx: { index: '<p class="x">hi</p>' } }, context);
    expect(c.ok && c.kind === 'marathon' && c.app).toMatchObject({ instances: 2, mem: 128, env: { INDEX_HTML: '<p class="x">hi</p>' } });
    expect(c.ok && c.kind === 'marathon' && c.app.labels).toMatchObject({ DCOS_PACKAGE_NAME: 'nginx', DCOS_PACKAGE_SOURCE: 'builtin' });
  });
});

describe('postgresql', () => {
  const pkg = findPackage(index, 'postgresql')!;

  it('renders a stateful service: one pod, data on a volume sized by an option, pg_isready readiness, the runtime\'s binaries', () => {
    const spec = stateful(renderPackage(pkg, {}, context));
    expect(spec).toMatchObject({ name: '/postgresql', role: 'postgresql-role' });
    const pod = spec.pods[0]!;
    expect(pod).toMatchObject({ name: 'postgresql', count: 1, user: 'nobody', resources: { cpus: 1, mem: 512, disk: 0 }, ports: [{ name: 'pg', port: 0 }], volumes: [{ path: 'pgdata', type: 'ROOT', size: 256 }] });
    expect(pod.tasks[0]!.env).toMatchObject({ PG_BIN: PG_BIN, PGDATA: 'pgdata/data', PG_SUPERUSER: 'postgres', PG_PASSWORD: '' });
    expect(pod.tasks[0]!.readinessCheck!.cmd).toContain('pg_isready -q -h 127.0.0.1 -p "$PORT_PG"');
    const custom = stateful(renderPackage(pkg, { service: { name: '/data/pg', user: 'postgres' }, postgresql: { volume_size: 1024, port: 5432, password: 's3cr"et' } }, context));
    expect(custom.pods[0]!).toMatchObject({ user: 'postgres', ports: [{ name: 'pg', port: 5432 }], volumes: [{ size: 1024 }] });
    expect(custom.pods[0]!.tasks[0]!.env.PG_PASSWORD).toBe('s3cr"et');
    expect(custom.role).toBe('data__pg-role');
  });

  it('drives the reconciler to RESERVE + CREATE + LAUNCH with its volume mounted', () => {
    const { payload, reservation } = placeFirstPod(stateful(renderPackage(pkg, { postgresql: { volume_size: 256 } }, context)));
    expect(reservation.volumes).toEqual([{ id: 'postgresql.postgresql-0.pgdata.g1', containerPath: 'pgdata', size: 256 }]);
    expect(payload).toMatchObject({ user: 'nobody', volumes: [{ volumeId: 'postgresql.postgresql-0.pgdata.g1', containerPath: 'pgdata' }] });
    expect(payload.env.PORT_PG).toBe(String(payload.ports[0]));
  });
});

describe('redis', () => {
  const pkg = findPackage(index, 'redis')!;

  it('renders a stateful service with its AOF on a volume; a password switches requirepass on', () => {
    const spec = stateful(renderPackage(pkg, {}, context));
    const task = spec.pods[0]!.tasks[0]!;
    expect(spec.pods[0]!.volumes).toEqual([{ path: 'data', type: 'ROOT', size: 256 }]);
    expect(task.cmd).toContain('--dir data --appendonly yes --appendfsync everysec');
    expect(task.cmd).not.toContain('requirepass');
    const custom = stateful(renderPackage(pkg, { redis: { password: 'pw', appendfsync: 'always', volume_size: 64, mem: 128 } }, context));
    expect(custom.pods[0]!.tasks[0]!.cmd).toContain('--appendfsync always --requirepass "$REDISCLI_AUTH"');
    expect(custom.pods[0]!.tasks[0]!.env.REDISCLI_AUTH).toBe('pw');
    const bad = renderPackage(pkg, { redis: { appendfsync: 'sometimes' } }, context);
    expect(!bad.ok && bad.error.kind === 'InvalidOptions' && bad.error.details).toEqual([{ path: '/redis/appendfsync', errors: ['must be one of "always", "everysec", "no"'] }]);
  });

  it('drives the reconciler to a placement', () => {
    const { payload } = placeFirstPod(stateful(renderPackage(pkg, {}, context)));
    expect(payload.volumes.map((v) => v.containerPath)).toEqual(['data']);
  });
});
