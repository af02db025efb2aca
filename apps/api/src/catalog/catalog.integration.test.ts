import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { MarathonAppView, MarathonTaskView } from '@gantry/specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import type { StatefulServiceView } from '../stateful/api.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, type AgentProc } from '../testing/processes.js';
import { reapTaskProcesses } from '../testing/task-processes.js';
import { waitFor } from '../testing/wait-for.js';

/**
 * The catalog against a real API, real Postgres and a real agent: the built-in `hello`
 * installed and answering with its greeting, its options changed by an update; the
 * built-in `postgresql` installed as a stateful service (its plans wait for the leader's
 * framework, which is not part of this test); a repository of test packages served as a
 * zip over HTTP and read from a directory, holding a template that renders invalid JSON,
 * a package needing a program no host has, and two versions of one package; bad options
 * answered 422 with a path per option; and another team kept out.
 */
describe('the package catalog through /v1/packages', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let agent: AgentProc;
  let admin: string;
  let tom: string; // gantry:package and /team-b only
  let ann: string; // /team-c only: no catalog
  let work: string;
  let zipServer: Server;
  let zipUrl: string;

  type Answer<T = any> = { status: number; body: T }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const call = async <T = any>(authorization: string, method: string, path: string, body?: unknown): Promise<Answer<T>> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const response = await fetch(`${api.url}${path}`, {
      method, headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const user = async (uid: string, grants: [string, string][]) => {
    expect((await call(admin, 'PUT', `/v1/iam/users/${uid}`, { password: `${uid}-password-1` })).status).toBe(201);
    for (const [resource, action] of grants) {
      expect((await call(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: uid }, resource, action })).status).toBe(201);
    }
    return bearer(api.url, uid, `${uid}-password-1`);
  };

  /** A test repository in Universe's layout. */
  const manifest = (name: string, version: string, extra: Record<string, unknown> = {}) => JSON.stringify({
    packagingVersion: '4.0', name, version, maintainer: 'tests', description: `${name}, a test package`, tags: ['test'], ...extra,
  });
  const marathon = (id: string, cmd = 'exec sleep 600') => JSON.stringify({ id, cmd, cpus: 0.05, mem: 32, instances: 1 });
  const testRepository: Record<string, string> = {
    'packages/B/broken/0/package.json': manifest('broken', '1.0.0'),
    'packages/B/broken/0/config.json': JSON.stringify({ type: 'object', properties: { broken: { type: 'object', properties: { cmd: { type: 'string', default: 'echo' } } } } }),
    // `{{broken.cmd}}` outside quotes: renders `"cmd": echo,` — not JSON.
    'packages/B/broken/0/marathon.json.mustache': '{\n  "id": "/broken",\n  "cmd": {{broken.cmd}},\n  "cpus": 0.1\n}\n',
    'packages/N/needs-tool/0/package.json': manifest('needs-tool', '1.0.0', {
      gantry: { requires: ['gantry-test-no-such-program'], install: { 'gantry-test-no-such-program': 'apt-get install gantry-test-tools on every agent' } },
    }),
    'packages/N/needs-tool/0/marathon.json.mustache': marathon('/needs-tool'),
    'packages/T/tiny/0/package.json': manifest('tiny', '1.0.0'),
    'packages/T/tiny/0/marathon.json.mustache': marathon('/team-a/tiny'),
    'packages/T/tiny/1/package.json': manifest('tiny', '1.1.0', { upgradesFrom: ['1.0.0'] }),
    'packages/T/tiny/1/marathon.json.mustache': marathon('/team-a/tiny'),
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url, { scheduler: { tickMs: 100 } });
    await waitFor('leadership', () => api.isLeader());
    admin = await bearer(api.url);
    agent = await startAgent({ hostname: 'catalog-node', masters: [api.url], ports: '30500-30599' });
    await waitFor('the agent connected', async () => (await call(admin, 'GET', '/v1/nodes')).body.nodes.length === 1);
    tom = await user('tom', [['gantry:package', 'full'], ['gantry:service:/team-b', 'full']]);
    ann = await user('ann', [['gantry:service:/team-c', 'full']]);

    work = await mkdtemp(join(tmpdir(), 'gantry-catalog-test-'));
    for (const [path, content] of Object.entries(testRepository)) {
      await mkdir(dirname(join(work, 'repo', path)), { recursive: true });
      await writeFile(join(work, 'repo', path), content);
    }
    execFileSync('zip', ['-qr', join(work, 'repo.zip'), 'packages'], { cwd: join(work, 'repo') });
    const zip = await readFile(join(work, 'repo.zip'));
    zipServer = createServer((req, res) => {
      if (req.url === '/repo.zip') return void res.writeHead(200, { 'content-type': 'application/zip' }).end(zip);
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><a href="packages/">packages/</a></html>');
    });
    await new Promise<void>((resolve) => zipServer.listen(0, '127.0.0.1', resolve));
    zipUrl = `http://127.0.0.1:${(zipServer.address() as AddressInfo).port}/repo.zip`;
  });
  afterAll(async () => {
    await reapTaskProcesses(api.tasks);
    await agent?.kill('SIGKILL');
    await new Promise((resolve) => zipServer?.close(resolve));
    await api?.close();
    await db?.drop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('offers the built-in packages: search and describe with versions, options schema, defaults and notes', async () => {
    const search = await call(admin, 'GET', '/v1/packages');
    expect(search.status).toBe(200);
    expect(search.body.packages.map((p: { name: string }) => p.name)).toEqual(['hello', 'nginx', 'postgresql', 'redis']);
    expect((await call(admin, 'GET', '/v1/packages?q=sql')).body.packages.map((p: { name: string }) => p.name)).toEqual(['postgresql']);

    const pg = await call(admin, 'GET', '/v1/packages/postgresql');
    expect(pg.status).toBe(200);
    expect(pg.body).toMatchObject({ name: 'postgresql', version: '1.0.0', versions: ['1.0.0'], repository: 'builtin', kind: 'stateful', binaries: ['postgres'], missing: [] });
    expect(pg.body.defaults.postgresql).toMatchObject({ volume_size: 256, superuser: 'postgres' });
    expect(pg.body.config.properties.postgresql.properties.mem).toMatchObject({ type: 'number', default: 512 });
    expect(pg.body.preInstallNotes).toMatch(/persistent volume/);
    expect((await call(admin, 'GET', '/v1/packages/nope')).status).toBe(404);
    expect((await call(admin, 'GET', '/v1/package-repositories')).body.repositories).toEqual([{ name: 'builtin', uri: 'builtin', builtin: true, packages: 4, problems: [], error: null }]);
  });

  it('installs hello as a Marathon app that runs and answers, updates its options, and uninstalls it', async () => {
    const installed = await call(admin, 'POST', '/v1/packages/hello/install', { options: { hello: { greeting: 'Hi from the catalog' } } });
    expect(installed.status).toBe(201);
    expect(installed.body).toMatchObject({ id: '/hello', kind: 'MARATHON', name: 'hello', version: '1.0.0', repository: 'builtin', deploymentId: expect.any(String) });
    expect(installed.body.postInstallNotes).toMatch(/hello is installed/);
    const app = (await call<{ app: MarathonAppView }>(admin, 'GET', '/v2/apps/hello')).body.app;
    expect(app.labels).toMatchObject({ DCOS_PACKAGE_NAME: 'hello', DCOS_PACKAGE_VERSION: '1.0.0', DCOS_PACKAGE_SOURCE: 'builtin' });

    const greeting = async (expected: string) => waitFor(`hello answering "${expected}"`, async () => {
      const tasks = (await call<{ tasks: MarathonTaskView[] }>(admin, 'GET', '/v2/apps/hello/tasks')).body.tasks.filter((t) => t.state === 'TASK_RUNNING');
      for (const t of tasks) {
        const text = await fetch(`http://127.0.0.1:${t.ports[0]}/`, { signal: AbortSignal.timeout(2000) }).then((r) => r.text(), () => '');
        if (text.trim() === expected) return true;
      }
      return false;
    }, 45_000, 100);
    await greeting('Hi from the catalog');

    const listed = await call(admin, 'GET', '/v1/package-installs');
    expect(listed.body.installs).toEqual([expect.objectContaining({ id: '/hello', name: 'hello', version: '1.0.0', kind: 'MARATHON', options: { hello: { greeting: 'Hi from the catalog' } } })]);
    expect((await call(admin, 'POST', '/v1/packages/hello/install', {})).status).toBe(409);

    // New options merge over the installed ones (Cosmos), and roll out as a Marathon deployment.
    // While its first deployment waits for health, Marathon refuses another change unless forced.
    const busy = await call(admin, 'PUT', '/v1/package-installs/hello', { options: { hello: { greeting: 'Updated greeting' } } });
    if (busy.status === 409) expect(busy.body.deployments).toEqual([{ id: installed.body.deploymentId }]);
    else expect(busy.status).toBe(200);
    const updated = busy.status === 200 ? busy : await call(admin, 'PUT', '/v1/package-installs/hello', { options: { hello: { greeting: 'Updated greeting' } }, force: true });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: '/hello', version: '1.0.0', changed: true, deploymentId: expect.any(String) });
    await greeting('Updated greeting');
    const renamed = await call(admin, 'PUT', '/v1/package-installs/hello', { options: { service: { name: '/elsewhere' } } });
    expect(renamed.status).toBe(422);
    expect(renamed.body.details[0].path).toBe('/service/name');

    const removed = await call(admin, 'DELETE', '/v1/package-installs/hello');
    expect(removed.status).toBe(202);
    expect(removed.body.postUninstallNotes).toBe('hello was uninstalled.');
    await waitFor('hello gone', async () => (await call(admin, 'GET', '/v2/apps/hello')).status === 404);
    expect((await call(admin, 'GET', '/v1/package-installs')).body.installs).toEqual([]);
  });

  it('answers bad options with 422 and a path per option, before anything is deployed', async () => {
    const bad = await call(admin, 'POST', '/v1/packages/postgresql/install', { options: { postgresql: { mem: 10, volume_size: 'big' }, nope: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.kind).toBe('InvalidOptions');
    expect(bad.body.details).toEqual([
      { path: '/nope', errors: ['is not an option of this package'] },
      { path: '/postgresql/mem', errors: ['must be >= 128'] },
      { path: '/postgresql/volume_size', errors: ['must be integer'] },
    ]);
    const check = await call(admin, 'POST', '/v1/packages/postgresql/check', { options: { postgresql: { mem: 10 } } });
    expect(check.body).toEqual({ ok: false, options: {}, details: [{ path: '/postgresql/mem', errors: ['must be >= 128'] }] });
    const good = await call(admin, 'POST', '/v1/packages/postgresql/check', { options: { postgresql: { mem: 256 } } });
    expect(good.body.ok).toBe(true);
    expect(good.body.options.postgresql).toMatchObject({ mem: 256, volume_size: 256 });
    expect((await call(admin, 'GET', '/v1/stateful/services')).body.services).toEqual([]);
  });

  it('adds repositories from a zip over HTTP and from a directory, and refuses what is not one', async () => {
    const html = await call(admin, 'POST', '/v1/package-repositories', { name: 'html', uri: zipUrl.replace('repo.zip', 'index.html') });
    expect(html.status).toBe(422);
    expect(html.body.details).toEqual([{ path: '/uri', errors: [expect.stringMatching(/did not answer with a zip archive/)] }]);
    expect((await call(admin, 'POST', '/v1/package-repositories', { name: 'rel', uri: 'relative/path' })).status).toBe(422);
    expect((await call(admin, 'POST', '/v1/package-repositories', { name: 'gone', uri: join(work, 'nothing-here') })).body.message).toMatch(/does not exist/);

    const zip = await call(admin, 'POST', '/v1/package-repositories', { name: 'test', uri: zipUrl });
    expect(zip.status).toBe(201);
    expect(zip.body).toMatchObject({ name: 'test', packages: 3, problems: [], error: null });
    const dir = await call(admin, 'POST', '/v1/package-repositories', { name: 'local', uri: join(work, 'repo') });
    expect(dir.status).toBe(201);
    expect((await call(admin, 'POST', '/v1/package-repositories', { name: 'test', uri: zipUrl })).status).toBe(409);
    expect((await call(admin, 'GET', '/v1/package-repositories')).body.repositories.map((r: { name: string }) => r.name)).toEqual(['builtin', 'test', 'local']);
    expect((await call(admin, 'GET', '/v1/packages/tiny')).body).toMatchObject({ repository: 'test', version: '1.1.0', versions: ['1.0.0', '1.1.0'] });
    expect((await call(admin, 'DELETE', '/v1/package-repositories/local')).status).toBe(204);
    expect((await call(admin, 'DELETE', '/v1/package-repositories/builtin')).status).toBe(409);
  });

  it('names the package, version and line when its template renders invalid JSON', async () => {
    const broken = await call(admin, 'POST', '/v1/packages/broken/install', {});
    expect(broken.status).toBe(422);
    expect(broken.body).toMatchObject({ kind: 'InvalidTemplateOutput', line: 3 });
    expect(broken.body.message).toMatch(/^broken 1\.0\.0: marathon\.json\.mustache rendered invalid JSON at line 3, column \d+ .*"cmd": echo,/);
    expect((await call(admin, 'GET', '/v2/apps/broken')).status).toBe(404);
  });

  it('says at install time which program the host lacks and how to install it', async () => {
    const described = await call(admin, 'GET', '/v1/packages/needs-tool');
    expect(described.body.missing).toEqual([{ program: 'gantry-test-no-such-program', message: expect.stringContaining('apt-get install gantry-test-tools') }]);
    const refused = await call(admin, 'POST', '/v1/packages/needs-tool/install', {});
    expect(refused.status).toBe(422);
    expect(refused.body.kind).toBe('MissingPrograms');
    expect(refused.body.message).toBe('needs-tool 1.0.0 cannot be installed here: needs-tool needs gantry-test-no-such-program, which is not on this host: apt-get install gantry-test-tools on every agent');
    expect((await call(admin, 'GET', '/v2/apps/needs-tool')).status).toBe(404);
  });

  it('updates a package to a newer version, with its labels', async () => {
    const old = await call(admin, 'POST', '/v1/packages/tiny/install', { version: '1.0.0' });
    expect(old.status).toBe(201);
    expect((await call(admin, 'GET', '/v1/package-installs')).body.installs[0]).toMatchObject({ id: '/team-a/tiny', version: '1.0.0', newerVersion: '1.1.0' });
    const up = await call(admin, 'PUT', '/v1/package-installs/team-a/tiny', { version: '1.1.0', force: true });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ version: '1.1.0', repository: 'test' });
    expect((await call<{ app: MarathonAppView }>(admin, 'GET', '/v2/apps/team-a/tiny')).body.app.labels).toMatchObject({ DCOS_PACKAGE_VERSION: '1.1.0', DCOS_PACKAGE_SOURCE: 'test' });
    expect((await call(admin, 'GET', '/v1/package-installs')).body.installs[0]).toMatchObject({ version: '1.1.0', newerVersion: null });
    expect((await call(admin, 'PUT', '/v1/package-installs/team-a/tiny', { version: '9.9.9' })).status).toBe(404);
  });

  it('installs postgresql as a stateful service with its binaries found, updates an option, uninstalls destroying data only when asked', async () => {
    const installed = await call(admin, 'POST', '/v1/packages/postgresql/install', { options: { service: { name: '/data/pg' }, postgresql: { volume_size: 256 } } });
    expect(installed.status).toBe(201);
    expect(installed.body).toMatchObject({ id: '/data/pg', kind: 'STATEFUL', service: { id: '/data/pg', status: 'DEPLOYING' } });
    const service = installed.body.service as StatefulServiceView;
    expect(service.plans[0]).toMatchObject({ name: 'deploy', status: 'PENDING' });
    expect(service.definition.pods[0]!.volumes).toEqual([{ path: 'pgdata', type: 'ROOT', size: 256 }]);
    expect(service.definition.pods[0]!.tasks[0]!.env.PG_BIN).toMatch(/\/bin$/);

    const up = await call(admin, 'PUT', '/v1/package-installs/data/pg', { options: { postgresql: { mem: 640 } } });
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ changed: true, options: { service: { name: '/data/pg' }, postgresql: { volume_size: 256, mem: 640 } } });
    expect(up.body.service.configId).not.toBe(service.configId);
    expect(up.body.service.definition.pods[0].resources.mem).toBe(640);
    // A volume cannot change under a running database: the data would not follow.
    const grow = await call(admin, 'PUT', '/v1/package-installs/data/pg', { options: { postgresql: { volume_size: 512 } } });
    expect(grow.status).toBe(422);
    expect(grow.body.details[0].path).toBe('/pods/0/volumes');

    const removed = await call(admin, 'DELETE', '/v1/package-installs/data/pg?destroyData=true');
    expect(removed.status).toBe(202);
    expect(removed.body.message).toMatch(/volumes destroyed/);
    // The leader's framework tears it down (its task killed, its volume destroyed, if it was placed) and forgets it.
    await waitFor('the stateful service gone', async () => (await call(admin, 'GET', '/v1/stateful/services/data/pg')).status === 404, 60_000);
    expect((await call(admin, 'GET', '/v1/package-installs')).body.installs.map((i: { id: string }) => i.id)).toEqual(['/team-a/tiny']);
  });

  it('keeps another team out of what it did not install, and a user without gantry:package out of the catalog', async () => {
    expect((await call(ann, 'GET', '/v1/packages')).status).toBe(403);
    expect((await call(ann, 'POST', '/v1/packages/hello/install', { options: { service: { name: '/team-c/hello' } } })).status).toBe(403);

    expect((await call(tom, 'GET', '/v1/packages')).status).toBe(200);
    expect((await call(tom, 'POST', '/v1/packages/hello/install', { options: { service: { name: '/team-a/hello' } } })).status).toBe(403);
    expect((await call(tom, 'POST', '/v1/packages/postgresql/install', { options: { service: { name: '/team-a/pg' } } })).status).toBe(403);
    expect((await call(tom, 'GET', '/v1/package-installs')).body.installs).toEqual([]);
    expect((await call(tom, 'PUT', '/v1/package-installs/team-a/tiny', { options: {} })).status).toBe(403);
    expect((await call(tom, 'DELETE', '/v1/package-installs/team-a/tiny')).status).toBe(403);
    expect((await call(tom, 'DELETE', '/v1/package-installs/team-a/nothing')).status).toBe(403);
    expect((await call(tom, 'POST', '/v1/package-repositories', { name: 'mine', uri: zipUrl })).status).toBe(201); // gantry:package full covers repositories

    const own = await call(tom, 'POST', '/v1/packages/tiny/install', { repository: 'test', version: '1.0.0' });
    expect(own.status).toBe(403); // tiny renders /team-a/tiny, not tom's
    await call(admin, 'DELETE', '/v1/package-installs/team-a/tiny');
  });
});
