import { Resources, scalar, type PodInstanceState } from '@gantry/scheduler-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRepository } from '../agents/repository.js';
import { createDb, type Db } from '../db/prisma.js';
import type { Principal } from '../iam/authenticator.js';
import type { RunningApi } from '../server.js';
import { ServiceProblem } from '../services/services-api.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { StatefulApi, type StatefulServiceView, type VerbResult } from './api.js';
import { RevisionConflictError, StatefulServiceRepository } from './repository.js';

/**
 * `/v1/stateful/services` against a real API and real Postgres: create, update, the plan
 * and pod verbs, uninstall, and tenancy. The leader's framework pass is not part of this
 * test (nor, yet, of the API): where a verb needs a placed pod, the test writes the pod
 * instance as a pass would, through the repository, under the record's revision.
 */
describe('stateful services through /v1/stateful', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let admin: string;
  let tom: string; // team-b only
  let prisma: Db;
  let repo: StatefulServiceRepository;

  type Answer<T = any> = { status: number; body: T }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const call = async <T = any>(authorization: string, method: string, path: string, body?: unknown): Promise<Answer<T>> => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const response = await fetch(`${api.url}${path}`, {
      method, headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  };

  const db1 = (name = '/team-a/db', over: Record<string, unknown> = {}) => ({
    name,
    pods: [{
      name: 'db', count: 2, resources: { cpus: 0.5, mem: 256 },
      volumes: [{ path: 'data', size: 128 }], ports: [{ name: 'pg' }],
      tasks: [{ name: 'server', cmd: 'exec sleep 600', readinessCheck: { cmd: 'true' } }],
      ...over,
    }],
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    admin = await bearer(api.url);
    expect((await call(admin, 'PUT', '/v1/iam/users/tom', { password: 'tom-password-1' })).status).toBe(201);
    expect((await call(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'tom' }, resource: 'gantry:service:/team-b', action: 'full' })).status).toBe(201);
    tom = await bearer(api.url, 'tom', 'tom-password-1');
    prisma = createDb(db.url);
    repo = new StatefulServiceRepository(prisma);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await api?.close();
    await db?.drop();
  });

  /** What a framework pass would have written once db-0 was placed on `agentId` with its volume. */
  /** Writes a placement as the leader's pass would (again from a fresh read if the leader wrote meanwhile). */
  async function placeLikeAPass(id: string, agentId: string, hostname: string, attempt = 0): Promise<void> {
    const record = (await repo.get(id))!;
    const instance: PodInstanceState = {
      pod: 'db', index: 0, generation: 1, launches: 1, retired: [], restartRequestedAt: null, replaceRequestedAt: null, delay: null,
      reservation: {
        agentId, hostname, generation: 1, configId: record.configId, ports: [31005],
        resources: Resources.of([scalar('cpus', 0.5, { reservation: { role: 'team-a__db-role', type: 'dynamic' } })]),
        volumes: [{ id: 'team-a_db.db-0.data.g1', containerPath: 'data', size: 128 }],
      },
      tasks: [{
        taskId: 'team-a_db.db-0-server.1', name: 'server', configId: record.configId, agentId, state: 'TASK_RUNNING', healthy: null, ready: true,
        stagedAt: Date.now() - 1000, endedAt: null, killRequestedAt: null,
      }],
    };
    try {
      await repo.update(id, record.revision, { podInstances: [instance] }, new Date());
    } catch (error) {
      if (!(error instanceof RevisionConflictError) || attempt > 3) throw error;
      await placeLikeAPass(id, agentId, hostname, attempt + 1);
    }
  }

  it('refuses an invalid definition with 422 and a path per problem', async () => {
    const bad = await call(admin, 'POST', '/v1/stateful/services', {
      name: '/team-a/bad',
      pods: [{ name: 'Bad', resources: { cpus: 0, mem: 64 }, tasks: [{ name: 'a', cmd: 'x' }] }],
      extra: true,
    });
    expect(bad.status).toBe(422);
    expect(bad.body.details.map((d: { path: string }) => d.path)).toEqual(expect.arrayContaining(['/', '/pods/0/name', '/pods/0/resources/cpus']));

    // Shape right, semantics wrong: the core's checks, with their paths.
    const semantic = await call(admin, 'POST', '/v1/stateful/services', {
      name: '/team-a/bad',
      pods: [{ name: 'db', resources: { cpus: 1, mem: 64 }, volumes: [{ path: '../escape', size: 1 }], tasks: [{ name: 'a', cmd: 'x' }, { name: 'b', cmd: 'y' }] }],
      plans: { deploy: { phases: [{ name: 'p', pod: 'nope' }] } },
    });
    expect(semantic.status).toBe(422);
    const paths = semantic.body.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/pods/0/volumes/0/path', '/pods/0/tasks/0', '/pods/0/tasks/1', '/plans/deploy/phases/0/pod']));
    expect((await call(admin, 'GET', '/v1/stateful/services/team-a/bad')).status).toBe(404);

    const reserved = await call(admin, 'POST', '/v1/stateful/services', db1('/team-a/plans'));
    expect(reserved.status).toBe(422);
    expect(reserved.body.details[0].path).toBe('/name');
  });

  it('creates a service whose deploy plan shows at once, every step PENDING', async () => {
    const created = await call<StatefulServiceView>(admin, 'POST', '/v1/stateful/services', db1());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: '/team-a/db', status: 'DEPLOYING', role: 'team-a__db-role', uninstall: null });
    expect(created.body.plans).toEqual([{
      name: 'deploy', status: 'PENDING', strategy: 'serial', paused: false,
      phases: [{ name: 'db', status: 'PENDING', strategy: 'serial', paused: false, steps: [
        { name: 'db-0:[server]', podInstance: 'db-0', kind: 'DEPLOY', status: 'PENDING' },
        { name: 'db-1:[server]', podInstance: 'db-1', kind: 'DEPLOY', status: 'PENDING' },
      ] }],
    }]);
    expect(created.body.pods.map((p) => [p.name, p.status, p.reservation])).toEqual([['db-0', 'PENDING', null], ['db-1', 'PENDING', null]]);
    expect(created.body.pods[0]!.message).toBe('deploy: db-0:[server] PENDING');

    expect((await call(admin, 'POST', '/v1/stateful/services', db1())).status).toBe(409);
    const list = await call<{ services: StatefulServiceView[] }>(admin, 'GET', '/v1/stateful/services');
    expect(list.body.services.map((s) => s.id)).toContain('/team-a/db');
    expect((await call(admin, 'GET', '/v1/stateful/services/team-a/db/plans/deploy')).body.name).toBe('deploy');
  });

  it('pauses and resumes a plan and a phase, restarts and force-completes a step', async () => {
    const paused = await call<VerbResult>(admin, 'POST', '/v1/stateful/services/team-a/db/plans/deploy/pause');
    expect(paused.status).toBe(200);
    expect(paused.body.service.plans[0]).toMatchObject({ paused: true, status: 'WAITING' });
    const resumed = await call<VerbResult>(admin, 'POST', '/v1/stateful/services/team-a/db/plans/deploy/resume');
    // Resumed: the leader may already have begun its first step (no agent can take it here).
    expect(resumed.body.service.plans[0]).toMatchObject({ paused: false, status: expect.stringMatching(/^(PENDING|IN_PROGRESS)$/) });

    const phase = await call<VerbResult>(admin, 'POST', '/v1/stateful/services/team-a/db/plans/deploy/pause?phase=db');
    expect(phase.body.service.plans[0]!.phases[0]).toMatchObject({ paused: true, status: 'WAITING' });
    await call(admin, 'POST', '/v1/stateful/services/team-a/db/plans/deploy/resume?phase=db');

    const step = encodeURIComponent('db-0:[server]');
    const forced = await call<VerbResult>(admin, 'POST', `/v1/stateful/services/team-a/db/plans/deploy/force-complete?phase=db&step=${step}`);
    expect(forced.status).toBe(200);
    expect(forced.body.service.plans[0]!.phases[0]!.steps[0]!.status).toBe('COMPLETE');
    expect(forced.body.service.plans[0]!.status).toBe('IN_PROGRESS');

    const restarted = await call<VerbResult>(admin, 'POST', `/v1/stateful/services/team-a/db/plans/deploy/restart?phase=db&step=${step}`);
    expect(restarted.body.service.plans[0]!.phases[0]!.steps[0]!.status).toBe('PENDING');

    expect((await call(admin, 'POST', '/v1/stateful/services/team-a/db/plans/nope/pause')).status).toBe(404);
    expect((await call(admin, 'POST', '/v1/stateful/services/team-a/db/plans/deploy/force-complete?phase=db')).status).toBe(422);
  });

  it('restarts a pod in place and replaces one with a warning that its data is lost; a lost node shows as LOST', async () => {
    expect((await call(admin, 'POST', '/v1/stateful/services/team-a/db/pods/db-0/restart')).status).toBe(409); // not placed yet
    expect((await call(admin, 'POST', '/v1/stateful/services/team-a/db/pods/db-7/restart')).status).toBe(404);

    await placeLikeAPass('/team-a/db', 'agent-gone', 'node-x');
    const before = await call<StatefulServiceView>(admin, 'GET', '/v1/stateful/services/team-a/db');
    const pod = before.body.pods[0]!;
    expect(pod).toMatchObject({ name: 'db-0', status: 'LOST', reservation: { hostname: 'node-x', nodeState: 'UNKNOWN', ports: [{ name: 'pg', port: 31005 }], volumes: [{ id: 'team-a_db.db-0.data.g1', path: 'data', size: 128 }] } });
    expect(pod.message).toMatch(/waiting for node-x .*pod replace places it anew, and the data on node-x is lost/);
    expect(pod.tasks).toEqual([expect.objectContaining({ taskId: 'team-a_db.db-0-server.1', state: 'TASK_RUNNING', ready: true })]);

    const restart = await call<VerbResult>(admin, 'POST', '/v1/stateful/services/team-a/db/pods/db-0/restart');
    expect(restart.status).toBe(200);
    expect(restart.body.message).toMatch(/in place/);
    expect(restart.body.service.pods[0]).toMatchObject({ status: 'RESTARTING', restartRequestedAt: expect.any(String) });

    const replace = await call<VerbResult>(admin, 'POST', '/v1/stateful/services/team-a/db/pods/db-0/replace');
    expect(replace.status).toBe(200);
    expect(replace.body.warning).toBe('the data of db-0 on node-x is lost: its volume team-a_db.db-0.data.g1 is destroyed and it starts empty');
    expect(replace.body.service.pods[0]).toMatchObject({ status: 'REPLACING', replaceRequestedAt: expect.any(String) });
    // Still the same reservation: the leader's pass moves it to `retired` once its tasks are gone.
    expect((await repo.get('/team-a/db'))!.podInstances[0]!.reservation?.agentId).toBe('agent-gone');
  });

  it('updates to a new config, keeps the old one, and refuses what a running service cannot take', async () => {
    const before = (await call<StatefulServiceView>(admin, 'GET', '/v1/stateful/services/team-a/db')).body;
    const same = await call(admin, 'PUT', '/v1/stateful/services/team-a/db', db1());
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ changed: false, configId: before.configId });

    const bigger = await call(admin, 'PUT', '/v1/stateful/services/team-a/db', db1('/team-a/db', { resources: { cpus: 0.5, mem: 512 } }));
    expect(bigger.status).toBe(200);
    expect(bigger.body.changed).toBe(true);
    expect(bigger.body.configId).not.toBe(before.configId);
    expect(bigger.body.configIds).toEqual(expect.arrayContaining([before.configId, bigger.body.configId]));
    expect(bigger.body.definition.pods[0].resources.mem).toBe(512);
    // Until the leader's pass builds the update plan, the rollout says it is pending.
    expect(bigger.body).toMatchObject({ status: 'UPDATING', rollout: { plan: 'update', status: 'PENDING' } });
    const stored = (await repo.get('/team-a/db'))!;
    expect(stored.pastDefinitions[before.configId]!.pods[0]!.resources.mem).toBe(256);

    const fewer = await call(admin, 'PUT', '/v1/stateful/services/team-a/db', db1('/team-a/db', { count: 1, resources: { cpus: 0.5, mem: 512 } }));
    expect(fewer.status).toBe(422);
    expect(fewer.body.details).toEqual([{ path: '/pods/0/count', errors: [expect.stringMatching(/count cannot go down/)] }]);
    const volumes = await call(admin, 'PUT', '/v1/stateful/services/team-a/db', db1('/team-a/db', { volumes: [{ path: 'data', size: 999 }], resources: { cpus: 0.5, mem: 512 } }));
    expect(volumes.status).toBe(422);
    expect(volumes.body.details[0].path).toBe('/pods/0/volumes');
    const renamed = await call(admin, 'PUT', '/v1/stateful/services/team-a/db', db1('/team-a/other'));
    expect(renamed.status).toBe(422);
    expect(renamed.body.details[0].path).toBe('/name');
  });

  it('retries a verb that races the leader\'s write (RevisionConflictError) from a fresh read', async () => {
    const agents = new AgentRepository(prisma);
    let conflicts = 1;
    const racing = Object.create(repo) as StatefulServiceRepository;
    racing.update = async (...args: Parameters<StatefulServiceRepository['update']>) => {
      if (conflicts-- > 0) {
        // The leader's pass writes first: the revision the verb read is stale now.
        const r = (await repo.get(args[0]))!;
        await repo.update(args[0], r.revision, { plans: r.plans }, new Date());
        throw new RevisionConflictError('changed meanwhile');
      }
      return repo.update(...args);
    };
    const direct = new StatefulApi(prisma, racing, agents, async () => false, () => new Date());
    const superuser = { uid: 'admin', grants: [{ resource: 'gantry:superuser', action: 'full' }] } as unknown as Principal;
    const revision = (await repo.get('/team-a/db'))!.revision;
    const result = await direct.pausePlan(superuser, '/team-a/db', { plan: 'deploy' });
    expect(result.service.plans[0]!.paused).toBe(true);
    expect(result.service.revision).toBe(revision + 2); // the racing write, then ours
    await direct.resumePlan(superuser, '/team-a/db', { plan: 'deploy' });
    await expect(direct.pausePlan(superuser, '/team-a/db', { plan: 'nope' })).rejects.toBeInstanceOf(ServiceProblem);
  });

  it('keeps another team out: 403 whether or not the service exists, and no names in lists', async () => {
    expect((await call(tom, 'GET', '/v1/stateful/services/team-a/db')).status).toBe(403);
    expect((await call(tom, 'GET', '/v1/stateful/services/team-a/nothing')).status).toBe(403);
    expect((await call(tom, 'POST', '/v1/stateful/services', db1('/team-a/mine'))).status).toBe(403);
    expect((await call(tom, 'PUT', '/v1/stateful/services/team-a/db', db1())).status).toBe(403);
    expect((await call(tom, 'POST', '/v1/stateful/services/team-a/db/plans/deploy/pause')).status).toBe(403);
    expect((await call(tom, 'POST', '/v1/stateful/services/team-a/db/pods/db-0/replace')).status).toBe(403);
    expect((await call(tom, 'DELETE', '/v1/stateful/services/team-a/db')).status).toBe(403);
    const own = await call(tom, 'POST', '/v1/stateful/services', db1('/team-b/db'));
    expect(own.status).toBe(201);
    const list = await call<{ services: StatefulServiceView[] }>(tom, 'GET', '/v1/stateful/services');
    expect(list.body.services.map((s) => s.id)).toEqual(['/team-b/db']);
    expect((await call(admin, 'GET', '/v1/stateful/services')).body.services.map((s: StatefulServiceView) => s.id)).toEqual(['/team-a/db', '/team-b/db']);
  });

  it('uninstalls keeping the data unless asked, then refuses further changes', async () => {
    const keep = await call<VerbResult>(admin, 'DELETE', '/v1/stateful/services/team-b/db');
    expect(keep.status).toBe(202);
    expect(keep.body.service).toMatchObject({ status: 'UNINSTALLING', uninstall: { destroyData: false } });
    expect(keep.body.message).toMatch(/volumes and reservations are kept/);

    const placed = await call<VerbResult>(admin, 'DELETE', '/v1/stateful/services/team-a/db');
    expect(placed.body.message).toMatch(/kept \(db-0 on node-x\)/);
    const destroy = await call<VerbResult>(admin, 'DELETE', '/v1/stateful/services/team-a/db?destroyData=true');
    expect(destroy.body.service.uninstall).toEqual({ destroyData: true });
    expect(destroy.body.message).toMatch(/volumes destroyed and its reservations released/);
    // Never back to keeping the data once destroying may have begun.
    expect((await call<VerbResult>(admin, 'DELETE', '/v1/stateful/services/team-a/db')).body.service.uninstall).toEqual({ destroyData: true });
    expect((await repo.get('/team-a/db'))!.uninstall).toEqual({ destroyData: true });

    expect((await call(admin, 'POST', '/v1/stateful/services/team-a/db/plans/deploy/pause')).status).toBe(409);
    expect((await call(admin, 'POST', '/v1/stateful/services/team-a/db/pods/db-0/restart')).status).toBe(409);
    expect((await call(admin, 'PUT', '/v1/stateful/services/team-a/db', db1())).status).toBe(409);
  });
});
