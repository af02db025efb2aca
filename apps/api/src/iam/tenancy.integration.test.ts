import { readFileSync } from 'node:fs';
import type { MarathonTaskView } from '@gantry/specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi, TEST_ADMIN_PASSWORD } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, type AgentProc } from '../testing/processes.js';
import { LDAP_READER_DN, LDAP_SUFFIX, startTestDirectory, type TestDirectory } from '../testing/slapd.js';
import { waitFor } from '../testing/wait-for.js';

/**
 * Issue 7's "done when", over the REST API: an LDAP user of the directory's group
 * `team-a`, holding `full` on `gantry:service:/team-a` through that group, deploys
 * `/team-a/web` with its own token, reads its tasks, logs and events, and sees or
 * touches nothing of `/team-b` — lists, details, tasks, logs, events — nor grants itself
 * more; every step is in the audit log. Real slapd, real Postgres, a real agent
 * running the tasks.
 */
describe('a tenant of the cluster, end to end (LDAP user, real agent)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let directory: TestDirectory;
  let agent: AgentProc;
  let admin: string;
  let lena: string; // team-a, from the directory
  let tom: string; // team-b, from the directory

  type Answer = { status: number; body: any; text: string }; // eslint-disable-line @typescript-eslint/no-explicit-any
  const call = async (authorization: string, method: string, path: string, body?: unknown): Promise<Answer> => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    return { status: response.status, body: parsed, text };
  };
  const login = async (uid: string, password: string) => {
    const answer = await call('', 'POST', '/v1/auth/login', { uid, password });
    expect(answer.status, `${uid} logs in`).toBe(200);
    return `Bearer ${answer.body.token as string}`;
  };
  const app = (id: string, marker: string) => ({
    id, cmd: `echo "${marker}"; exec sleep 600`, cpus: 0.1, mem: 32, instances: 1, healthChecks: [],
  });
  const runningTask = (authorization: string, id: string) => waitFor(`a running task of ${id}`, async () => {
    const { body } = await call(authorization, 'GET', `/v2/apps${id}/tasks`);
    return (body?.tasks as MarathonTaskView[] | undefined)?.find((t) => t.state === 'TASK_RUNNING');
  }, 45_000);

  beforeAll(async () => {
    directory = await startTestDirectory(
      [{ uid: 'lena', password: 'lena-directory-pw' }, { uid: 'tom', password: 'tom-directory-pw' }],
      { 'team-a': ['lena'], 'team-b': ['tom'] },
    );
    db = await createTestDatabase();
    api = await startTestApi(db.url, { scheduler: { tickMs: 100 } });
    await waitFor('leadership', () => api.isLeader());
    admin = await bearer(api.url);
    agent = await startAgent({ hostname: 'tenant-node', masters: [api.url] });
    await waitFor('the agent connected', async () => (await call(admin, 'GET', '/v1/nodes')).body.nodes.length === 1);

    // The operator: the directory, the two teams' groups and their grants.
    expect((await call(admin, 'POST', '/v1/iam/providers', {
      id: 'corp', kind: 'LDAP', displayName: 'Corporate directory',
      config: {
        host: '127.0.0.1', port: directory.port, security: 'none', bindDn: LDAP_READER_DN, bindPassword: directory.readerPassword,
        userSearchBase: `ou=people,${LDAP_SUFFIX}`, userSearchFilter: '(objectClass=inetOrgPerson)', groupSearchBase: `ou=groups,${LDAP_SUFFIX}`,
      },
    })).status).toBe(201);
    for (const team of ['team-a', 'team-b']) {
      expect((await call(admin, 'PUT', `/v1/iam/groups/${team}`, { description: team })).status).toBe(200);
      expect((await call(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'GROUP', id: team }, resource: `gantry:service:/${team}`, action: 'full' })).status).toBe(201);
    }
    expect((await call(admin, 'PUT', '/v1/quotas/team-a', { cpus: 0.5, instances: 3 })).status).toBe(200);

    lena = await login('lena', 'lena-directory-pw');
    tom = await login('tom', 'tom-directory-pw');
    expect((await call(tom, 'POST', '/v2/apps', app('/team-b/api', 'secret of team b'))).status).toBe(201);
  });
  afterAll(async () => {
    // Tasks live in sessions of their own and survive their agent: end every one that ran.
    for (const task of (await api?.tasks.listByApps(null)) ?? []) {
      try {
        if (task.pid && readFileSync(`/proc/${task.pid}/cmdline`, 'utf8').includes('sleep')) process.kill(-task.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await agent?.kill('SIGKILL');
    await api?.close();
    await db?.drop();
    await directory?.close();
  });

  it('knows the directory user, its synced group and the grant it holds through it', async () => {
    const whoami = await call(lena, 'GET', '/v1/auth/whoami');
    expect(whoami.body).toMatchObject({ uid: 'lena', kind: 'user', groups: ['team-a'], grants: [{ resource: 'gantry:service:/team-a', action: 'full' }] });
  });

  it('deploys /team-a/web with its own token and reads its task and logs', async () => {
    const created = await call(lena, 'POST', '/v2/apps', app('/team-a/web', 'hello from team a'));
    expect(created.status).toBe(201);
    const task = await runningTask(lena, '/team-a/web');
    expect((await call(lena, 'GET', `/v1/tasks/${task.id}`)).body).toMatchObject({ id: task.id, appId: '/team-a/web', state: 'TASK_RUNNING' });
    const log = await waitFor('the task\'s stdout', async () => {
      const answer = await call(lena, 'GET', `/v1/tasks/${task.id}/logs/stdout`);
      return answer.status === 200 && (answer.body.data as string).includes('hello from team a') && answer;
    });
    expect(log.body.offset).toBe(0);
    // The live tail too (follow=true): its first bytes are the log so far.
    const controller = new AbortController();
    const followed = await fetch(`${api.url}/v1/tasks/${task.id}/logs/stdout?follow=true`, { headers: { authorization: lena }, signal: controller.signal });
    expect(followed.status).toBe(200);
    const reader = followed.body!.pipeThrough(new TextDecoderStream()).getReader();
    let tail = '';
    while (!tail.includes('hello from team a')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      tail += chunk.value;
    }
    expect(tail).toContain('hello from team a');
    controller.abort();
  });

  it('sees nothing of /team-b: lists, details, tasks, logs and events, refused alike whether or not things exist', async () => {
    const teamB = await runningTask(tom, '/team-b/api');
    expect((await call(lena, 'GET', '/v2/apps')).body.apps.map((a: { id: string }) => a.id)).toEqual(['/team-a/web']);
    expect((await call(lena, 'GET', '/v2/groups')).body.groups.map((g: { id: string }) => g.id)).toEqual(['/team-a']);
    expect((await call(lena, 'GET', '/v2/tasks')).body.tasks.map((t: { appId: string }) => t.appId)).toEqual(['/team-a/web']);
    expect((await call(lena, 'GET', '/v2/deployments')).body.every((d: { affectedApps: string[] }) => d.affectedApps.every((a) => a.startsWith('/team-a/')))).toBe(true);
    for (const [method, path] of [['GET', '/v2/apps/team-b/api'], ['GET', '/v2/apps/team-b/nothing'], ['GET', '/v2/apps/team-b/api/tasks'], ['DELETE', '/v2/apps/team-b/api']] as const) {
      expect((await call(lena, method, path)).status, `${method} ${path}`).toBe(403);
    }
    expect((await call(lena, 'PUT', '/v2/apps/team-b/api', { instances: 0 })).status).toBe(403);
    expect((await call(lena, 'POST', '/v2/apps', app('/team-b/planted', 'x'))).status).toBe(403);
    expect((await call(lena, 'GET', '/v1/quotas/team-b')).status).toBe(403);
    expect((await call(lena, 'GET', '/v1/quotas')).body.quotas.map((q: { group: string }) => q.group)).toEqual(['team-a']);

    // Another team's task and its logs answer exactly as a task that does not exist.
    const task = await call(lena, 'GET', `/v1/tasks/${teamB.id}`);
    const ghost = await call(lena, 'GET', '/v1/tasks/team-b_no-such-task');
    expect(task.status).toBe(403);
    expect(task.body).toEqual(ghost.body);
    expect(task.text).not.toContain('team-b');
    for (const query of ['', '?follow=true']) {
      const logs = await call(lena, 'GET', `/v1/tasks/${teamB.id}/logs/stdout${query}`);
      const ghostLogs = await call(lena, 'GET', `/v1/tasks/team-b_no-such-task/logs/stdout${query}`);
      expect(logs.status).toBe(403);
      expect(logs.body).toEqual(ghostLogs.body);
      expect(logs.text).not.toContain('secret of team b');
    }
    // The operator's sandbox grant still reads every task's logs.
    const operator = await call(admin, 'GET', `/v1/tasks/${teamB.id}/logs/stdout`);
    expect(operator.status).toBe(200);
    expect(operator.body.data).toContain('secret of team b');
    expect((await call(admin, 'GET', '/v1/tasks/no-such-task')).status).toBe(404);
  });

  it('streams only its own apps\' events', async () => {
    const controller = new AbortController();
    const response = await fetch(`${api.url}/v2/events`, { headers: { authorization: lena, accept: 'text/event-stream' }, signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let stream = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        stream += value;
      }
    })().catch(() => undefined);
    // Both teams change something; lena hears of her own change only.
    expect((await call(tom, 'POST', '/v2/apps/team-b/api/restart?force=true')).status).toBe(200);
    expect((await call(lena, 'POST', '/v2/apps/team-a/web/restart?force=true')).status).toBe(200);
    await waitFor('lena\'s restart on her stream', () => stream.includes('/team-a/web'));
    await waitFor('tom\'s restart done', async () => !(await call(tom, 'GET', '/v2/deployments')).body.some((d: { affectedApps: string[] }) => d.affectedApps.includes('/team-b/api')), 45_000);
    controller.abort();
    await reading;
    expect(stream).not.toContain('team-b');
  });

  it('cannot grant itself more, nor raise its quota, nor exceed it', async () => {
    for (const resource of ['gantry:service:/team-b', 'gantry:service:/', 'gantry:superuser']) {
      const grant = await call(lena, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'lena' }, resource, action: 'full' });
      expect(grant).toMatchObject({ status: 403, body: { message: 'forbidden: no grant of update on gantry:iam' } });
    }
    expect((await call(lena, 'GET', '/v1/iam/resources')).status).toBe(403);
    expect((await call(lena, 'PUT', '/v1/quotas/team-a', { cpus: 64 })).status).toBe(403);
    const over = await call(lena, 'PUT', '/v2/apps/team-a/web?force=true', { instances: 6 });
    expect(over.status).toBe(422);
    expect(over.body.message).toBe('this deployment would exceed the quota of /team-a: /team-a would want 0.6 cpus in all (0.1 now); its quota allows 0.5; /team-a would want 6 instances in all (1 now); its quota allows 3');
  });

  it('offers an operator every resource kind and service group when granting', async () => {
    const resources = await call(admin, 'GET', '/v1/iam/resources');
    expect(resources.body.serviceGroups).toEqual(['/team-a', '/team-b']);
    expect(resources.body.kinds.map((k: { resource: string }) => k.resource)).toEqual(expect.arrayContaining(['gantry:service', 'gantry:agent:sandbox', 'gantry:quota', 'gantry:superuser']));
  });

  it('keeps local admins signing in while the directory is down, and says the directory is down', async () => {
    await directory.stop();
    try {
      const down = await call('', 'POST', '/v1/auth/login', { uid: 'lena', password: 'lena-directory-pw' });
      expect(down.status).toBe(503);
      expect(down.body.message).toMatch(/^the directory "Corporate directory" is unavailable: /);
      expect((await call('', 'POST', '/v1/auth/login', { uid: 'admin', password: TEST_ADMIN_PASSWORD })).status).toBe(200);
      // A token issued before keeps working: the directory is asked at login only.
      expect((await call(lena, 'GET', '/v2/apps')).status).toBe(200);
    } finally {
      await directory.start();
    }
  });

  it('has every step in the audit log: who, what, target, outcome, from where', async () => {
    const { entries } = (await call(admin, 'GET', '/v1/audit?actor=lena&limit=500')).body;
    const seen = new Set(entries.map((e: { action: string; status: number; outcome: string; target: string | null }) => `${e.action} ${e.status} ${e.outcome} ${e.target ?? '-'}`));
    for (const step of [
      'POST /v1/auth/login 200 allowed -',
      'POST /v1/auth/login 503 failed -',
      'POST /v2/apps 201 allowed gantry:service:/team-a/web',
      'POST /v2/apps 403 denied gantry:service:/team-b/planted',
      'GET /v2/apps/*id 403 denied gantry:service:/team-b/api',
      'GET /v2/apps/*id 403 denied gantry:service:/team-b/nothing',
      'DELETE /v2/apps/*id 403 denied gantry:service:/team-b/api',
      'GET /v1/tasks/:taskId 403 denied -',
      'GET /v1/tasks/:taskId/logs/:file 403 denied -',
      'GET /v1/quotas/:group 403 denied -',
      'PUT /v1/quotas/:group 403 denied gantry:quota:/team-a',
      'POST /v1/iam/grants 403 denied gantry:iam',
      'GET /v1/iam/resources 403 denied gantry:iam',
      'PUT /v2/apps/*id 422 failed gantry:service:/team-a/web',
      'POST /v2/apps/*id/restart 200 allowed gantry:service:/team-a/web',
    ]) expect(seen, step).toContain(step);
    expect(entries.every((e: { source: string; at: string }) => e.source.length > 0 && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('lena-directory-pw');
  });
});
