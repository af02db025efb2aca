import { isTerminal, TaskSpec, type TaskState } from '@gantry/specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRepository } from '../agents/repository.js';
import { createDb, type Db } from '../db/prisma.js';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';
import { TaskRepository } from './repository.js';

interface Page {
  tasks: { id: string; appId: string | null; state: TaskState }[];
  next: string | null;
}

/**
 * `GET /v1/tasks?limit&after&live`, against a real API and Postgres: tasks of three
 * tenants' apps (and of none) seeded through the repository, interleaved in id order so
 * that every page mixes them.
 */
describe('GET /v1/tasks: every task, paged by id', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let db: Db;
  let admin: string;
  let lena: string; // team-a: read on gantry:service:/team-a
  let nobody: string; // logged in, no grant at all

  // 230 tasks: k % 5 picks the app (two of team-a's, one of team-b, one of nobody's
  // tenant, none); k % 7 === 0 finished, k % 11 === 0 failed, the rest live (staging or running).
  const TOTAL = 230;
  const APPS = ['/team-a/web', '/team-a/db/pg', '/team-b/api', '/team-c/worker', undefined] as const;
  const seeded = Array.from({ length: TOTAL }, (_, k) => {
    const state: TaskState = k % 7 === 0 ? 'TASK_FINISHED' : k % 11 === 0 ? 'TASK_FAILED' : k % 2 === 0 ? 'TASK_RUNNING' : 'TASK_STAGING';
    // Ids not in k order: a page must be ordered by id, not by insertion.
    return { id: `task-${String((k * 97) % TOTAL).padStart(4, '0')}`, appId: APPS[k % APPS.length], state };
  });
  const sortedIds = (tasks: readonly { id: string }[]) => tasks.map((t) => t.id).sort();

  const call = async (authorization: string | null, path: string) => {
    const response = await fetch(`${api.url}${path}`, { headers: authorization ? { authorization } : {} });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  /** Follows `next` from the first page to the one whose `next` is null; every page as answered. */
  const walk = async (authorization: string, query: string) => {
    const pages: Page[] = [];
    let after: string | null = null;
    do {
      const answer = await call(authorization, `/v1/tasks?${query}${after === null ? '' : `&after=${encodeURIComponent(after)}`}`);
      expect(answer.status).toBe(200);
      pages.push(answer.body as Page);
      after = (answer.body as Page).next;
      // A walk that does not end is a bug; the seeded set has far fewer pages than this.
      expect(pages.length).toBeLessThanOrEqual(TOTAL + 1);
    } while (after !== null);
    return { pages, tasks: pages.flatMap((p) => p.tasks) };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // Heartbeats 10 min apart: the agent the tasks are seeded on never connects, and must not
    // turn unreachable (its tasks would follow it, then be expunged) while the test runs.
    api = await startTestApi(database.url, { heartbeatIntervalMs: 600_000 });
    await waitFor('leadership', () => api.isLeader());
    db = createDb(database.url);
    const epoch = (await db.leadership.findUniqueOrThrow({ where: { id: 1 } })).epoch;
    await new AgentRepository(db).register(epoch, {
      id: 'agent-list', hostname: 'list', address: '127.0.0.1', resources: { cpus: 64, mem: 65_536, disk: 0, ports: [] }, attributes: {}, agentVersion: 't',
    }, new Date());
    const tasks = new TaskRepository(db);
    await tasks.stageMany(epoch, seeded.map((t) => ({
      agentId: 'agent-list', spec: TaskSpec.parse({ taskId: t.id, ...(t.appId ? { appId: t.appId } : {}), cmd: 'true', resources: { cpus: 0.1, mem: 8 } }),
    })), new Date());
    // The scheduler stops tasks of apps it does not know: it asks the agent (never connected,
    // so nothing answers) and records that it asked; no state changes but these.
    await tasks.recordStatuses(epoch, seeded.filter((t) => t.state !== 'TASK_STAGING').map((t, n) => ({
      agentId: 'agent-list', status: { uuid: `seed-${n}`, taskId: t.id, state: t.state, timestamp: new Date().toISOString() },
    })), new Date());

    admin = await bearer(api.url);
    const as = (authorization: string, method: string, path: string, body?: unknown) => fetch(`${api.url}${path}`, {
      method, headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect((await as(admin, 'PUT', '/v1/iam/groups/team-a', { description: 'Team A' })).status).toBe(200);
    for (const uid of ['lena', 'nobody']) expect((await as(admin, 'PUT', `/v1/iam/users/${uid}`, { password: `${uid}-password` })).status).toBe(201);
    expect((await as(admin, 'PUT', '/v1/iam/groups/team-a/users/lena')).status).toBe(204);
    expect((await as(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'GROUP', id: 'team-a' }, resource: 'gantry:service:/team-a', action: 'read' })).status).toBe(201);
    lena = await bearer(api.url, 'lena', 'lena-password');
    nobody = await bearer(api.url, 'nobody', 'nobody-password');
  });
  afterAll(async () => {
    await db?.$disconnect();
    await api?.close();
    await database?.drop();
  });

  it('walks every task exactly once, in id order, and ends with next null', async () => {
    // 230 = 6 full pages of 37 and one of 8.
    const { pages, tasks } = await walk(admin, 'limit=37');
    expect(pages.map((p) => p.tasks.length)).toEqual([37, 37, 37, 37, 37, 37, 8]);
    expect(tasks.map((t) => t.id)).toEqual(sortedIds(seeded));
    expect(new Set(tasks.map((t) => t.id)).size).toBe(TOTAL);
    // Each page's next is the last id it holds: the next page starts right after it.
    for (const page of pages.slice(0, -1)) expect(page.next).toBe(page.tasks.at(-1)!.id);
    expect(pages.at(-1)!.next).toBeNull();
    // Every task as the database has it, in the shape of GET /v1/tasks/:id.
    for (const t of tasks) expect(t).toMatchObject({ appId: seeded.find((s) => s.id === t.id)!.appId ?? null, state: seeded.find((s) => s.id === t.id)!.state });
    const one = await call(admin, `/v1/tasks/${tasks[0]!.id}`);
    expect(Object.keys(tasks[0]!).sort()).toEqual(Object.keys(one.body).sort());
  });

  it('ends on an empty page when the last full page happens to hold the last task', async () => {
    // 230 = 10 pages of 23: the tenth is full, so its next points past it, at nothing.
    const { pages, tasks } = await walk(admin, 'limit=23');
    expect(pages.map((p) => p.tasks.length)).toEqual([...Array(10).fill(23), 0]);
    expect(tasks.map((t) => t.id)).toEqual(sortedIds(seeded));
  });

  it('pages by 500 when no limit is given', async () => {
    const { pages } = await walk(admin, '');
    expect(pages.map((p) => p.tasks.length)).toEqual([TOTAL]);
  });

  it('leaves out tasks that ended with live=true, and keeps them with live=false', async () => {
    const live = await walk(admin, 'limit=40&live=true');
    const expected = seeded.filter((t) => !isTerminal(t.state));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(TOTAL);
    expect(live.tasks.map((t) => t.id)).toEqual(sortedIds(expected));
    expect(live.tasks.every((t) => !isTerminal(t.state))).toBe(true);
    expect((await walk(admin, 'limit=40&live=false')).tasks.map((t) => t.id)).toEqual(sortedIds(seeded));
  });

  it('refuses a bad limit or live with 400, naming the parameter', async () => {
    for (const limit of ['0', '-1', '1001', '2.5', 'ten', '']) {
      const answer = await call(admin, `/v1/tasks?limit=${limit}`);
      expect(answer, `limit=${limit}`).toEqual({ status: 400, body: { message: 'limit must be a whole number between 1 and 1000' } });
    }
    for (const live of ['yes', '1', 'TRUE', '']) {
      const answer = await call(admin, `/v1/tasks?live=${live}`);
      expect(answer, `live=${live}`).toEqual({ status: 400, body: { message: 'live must be true or false' } });
    }
    expect((await call(null, '/v1/tasks')).status).toBe(401);
  });

  it('shows a team user only its tenant\'s tasks, every one of them, and the walk still ends', async () => {
    const { pages, tasks } = await walk(lena, 'limit=25');
    const teamA = seeded.filter((t) => t.appId?.startsWith('/team-a/'));
    expect(teamA).toHaveLength(92); // k % 5 ∈ {0, 1}
    expect(tasks.map((t) => t.id)).toEqual(sortedIds(teamA));
    // Pages are filled past what she may not see, and every next names one of her own tasks:
    // a next of another tenant's task would tell her that task's id (and its app's name).
    expect(pages.map((p) => p.tasks.length)).toEqual([25, 25, 25, 17]);
    for (const page of pages.slice(0, -1)) expect(page.next).toBe(page.tasks.at(-1)!.id);
    // live=true narrows the same set.
    const live = await walk(lena, 'limit=25&live=true');
    expect(live.tasks.map((t) => t.id)).toEqual(sortedIds(teamA.filter((t) => !isTerminal(t.state))));
    // No grant, nothing seen — and no trace of what exists.
    const none = await walk(nobody, 'limit=100');
    expect(none.pages).toEqual([{ tasks: [], next: null }]);
  });
});
