import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';

/**
 * The console's procedures over real HTTP and Postgres, as the console calls them:
 * a tenant holding `gantry:service:/team-a` sees its own apps in every list and
 * figure and none of team-b's names; changes answer with their deployment, or with
 * Marathon's refusal as a value (422 at the field, 409 with the blocking deployment);
 * the change stream tells it what changed. No agents: apps stay waiting, their
 * deployments under way, which is what the conflict needs.
 */
describe('console tRPC procedures', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let admin: string;
  let alice: string;

  type Answer = { status: number; data: any; error: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const query = async (auth: string, path: string, input: unknown = {}): Promise<Answer> => {
    const response = await fetch(`${api.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, { headers: { authorization: auth } });
    const body = await response.json();
    return { status: response.status, data: body.result?.data, error: body.error };
  };
  const mutate = async (auth: string, path: string, input: unknown): Promise<Answer> => {
    const response = await fetch(`${api.url}/trpc/${path}`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify(input) });
    const body = await response.json();
    return { status: response.status, data: body.result?.data, error: body.error };
  };
  const rest = (auth: string, method: string, path: string, body?: unknown) => fetch(`${api.url}${path}`, {
    method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  const app = (id: string, over: Record<string, unknown> = {}) => ({ id, cmd: 'sleep 600', cpus: 0.1, mem: 32, instances: 1, ...over });

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url, { scheduler: { tickMs: 100 } });
    await waitFor('leadership', () => api.isLeader());
    admin = await bearer(api.url);
    expect((await rest(admin, 'PUT', '/v1/iam/users/alice', { password: 'alice-password' })).status).toBeLessThan(300);
    for (const action of ['read', 'update', 'create', 'delete']) {
      expect((await rest(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'alice' }, resource: 'gantry:service:/team-a', action })).status).toBe(201);
    }
    alice = await bearer(api.url, 'alice', 'alice-password');
    for (const id of ['/team-a/web', '/team-a/db/pg', '/team-b/secret-api']) expect((await rest(admin, 'POST', '/v2/apps', app(id))).status).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('lists a tenant’s own apps and groups, and no other team’s names anywhere', async () => {
    const root = await query(alice, 'services.list', { group: '/' });
    expect(root.status).toBe(200);
    expect(root.data.rows.map((r: { id: string }) => r.id)).toEqual(['/team-a']);
    expect(root.data.rows[0]).toMatchObject({ kind: 'group', apps: 2, instances: 2 });
    const inside = await query(alice, 'services.list', { group: '/team-a' });
    expect(inside.data.rows.map((r: { id: string }) => r.id)).toEqual(['/team-a/db', '/team-a/web']);
    const search = await query(alice, 'services.list', { group: '/', search: 'secret' });
    expect(search.data).toMatchObject({ flat: true, total: 0 });
    expect((await query(alice, 'services.list', { group: '/team-b' })).data.exists).toBe(false);

    const summary = await query(alice, 'dashboard.summary');
    expect(summary.data.services.total).toBe(2);
    expect(JSON.stringify(summary.data)).not.toContain('team-b');
    expect(summary.data.nodes).toBeNull(); // no gantry:node read
    expect((await query(alice, 'dashboard.capacity')).status).toBe(403);

    const admins = await query(admin, 'services.list', { group: '/' });
    expect(admins.data.rows.map((r: { id: string }) => r.id)).toEqual(['/team-a', '/team-b']);
  });

  it('refuses another team’s app whether or not it exists, and a task it may not read reads as absent', async () => {
    for (const id of ['/team-b/secret-api', '/team-b/nothing-here']) {
      const answer = await query(alice, 'services.app', { id });
      expect(answer.status).toBe(403);
      expect(answer.error.message).toContain('gantry:service:');
    }
    expect((await mutate(alice, 'services.scale', { id: '/team-b/secret-api', instances: 3 })).status).toBe(403);
    expect((await query(alice, 'tasks.get', { id: 'team-b_secret-api.instance-x._app.1' })).status).toBe(404);
    const tasks = await query(alice, 'tasks.list', { state: 'all' });
    expect(tasks.status).toBe(200);
    expect(JSON.stringify(tasks.data)).not.toContain('team-b');
  });

  it('answers a change with its deployment, a bad definition with errors at their field, a conflict with its deployment', async () => {
    const invalid = await mutate(alice, 'services.create', { definition: app('/team-a/bad', { cpus: -1, bogus: true }) });
    expect(invalid.status).toBe(200);
    expect(invalid.data).toMatchObject({ ok: false, status: 422 });
    expect(invalid.data.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['/cpus', '/bogus']));

    const created = await mutate(alice, 'services.create', { definition: app('/team-a/new') });
    expect(created.data).toMatchObject({ ok: true, id: '/team-a/new' });
    expect(created.data.deploymentId).toMatch(/^[0-9a-f-]{36}$/);

    // Nothing can run it (no agents): its deployment stays under way, and another change conflicts.
    const conflict = await mutate(alice, 'services.scale', { id: '/team-a/new', instances: 2 });
    expect(conflict.data).toMatchObject({ ok: false, status: 409, deployments: [created.data.deploymentId] });
    const forced = await mutate(alice, 'services.scale', { id: '/team-a/new', instances: 2, force: true });
    expect(forced.data).toMatchObject({ ok: true });

    const deployments = await query(alice, 'services.deployments', { id: '/team-a/new' });
    expect(deployments.data.deployments[0]).toMatchObject({ id: forced.data.deploymentId, status: 'ACTIVE', steps: [[{ action: 'ScaleApplication', app: '/team-a/new' }]] });
    const versions = await query(alice, 'services.versions', { id: '/team-a/new' });
    expect(versions.data.versions).toHaveLength(2);

    const suspended = await mutate(alice, 'services.suspend', { id: '/team-a/new', force: true });
    expect(suspended.data.ok).toBe(true);
    const resumed = await mutate(alice, 'services.resume', { id: '/team-a/new', force: true });
    expect(resumed.data).toMatchObject({ ok: true, instances: 2 }); // the newest version that ran any

    const rolledBack = await mutate(alice, 'services.rollback', { id: '/team-a/new', version: versions.data.versions[1], force: true });
    expect(rolledBack.data.ok).toBe(true);
    await waitFor('the rollback applied', async () => (await query(alice, 'services.app', { id: '/team-a/new' })).data.definition.instances === 1);

    const row = (await query(alice, 'services.app', { id: '/team-a/new' })).data.row;
    expect(row).toMatchObject({ status: expect.stringMatching(/deploying|waiting/), instances: 1, running: 0 });
    expect((await mutate(alice, 'services.delete', { id: '/team-a/new', force: true })).data.ok).toBe(true);
  });

  it('explains on the Debug procedure why nothing is placed: no node to offer', async () => {
    const debug = await query(alice, 'services.debug', { id: '/team-a/web' });
    expect(debug.data).toMatchObject({ leader: true, app: { instances: 1, cpus: 0.1, mem: 32 } });
    expect(debug.data.queue).toMatchObject({ count: 1, nodes: [] });
    expect(debug.data.deployment.affectedApps).toEqual(['/team-a/web']);
  });

  it('streams what changed, coalesced, only about apps the subscriber may read', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/trpc/live.changes`, { headers: { authorization: alice, accept: 'text/event-stream' }, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let seen = '';
    const read = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        seen += new TextDecoder().decode(value);
      }
    })().catch(() => undefined);
    // Once the stream has attached (tRPC's first SSE event), change one app of each team.
    await waitFor('the stream attached', () => seen.length > 0, 10_000);
    await rest(admin, 'PUT', '/v2/apps/team-b/secret-api?force=true', { instances: 2 });
    await rest(admin, 'PUT', '/v2/apps/team-a/web?force=true', { instances: 2 });
    await waitFor('a batch naming /team-a/web', async () => seen.includes('/team-a/web'), 10_000);
    controller.abort();
    await read;
    expect(seen).not.toContain('team-b');
    expect(seen).toMatch(/"deployments":true/);
  });
});
