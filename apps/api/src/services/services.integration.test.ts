import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MarathonAppView, MarathonTaskView } from '@gantry/specs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, restClient, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, type AgentProc } from '../testing/processes.js';
import { alive, reapTaskProcesses } from '../testing/task-processes.js';
import { waitFor } from '../testing/wait-for.js';

/**
 * Marathon's REST API against a real API, real Postgres and real agents running real
 * processes: `python3 -m http.server $PORT0` served on every instance.
 */
describe('services through /v2', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let auth: string;
  const agents: AgentProc[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    // Heartbeats every 300 ms, unreachable after 2 s: quick enough to watch an agent die,
    // slow enough that a busy machine does not lose agents that are alive.
    api = await startTestApi(db.url, { heartbeatIntervalMs: 300, missedHeartbeatsAllowed: 7, scheduler: { tickMs: 100, killRetryMs: 2000 } });
    await waitFor('leadership', () => api.isLeader());
    auth = await bearer(api.url);
    for (let i = 0; i < 4; i++) agents.push(await serviceAgent(i));
    await waitFor('four agents connected', async () => (await v2<{ nodes: unknown[] }>('GET', '/v1/nodes')).body.nodes.length === 4);
  });
  afterEach(async () => {
    // Every app goes, and with it every task its agents run.
    const { body } = await v2<{ apps: MarathonAppView[] }>('GET', '/v2/apps');
    for (const app of body.apps) await v2('DELETE', `/v2/apps${app.id}?force=true`);
    await waitFor('every task ended', async () => (await api.tasks.listLive()).length === 0, 30_000);
  });
  afterAll(async () => {
    await reapTaskProcesses(api.tasks);
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await api?.close();
    await db?.drop();
  });

  /** Agent i of four: zones a, b, c, a; its own port range; the same flags when it comes back. */
  function serviceAgent(i: number, workDir?: string): Promise<AgentProc> {
    return startAgent({
      hostname: `svc-${i}`, masters: [api.url], attributes: `zone:${'abca'[i]}`, ports: `${32000 + i * 100}-${32000 + i * 100 + 99}`,
      extraArgs: ['--status-retry-ms', '200'], ...(workDir ? { workDir } : {}),
    });
  }

  const v2 = restClient(() => api.url, () => auth);

  const tasksOf = async (id: string) => (await v2<{ tasks: MarathonTaskView[] }>('GET', `/v2/apps${id}/tasks`)).body.tasks;
  const deploymentsDone = (id: string) => waitFor(`deployments of ${id} finished`, async () => {
    const { body } = await v2<{ affectedApps: string[] }[]>('GET', '/v2/deployments');
    return body.every((d) => !d.affectedApps.includes(id));
  }, 45_000);
  const healthyTasks = async (id: string, count: number) => waitFor(`${count} healthy tasks of ${id}`, async () => {
    const tasks = (await tasksOf(id)).filter((t) => t.state === 'TASK_RUNNING' && t.healthCheckResults[0]?.alive === true);
    return tasks.length === count && tasks;
  }, 45_000);
  const answers = async (task: MarathonTaskView) => {
    const response = await fetch(`http://${task.host}:${task.ports[0]}/`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    return response?.status === 200;
  };

  const web = (id: string, over: Record<string, unknown> = {}) => ({
    id, cmd: 'exec python3 -m http.server $PORT0 --bind 127.0.0.1', cpus: 0.1, mem: 64, instances: 3,
    constraints: [['hostname', 'UNIQUE']],
    healthChecks: [{ protocol: 'MESOS_HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 2, maxConsecutiveFailures: 3, delaySeconds: 0 }],
    ...over,
  });

  it('deploys three healthy instances on three hosts, each answering, then scales them', async () => {
    const created = await v2<MarathonAppView>('POST', '/v2/apps', web('/team-a/web'));
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/v2/apps/team-a/web');
    const deploymentId = created.headers.get('marathon-deployment-id');
    expect(created.body).toMatchObject({ id: '/team-a/web', instances: 3, cpus: 0.1, mem: 64, deployments: [{ id: deploymentId }] });
    expect(created.body.portDefinitions[0]!.port).toBeGreaterThanOrEqual(10_000); // a service port, Marathon style

    const tasks = await healthyTasks('/team-a/web', 3);
    expect(new Set(tasks.map((t) => t.host + t.slaveId)).size).toBe(3);
    for (const task of tasks) expect(await answers(task)).toBe(true);
    await deploymentsDone('/team-a/web');
    const { body: view } = await v2<{ app: MarathonAppView }>('GET', '/v2/apps/team-a/web');
    expect(view.app).toMatchObject({ tasksRunning: 3, tasksHealthy: 3, tasksUnhealthy: 0, deployments: [] });

    const scaled = await v2<{ deploymentId: string; version: string }>('PUT', '/v2/apps/team-a/web', { instances: 4 });
    expect(scaled.status).toBe(200);
    expect(scaled.body.deploymentId).toBe(scaled.headers.get('marathon-deployment-id'));
    await healthyTasks('/team-a/web', 4);
    await deploymentsDone('/team-a/web');
    // Scaling keeps the config: the first three instances were not replaced.
    const after = await tasksOf('/team-a/web');
    for (const task of tasks) expect(after.map((t) => t.id)).toContain(task.id);
    const { body: versions } = await v2<{ versions: string[] }>('GET', '/v2/apps/team-a/web/versions');
    expect(versions.versions).toHaveLength(2);

    await v2('PUT', '/v2/apps/team-a/web', { instances: 2 });
    await waitFor('two instances left', async () => (await tasksOf('/team-a/web')).length === 2);
    await deploymentsDone('/team-a/web');
    // Every change is in the audit log, naming the service it changed.
    const { body: audit } = await v2<{ entries: { action: string; target: string | null; outcome: string }[] }>('GET', '/v1/audit?actor=admin&limit=50');
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: 'POST /v2/apps', target: 'gantry:service:/team-a/web', outcome: 'allowed' }));
    expect(audit.entries).toContainEqual(expect.objectContaining({ action: 'PUT /v2/apps/*id', target: 'gantry:service:/team-a/web' }));
  });

  it('rolls a restart through without ever dropping below the healthy capacity', async () => {
    await v2('POST', '/v2/apps', web('/team-a/roll', { upgradeStrategy: { minimumHealthCapacity: 1, maximumOverCapacity: 0.34 } }));
    const before = await healthyTasks('/team-a/roll', 3);
    await deploymentsDone('/team-a/roll');

    const restart = await v2<{ deploymentId: string }>('POST', '/v2/apps/team-a/roll/restart');
    expect(restart.status).toBe(200);
    // A client that follows the task list (as marathon-lb does) always finds three instances
    // answering: an old one is killed only once a new one is healthy. Every running task is
    // asked, healthy or not yet, so a kill between listing and asking is made up for by the
    // replacement that caused it.
    let lowest = Infinity;
    await waitFor('every instance replaced', async () => {
      const running = (await tasksOf('/team-a/roll')).filter((t) => t.state === 'TASK_RUNNING');
      const serving = (await Promise.all(running.map(answers))).filter(Boolean).length;
      lowest = Math.min(lowest, serving);
      const healthy = running.filter((t) => t.healthCheckResults[0]?.alive);
      const ids = new Set(healthy.map((t) => t.id));
      return healthy.length === 3 && running.length === 3 && before.every((t) => !ids.has(t.id));
    }, 60_000, 50);
    expect(lowest).toBeGreaterThanOrEqual(3);
    await deploymentsDone('/team-a/roll');
  });

  it('answers Marathon errors: 422 with every problem, 409 for an app in a deployment, 404 for what is not there', async () => {
    const bad = await v2<{ message: string; details: { path: string }[] }>('POST', '/v2/apps', { id: '/Bad_Id', cpus: -1, mem: 'lots', nonsense: true });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toBe('Object is not valid');
    expect(bad.body.details.map((d) => d.path)).toEqual(expect.arrayContaining(['/id', '/cpus', '/mem']));

    await v2('POST', '/v2/apps', web('/team-a/locked', { instances: 1, healthChecks: [] }));
    const again = await v2('POST', '/v2/apps', web('/team-a/locked'));
    expect(again.status).toBe(409);
    const locked = await v2<{ deployments: { id: string }[] }>('PUT', '/v2/apps/team-a/locked', { instances: 2 });
    // The first deployment may already be done; if it is not, the change is refused until forced.
    if (locked.status === 409) {
      expect(locked.body.deployments.length).toBe(1);
      expect((await v2('PUT', '/v2/apps/team-a/locked?force=true', { instances: 2 })).status).toBe(200);
    } else expect(locked.status).toBe(200);
    expect((await v2('GET', '/v2/apps/team-a/nothing')).status).toBe(404);
    expect((await v2('DELETE', '/v2/deployments/no-such-deployment')).status).toBe(404);
    expect((await v2('PUT', '/v2/apps/team-a/locked', { instances: -1 })).status).toBe(422);
  });

  it('replaces the instances of an agent that dies', async () => {
    await v2('POST', '/v2/apps', web('/team-a/survivor', { instances: 2 }));
    const tasks = await healthyTasks('/team-a/survivor', 2);
    await deploymentsDone('/team-a/survivor');
    const victim = agents.findIndex((a) => a.output().includes(tasks[0]!.slaveId));
    expect(victim).toBeGreaterThanOrEqual(0);
    const dead = agents[victim]!;
    const orphanPid = (await api.tasks.get(tasks[0]!.id))!.pid!;
    await dead.kill('SIGKILL');
    const replaced = await waitFor('a replacement elsewhere', async () => {
      const now = (await tasksOf('/team-a/survivor')).filter((t) => t.state === 'TASK_RUNNING' && t.healthCheckResults[0]?.alive);
      return now.length === 2 && !now.some((t) => t.id === tasks[0]!.id) && now;
    }, 45_000);
    expect(replaced.map((t) => t.slaveId)).not.toContain(tasks[0]!.slaveId);
    // The agent comes back (its task survived it) and the surplus instance is killed.
    const back = await serviceAgent(victim, dead.workDir);
    agents[victim] = back;
    expect(alive(orphanPid)).toBe(true); // the agent's death did not take its task
    await waitFor('the expunged task killed on return', () => !alive(orphanPid), 30_000);
    expect((await api.tasks.get(tasks[0]!.id))!.state).toBe('TASK_GONE');
    expect((await tasksOf('/team-a/survivor')).filter((t) => t.state === 'TASK_RUNNING')).toHaveLength(2);
  });

  it('drains a node: its instances move elsewhere and it takes nothing new until reactivated', async () => {
    await v2('POST', '/v2/apps', web('/team-a/mover', { instances: 1, constraints: [] }));
    const [task] = await healthyTasks('/team-a/mover', 1);
    await deploymentsDone('/team-a/mover');
    expect((await v2('POST', `/v1/nodes/${task!.slaveId}/drain`)).status).toBe(200);
    const moved = await waitFor('the instance moved', async () => {
      const [now] = (await tasksOf('/team-a/mover')).filter((t) => t.state === 'TASK_RUNNING' && t.healthCheckResults[0]?.alive);
      return now && now.slaveId !== task!.slaveId && now;
    }, 45_000);
    expect(moved.id).not.toBe(task!.id);
    const { body } = await v2<{ nodes: { id: string; mode: string; used: { cpus: number } }[] }>('GET', '/v1/nodes');
    const drained = body.nodes.find((n) => n.id === task!.slaveId)!;
    expect(drained.mode).toBe('DRAINING');
    await waitFor('nothing held on the drained node', async () => (await v2<typeof body>('GET', '/v1/nodes')).body.nodes.find((n) => n.id === task!.slaveId)!.used.cpus === 0);
    expect((await v2('POST', `/v1/nodes/${task!.slaveId}/reactivate`)).status).toBe(200);
    expect((await v2('POST', '/v1/nodes/no-such-node/drain')).status).toBe(404);
  });

  /** Reads `/v2/events` until `until` has seen what it wants; returns every event read. */
  async function events(path: string, token: string, until: (seen: { type: string; data: Record<string, unknown> }[]) => boolean, during: () => Promise<unknown>) {
    const controller = new AbortController();
    const response = await fetch(`${api.url}${path}`, { headers: { authorization: token, accept: 'text/event-stream' }, signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (type && data) seen.push({ type, data: JSON.parse(data) });
        }
      }
    })().catch(() => undefined);
    await during();
    await waitFor('the events expected', () => until(seen), 45_000);
    controller.abort();
    await reading;
    return seen;
  }

  it('streams Marathon events, filtered by type, and each subscriber sees only apps it may read', async () => {
    expect((await v2('PUT', '/v1/iam/users/bea', { password: 'bea-password' })).status).toBe(201);
    expect((await v2('POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'bea' }, resource: 'gantry:service:/team-b', action: 'full' })).status).toBe(201);
    const bea = await bearer(api.url, 'bea', 'bea-password');
    const admin = auth;
    let beaSaw: { type: string; data: Record<string, unknown> }[] = [];
    const beaWatching = events('/v2/events', bea, (seen) => seen.some((e) => e.type === 'deployment_success'), async () => undefined)
      .then((seen) => (beaSaw = seen));
    const seen = await events('/v2/events?event_type=status_update_event&event_type=deployment_success', admin,
      (all) => all.some((e) => e.type === 'deployment_success') && all.some((e) => e.type === 'status_update_event' && e.data.taskStatus === 'TASK_RUNNING'),
      async () => {
        await v2('POST', '/v2/apps', web('/team-a/evented', { instances: 1, healthChecks: [] }));
        await deploymentsDone('/team-a/evented');
        auth = bea;
        try {
          expect((await v2('POST', '/v2/apps', web('/team-b/own', { instances: 1, healthChecks: [] }))).status).toBe(201);
          // A team-b member cannot touch team-a, and cannot tell whether an app exists there.
          expect((await v2('GET', '/v2/apps/team-a/evented')).status).toBe(403);
          expect((await v2('GET', '/v2/apps/team-a/nothing-here')).status).toBe(403);
          expect((await v2('DELETE', '/v2/apps/team-a/evented')).status).toBe(403);
          const listed = await v2<{ apps: { id: string }[] }>('GET', '/v2/apps');
          expect(listed.body.apps.map((a) => a.id)).toEqual(['/team-b/own']);
          const tree = await v2<{ groups: { id: string }[] }>('GET', '/v2/groups');
          expect(tree.body.groups.map((g) => g.id)).toEqual(['/team-b']);
        } finally {
          auth = admin;
        }
        await deploymentsDone('/team-b/own');
      });
    expect(new Set(seen.map((e) => e.type))).toEqual(new Set(['status_update_event', 'deployment_success']));
    const running = seen.find((e) => e.type === 'status_update_event' && e.data.taskStatus === 'TASK_RUNNING')!;
    expect(running.data).toMatchObject({ appId: expect.stringMatching(/^\/team-[ab]\//), host: '127.0.0.1' });
    expect((running.data.ports as number[]).length).toBe(1);
    await beaWatching;
    const beaApps = beaSaw.flatMap((e) => (e.data.appId ? [e.data.appId] : []));
    expect(beaApps.length).toBeGreaterThan(0);
    expect(beaApps.every((id) => String(id).startsWith('/team-b/'))).toBe(true);
    expect(beaSaw.some((e) => JSON.stringify(e.data).includes('/team-a/'))).toBe(false);
  });

  it('explains in /v2/queue why an app cannot be placed: every node, every reason', async () => {
    await v2('POST', '/v2/apps', web('/team-a/nowhere', { instances: 2, constraints: [['zone', 'LIKE', 'mars']] }));
    const entry = await waitFor('the app waiting in the queue', async () => {
      const { body } = await v2<{ queue: { app: { id: string }; count: number; processedOffersSummary: { processedOffersCount: number; rejectSummaryLastOffers: { reason: string; declined: number }[] }; lastUnusedOffers: { offer: { hostname: string }; reason: string[]; details: { detail: string }[] }[] }[] }>('GET', '/v2/queue?embed=lastUnusedOffers');
      const item = body.queue.find((q) => q.app.id === '/team-a/nowhere');
      return item && item.processedOffersSummary.processedOffersCount > 0 && item;
    });
    expect(entry.count).toBe(2);
    const constraint = entry.processedOffersSummary.rejectSummaryLastOffers.find((r) => r.reason === 'UnfulfilledConstraint')!;
    expect(constraint.declined).toBe(4);
    expect(entry.lastUnusedOffers.map((o) => o.offer.hostname).sort()).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-3']);
    for (const o of entry.lastUnusedOffers) {
      expect(o.reason).toContain('UnfulfilledConstraint');
      expect(o.details.map((d) => d.detail).join(' ')).toMatch(/mars/);
    }
    // A deployment that cannot finish can be rolled back: the app is gone again.
    const [deployment] = (await v2<{ id: string; affectedApps: string[] }[]>('GET', '/v2/deployments')).body.filter((d) => d.affectedApps.includes('/team-a/nowhere'));
    const rollback = await v2<{ deploymentId: string }>('DELETE', `/v2/deployments/${deployment!.id}`);
    expect(rollback.status).toBe(200);
    await waitFor('the app removed by the rollback', async () => (await v2('GET', '/v2/apps/team-a/nowhere')).status === 404);
    await deploymentsDone('/team-a/nowhere');
  });

  it('keeps every version: a config change restarts the instances, a rollback brings the old config back', async () => {
    await v2('POST', '/v2/apps', web('/team-a/versioned', { instances: 1, env: { COLOUR: 'blue' } }));
    const [first] = await healthyTasks('/team-a/versioned', 1);
    await deploymentsDone('/team-a/versioned');
    const [v1] = (await v2<{ versions: string[] }>('GET', '/v2/apps/team-a/versioned/versions')).body.versions;
    await v2('PUT', '/v2/apps/team-a/versioned', { env: { COLOUR: 'green' } });
    const [second] = await waitFor('a new instance of the new config', async () => {
      const tasks = (await healthyTasks('/team-a/versioned', 1));
      return tasks[0]!.id !== first!.id && tasks;
    });
    await deploymentsDone('/team-a/versioned');
    expect((await v2<{ env: Record<string, string> }>('GET', `/v2/apps/team-a/versioned/versions/${v1}`)).body.env).toEqual({ COLOUR: 'blue' });
    expect((await v2('PUT', '/v2/apps/team-a/versioned', { version: v1 })).status).toBe(200);
    await waitFor('the rolled-back instance', async () => {
      const tasks = await healthyTasks('/team-a/versioned', 1);
      return tasks[0]!.id !== second!.id;
    });
    const { body } = await v2<{ app: { env: Record<string, string>; versionInfo: { lastConfigChangeAt: string } } }>('GET', '/v2/apps/team-a/versioned');
    expect(body.app.env).toEqual({ COLOUR: 'blue' });
    expect((await v2<{ versions: string[] }>('GET', '/v2/apps/team-a/versioned/versions')).body.versions).toHaveLength(3);
    await deploymentsDone('/team-a/versioned');
  });

  it('kills one task (replaced) or kills and scales down (not replaced)', async () => {
    await v2('POST', '/v2/apps', web('/team-a/killable', { instances: 2 }));
    const tasks = await healthyTasks('/team-a/killable', 2);
    await deploymentsDone('/team-a/killable');
    const killed = await v2<{ task: { id: string } }>('DELETE', `/v2/apps/team-a/killable/tasks/${tasks[0]!.id}`);
    expect(killed.status).toBe(200);
    expect(killed.body.task.id).toBe(tasks[0]!.id);
    const replaced = await waitFor('a replacement', async () => {
      const now = await healthyTasks('/team-a/killable', 2);
      return !now.some((t) => t.id === tasks[0]!.id) && now;
    });
    const scaled = await v2<{ deploymentId: string }>('DELETE', `/v2/apps/team-a/killable/tasks/${replaced[0]!.id}?scale=true`);
    expect(scaled.status).toBe(200);
    expect(scaled.body.deploymentId).toBeTruthy();
    await deploymentsDone('/team-a/killable');
    await waitFor('one instance left, the other one', async () => {
      const now = (await tasksOf('/team-a/killable')).filter((t) => t.state === 'TASK_RUNNING');
      return now.length === 1 && now[0]!.id === replaced[1]!.id;
    });
    expect((await v2<{ app: { instances: number } }>('GET', '/v2/apps/team-a/killable')).body.app.instances).toBe(1);
  });

  it('creates a group of apps in dependency order and removes it whole', async () => {
    const created = await v2<{ deploymentId: string }>('POST', '/v2/groups', {
      id: '/team-a/shop',
      apps: [
        { ...web('frontend', { instances: 1, constraints: [] }), dependencies: ['/team-a/shop/backend'] },
        web('backend', { instances: 1, constraints: [] }),
      ],
    });
    expect(created.status).toBe(201);
    const [deployment] = (await v2<{ id: string; steps: { actions: { action: string; app: string }[] }[] }[]>('GET', '/v2/deployments')).body.filter((d) => d.id === created.body.deploymentId);
    if (deployment) {
      // Marathon starts every new app (with no instances) first, then scales them in dependency order.
      const stepOf = (action: string) => deployment.steps.findIndex((s) => s.actions.some((a) => `${a.action} ${a.app}` === action));
      expect(stepOf('ScaleApplication /team-a/shop/backend')).toBeLessThan(stepOf('ScaleApplication /team-a/shop/frontend'));
    }
    await healthyTasks('/team-a/shop/frontend', 1);
    await healthyTasks('/team-a/shop/backend', 1);
    await deploymentsDone('/team-a/shop/frontend');
    const { body: group } = await v2<{ id: string; apps: { id: string }[] }>('GET', '/v2/groups/team-a/shop');
    expect(group.apps.map((a) => a.id).sort()).toEqual(['/team-a/shop/backend', '/team-a/shop/frontend']);
    expect((await v2('DELETE', '/v2/groups/team-a/shop')).status).toBe(200);
    await waitFor('the group gone', async () => (await v2('GET', '/v2/groups/team-a/shop')).status === 404);
  });

  it('fetches what an app asks for into the sandbox before it starts: a script over http, an archive from a local path, extracted', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gantry-fetch-'));
    await mkdir(join(dir, 'site'));
    await writeFile(join(dir, 'site', 'index.html'), 'fetched and extracted\n');
    execFileSync('tar', ['-czf', join(dir, 'site.tgz'), '-C', dir, 'site']);
    const server = createServer((req, res) => {
      if (req.url === '/hello.sh') res.end('#!/bin/sh\necho hello from a fetched script\n');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      await v2('POST', '/v2/apps', web('/team-a/fetched', {
        instances: 1, constraints: [],
        fetch: [{ uri: `http://127.0.0.1:${port}/hello.sh`, executable: true }, { uri: `file://${join(dir, 'site.tgz')}` }],
        cmd: './hello.sh && cd site && exec python3 -m http.server $PORT0 --bind 127.0.0.1',
      }));
      const [task] = await healthyTasks('/team-a/fetched', 1);
      const page = await fetch(`http://${task!.host}:${task!.ports[0]}/index.html`);
      expect(await page.text()).toBe('fetched and extracted\n');
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds a group to its quota when placing: under a lowered quota a killed instance waits, and is replaced once the quota is raised', async () => {
    expect((await v2('PUT', '/v1/quotas/team-q', { cpus: 1 })).status).toBe(200);
    expect((await v2('POST', '/v2/apps', web('/team-q/web', { instances: 2, cpus: 0.25, constraints: [], healthChecks: [] }))).status).toBe(201);
    const running = async () => (await tasksOf('/team-q/web')).filter((t) => t.state === 'TASK_RUNNING');
    const [first] = await waitFor('two instances running', async () => { const r = await running(); return r.length === 2 && r; }, 45_000);
    await deploymentsDone('/team-q/web');

    // Lowered below what the group runs: allowed (it can always shrink), and nothing is killed.
    expect((await v2('PUT', '/v1/quotas/team-q', { cpus: 0.25 })).status).toBe(200);
    expect((await v2('DELETE', `/v2/apps/team-q/web/tasks/${first!.id}`)).status).toBe(200);
    await waitFor('the killed instance gone', async () => !(await tasksOf('/team-q/web')).some((t) => t.id === first!.id));
    // Its replacement would take the group to 0.5 cpus: the allocator offers nothing for it, pass after pass.
    const passes = api.scheduler.stats().passes;
    await waitFor('ten more scheduler passes', () => api.scheduler.stats().passes >= passes + 10);
    expect(await running()).toHaveLength(1);

    expect((await v2('PUT', '/v1/quotas/team-q', { cpus: 1 })).status).toBe(200);
    await waitFor('the instance replaced', async () => (await running()).length === 2, 45_000);
    expect((await v2('DELETE', '/v1/quotas/team-q')).status).toBe(204);
  });
});
