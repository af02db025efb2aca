import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../db/prisma.js';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';
import { QuotaRepository } from './repository.js';

/**
 * Quotas per top-level group against a real API and Postgres: set by operators, read by
 * the group's members, and enforced when a deployment is submitted. No agents are
 * needed: admission happens before anything is placed.
 */
describe('quotas per top-level group', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let prisma: Db;
  let admin: string;
  let amy: string;

  const call = async (authorization: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  // No agents run here, so deployments never finish: every later change forces its way.
  const app = (id: string, instances: number, cpus = 0.25, mem = 64) => ({ id, cmd: 'sleep 1000', instances, cpus, mem, disk: 0 });

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
    prisma = createDb(db.url);
    admin = await bearer(api.url);
    expect((await call(admin, 'PUT', '/v1/iam/users/amy', { password: 'amy-password' })).status).toBe(201);
    expect((await call(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'amy' }, resource: 'gantry:service:/team-a', action: 'full' })).status).toBe(201);
    amy = await bearer(api.url, 'amy', 'amy-password');
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await api?.close();
    await db?.drop();
  });

  it('refuses a deployment that would exceed the group\'s quota, naming the quota and the numbers', async () => {
    const set = await call(admin, 'PUT', '/v1/quotas/team-a', { cpus: 1, instances: 3 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ group: 'team-a', limits: { cpus: 1, instances: 3 }, updatedBy: 'admin' });

    expect((await call(amy, 'POST', '/v2/apps', app('/team-a/web', 2))).status).toBe(201);
    // 2 → 5 instances: over the instance limit (and 1.25 cpus, over that one too).
    const scaled = await call(amy, 'PUT', '/v2/apps/team-a/web?force=true', { instances: 5 });
    expect(scaled.status).toBe(422);
    expect(scaled.body.message).toBe(
      'this deployment would exceed the quota of /team-a: /team-a would want 1.25 cpus in all (0.5 now); its quota allows 1; '
      + '/team-a would want 5 instances in all (2 now); its quota allows 3',
    );
    expect(scaled.body.details).toEqual([
      { path: '/cpus', errors: ['/team-a would want 1.25 cpus in all (0.5 now); its quota allows 1'] },
      { path: '/instances', errors: ['/team-a would want 5 instances in all (2 now); its quota allows 3'] },
    ]);
    // Another app of the group counts with the first: 0.5 + 0.75 > 1 cpus.
    const big = await call(amy, 'POST', '/v2/apps', app('/team-a/big', 1, 0.75));
    expect(big.status).toBe(422);
    expect(big.body.details).toEqual([{ path: '/cpus', errors: ['/team-a would want 1.25 cpus in all (0.5 now); its quota allows 1'] }]);
    // Through a group definition, too: nothing of it is written.
    const group = await call(amy, 'POST', '/v2/groups', { id: '/team-a/batch', apps: [app('/team-a/batch/one', 1), app('/team-a/batch/two', 1)] });
    expect(group.status).toBe(422);
    expect((await call(amy, 'GET', '/v2/apps/team-a/batch/one')).status).toBe(404);
    // Exactly at the limit is fine: 3 instances, 0.75 cpus.
    expect((await call(amy, 'PUT', '/v2/apps/team-a/web?force=true', { instances: 3 })).status).toBe(200);
    // Another group has no quota: no limit.
    expect((await call(admin, 'POST', '/v2/apps', app('/team-b/huge', 40, 2))).status).toBe(201);
  });

  it('lets a group that is over a lowered quota shrink, never grow', async () => {
    expect((await call(admin, 'PUT', '/v1/quotas/team-a', { instances: 1 })).status).toBe(200);
    expect((await call(amy, 'PUT', '/v2/apps/team-a/web?force=true', { instances: 4 })).status).toBe(422);
    expect((await call(amy, 'PUT', '/v2/apps/team-a/web?force=true', { instances: 2 })).status).toBe(200);
    expect((await call(amy, 'POST', '/v2/apps/team-a/web/restart?force=true')).status).toBe(200);
    expect((await call(admin, 'PUT', '/v1/quotas/team-a', { cpus: 1, instances: 3 })).status).toBe(200);
  });

  it('serializes concurrent deployments of one group, so two cannot both take the room left for one', async () => {
    // team-a wants 0.5 of its 1 cpus: room for one of these two, not both.
    const answers = await Promise.all([
      call(amy, 'POST', '/v2/apps', app('/team-a/left', 1, 0.5)),
      call(amy, 'POST', '/v2/apps', app('/team-a/right', 1, 0.5)),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422]);
    const [refused] = answers.filter((a) => a.status === 422);
    expect(refused!.body.message).toMatch(/would want 1.5 cpus in all \(1 now\)/);
    const stored = (await call(admin, 'GET', '/v2/apps')).body.apps.map((a: { id: string }) => a.id);
    expect(stored.filter((id: string) => id === '/team-a/left' || id === '/team-a/right')).toHaveLength(1);
  });

  it('shows a group\'s members their quota, not another group\'s, and never lets them raise it', async () => {
    const mine = await call(amy, 'GET', '/v1/quotas');
    expect(mine.status).toBe(200);
    expect(mine.body.quotas.map((q: { group: string }) => q.group)).toEqual(['team-a']);
    expect(mine.body.mayUpdate).toBe(false);
    expect(mine.body.quotas[0]).toMatchObject({ limits: { cpus: 1, instances: 3 }, wanted: { instances: 3, cpus: 1, mem: 192, disk: 0 } });
    // Another group, whether or not it exists or has a quota: the same 403.
    for (const group of ['team-b', 'team-z']) {
      const other = await call(amy, 'GET', `/v1/quotas/${group}`);
      expect(other).toEqual({ status: 403, body: { message: `forbidden: reading the quota of /${group} needs read on gantry:service:/${group} or gantry:quota:/${group}` } });
    }
    const raise = await call(amy, 'PUT', '/v1/quotas/team-a', { cpus: 100 });
    expect(raise).toEqual({ status: 403, body: { message: 'forbidden: no grant of update on gantry:quota:/team-a' } });

    const every = await call(admin, 'GET', '/v1/quotas');
    expect(every.body.mayUpdate).toBe(true);
    expect(every.body.quotas.map((q: { group: string; limits: object }) => [q.group, q.limits])).toEqual([
      ['team-a', { cpus: 1, instances: 3 }], ['team-b', {}],
    ]);
  });

  it('names every bad field of a quota, and a name that is not a top-level group', async () => {
    const bad = await call(admin, 'PUT', '/v1/quotas/team-a', { cpus: -1, instances: 1.5, gpus: 1 });
    expect(bad.status).toBe(422);
    expect(bad.body.details.map((d: { path: string }) => d.path)).toEqual(['/', '/cpus', '/instances']);
    const name = await call(admin, 'PUT', '/v1/quotas/Team%20A', { cpus: 1 });
    expect(name.status).toBe(422);
    expect(name.body.details[0]).toEqual({ path: '/group', errors: [expect.stringMatching(/is not valid/)] });
    expect((await call(admin, 'DELETE', '/v1/quotas/nobody-has-this')).status).toBe(404);
  });

  it('hands the scheduler each role\'s limits of cpus, mem and disk', async () => {
    expect((await call(admin, 'PUT', '/v1/quotas/team-c', { mem: 2048, disk: 100, instances: 9 })).status).toBe(200);
    expect((await call(admin, 'PUT', '/v1/quotas/team-d', { instances: 9 })).status).toBe(200);
    const limits = await new QuotaRepository(prisma).limits();
    expect(Object.fromEntries(limits)).toEqual({ 'team-a': { cpus: 1 }, 'team-c': { mem: 2048, disk: 100 } });
  });

  it('records who set which quota in the audit log', async () => {
    const { entries } = (await call(admin, 'GET', '/v1/audit?limit=200')).body;
    const seen = entries.map((e: { actor: string; action: string; status: number; target: string | null }) => `${e.actor} ${e.action} ${e.status} ${e.target ?? '-'}`);
    expect(seen).toEqual(expect.arrayContaining([
      'admin PUT /v1/quotas/:group 200 gantry:quota:/team-a',
      'amy PUT /v1/quotas/:group 403 gantry:quota:/team-a',
      'amy PUT /v2/apps/*id 422 gantry:service:/team-a/web', 'amy POST /v2/apps 201 gantry:service:/team-a/web',
    ]));
  });
});
