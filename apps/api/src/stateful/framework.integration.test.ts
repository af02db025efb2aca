import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, restClient, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { reapTaskProcesses } from '../testing/task-processes.js';
import { waitFor } from '../testing/wait-for.js';

interface Pod {
  name: string;
  status: string;
  reservation: { agentId: string; address: string | null; ports: { name: string; port: number }[]; volumes: { id: string }[] } | null;
  tasks: { taskId: string; state: string; ready: boolean | null }[];
}

/**
 * Issue #8's "done when", through the API alone, with real agents, real processes and
 * real data: PostgreSQL installed from the catalog on a 256 MB persistent volume keeps
 * its rows when its process is killed (relaunched in place, same node, same volume) and
 * when its agent restarts; an option change rolls out through the update plan; uninstall
 * releases the volume. And a Marathon resident app (/v2/apps with a persistent volume),
 * run by the same framework.
 *
 * Agents' ports stay below 32768, where Linux picks outgoing connections' ports.
 */
describe('stateful services on real agents', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let auth: string;
  const agents: AgentProc[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url, { heartbeatIntervalMs: 300, missedHeartbeatsAllowed: 7, scheduler: { tickMs: 100 } });
    await waitFor('leadership', () => api.isLeader());
    auth = await bearer(api.url);
    for (let i = 0; i < 2; i++) agents.push(await dataAgent(i));
    await waitFor('two agents', async () => (await call<{ nodes: unknown[] }>('GET', '/v1/nodes')).body.nodes.length === 2);
  });
  afterAll(async () => {
    await reapTaskProcesses(api.tasks);
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await api?.close();
    await db?.drop();
  });

  function dataAgent(i: number, workDir?: string): Promise<AgentProc> {
    return startAgent({
      hostname: `data-${i}`, masters: [api.url], attributes: `zone:${'ab'[i]}`, ports: `${30000 + i * 100}-${30099 + i * 100}`,
      extraArgs: ['--status-retry-ms', '200', '--mem', '2048'], ...(workDir ? { workDir } : {}),
    });
  }

  const call = restClient(() => api.url, () => auth);

  const pods = async (service = 'data/pg') => (await call<{ pods: Pod[] }>('GET', `/v1/stateful/services/${service}/pods`)).body?.pods;
  // On a timeout, say where the pod got stuck (its status and message, its tasks).
  const explained = async <T>(wait: Promise<T>, service = 'data/pg'): Promise<T> => wait.catch(async (error: Error) => {
    throw new Error(`${error.message}\npods: ${JSON.stringify(await pods(service), null, 1)}\nagents:\n${agents.map((a) => a.output().slice(-2000)).join('\n---\n')}`);
  });
  const runningPod = (notTask?: string) => explained(waitFor('the pod running and ready', async () => {
    const [pod] = await pods();
    const task = pod?.tasks.find((t) => t.state === 'TASK_RUNNING');
    if (!pod?.reservation || !task || task.taskId === notTask) return undefined;
    const row = await api.tasks.get(task.taskId);
    return row?.ready === true && { pod, reservation: pod.reservation, task, pid: row.pid! };
  }, 90_000));
  const sql = async (pod: Pod, text: string) => {
    const client = new pg.Client({ host: pod.reservation!.address!, port: pod.reservation!.ports[0]!.port, user: 'postgres', database: 'postgres' });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  };

  it('keeps its rows through a killed process and a restarted agent, rolls an option change out, and releases its volume on uninstall', { timeout: 400_000 }, async () => {
    const installed = await call<{ id: string }>('POST', '/v1/packages/postgresql/install', {
      options: { service: { name: '/data/pg' }, postgresql: { volume_size: 256 } },
    });
    expect(installed.status).toBe(201);
    const first = await runningPod();
    expect(first.reservation.volumes).toHaveLength(1);
    await sql(first.pod, 'CREATE TABLE fruit (name text); INSERT INTO fruit VALUES (\'apple\'), (\'pear\')');

    // The server process dies: relaunched in place — same node, same volume, rows intact.
    process.kill(-first.pid, 'SIGKILL');
    const second = await runningPod(first.task.taskId);
    expect(second.reservation.agentId).toBe(first.reservation.agentId);
    expect(second.reservation.volumes[0]!.id).toBe(first.reservation.volumes[0]!.id);
    expect((await sql(second.pod, 'SELECT name FROM fruit ORDER BY name')).map((r) => r.name)).toEqual(['apple', 'pear']);

    // Its agent restarts (kill -9 and back): the task is taken back, the data is there.
    const index = agents.findIndex((a) => a.output().includes(second.reservation.agentId!));
    const agent = agents[index]!;
    await agent.kill('SIGKILL');
    agents[index] = await dataAgent(index, agent.workDir);
    await waitForOutput(agents[index]!, /registered with/);
    const third = await runningPod();
    expect(third.reservation.agentId).toBe(first.reservation.agentId);
    expect(third.task.taskId).toBe(second.task.taskId); // re-attached, not relaunched
    expect(third.pid).toBe(second.pid);
    expect((await sql(third.pod, 'SELECT count(*)::int AS n FROM fruit'))[0].n).toBe(2);

    // An option change rolls out through the update plan, in place, keeping the data.
    const updated = await call('PUT', '/v1/package-installs/data/pg', { options: { postgresql: { mem: 320 } } });
    expect(updated.status).toBe(200);
    await waitFor('the update plan complete', async () => {
      const { body } = await call<{ plans: { name: string; status: string }[] }>('GET', '/v1/stateful/services/data/pg/plans');
      return body.plans.some((p) => p.name === 'update' && p.status === 'COMPLETE');
    }, 90_000);
    const fourth = await runningPod(third.task.taskId);
    expect(fourth.reservation.agentId).toBe(first.reservation.agentId);
    expect((await sql(fourth.pod, 'SELECT count(*)::int AS n FROM fruit'))[0].n).toBe(2);

    // Uninstall, asking for the data to go: the volume is destroyed on its agent.
    const volumeDir = join(agents[index]!.workDir, 'volumes', first.reservation.volumes[0]!.id);
    expect(readFileSync(join(volumeDir, 'data', 'PG_VERSION'), 'utf8').trim()).toMatch(/^\d+$/);
    expect((await call('DELETE', '/v1/package-installs/data/pg?destroyData=true')).status).toBe(202);
    await explained(waitFor('the service gone and its volume released', async () => {
      const gone = (await call('GET', '/v1/stateful/services/data/pg')).status === 404;
      let exists = true;
      try {
        readFileSync(join(volumeDir, 'data', 'PG_VERSION'));
      } catch {
        exists = false;
      }
      return gone && !exists;
    }, 60_000));
  });

  it('runs a Marathon resident app: it keeps its volume through a kill, scales up, refuses to scale down, and deleting it destroys its volumes', { timeout: 300_000 }, async () => {
    const service = 'data/counter';
    const app = {
      id: '/data/counter', instances: 1, cpus: 0.1, mem: 64, portDefinitions: [{ port: 0 }],
      cmd: 'echo started >> data/log && exec python3 -m http.server "$PORT0"',
      container: { type: 'MESOS', volumes: [{ containerPath: 'data', mode: 'RW', persistent: { type: 'root', size: 32 } }] },
    };
    const deployed = async () => explained(waitFor('no deployment at work', async () =>
      (await call<unknown[]>('GET', '/v2/deployments')).body.length === 0, 90_000), service);
    const placed = async (n: number, notTask?: string) => explained(waitFor(`${n} instance(s) running and placed`, async () => {
      const list = await pods(service);
      const running = list?.filter((p) => p.reservation && p.tasks.some((t) => t.state === 'TASK_RUNNING' && t.taskId !== notTask)) ?? [];
      return running.length === n && running;
    }, 90_000), service);
    const lines = (pod: Pod) => {
      const agent = agents.find((a) => a.output().includes(pod.reservation!.agentId))!;
      return readFileSync(join(agent.workDir, 'volumes', pod.reservation!.volumes[0]!.id, 'log'), 'utf8').trim().split('\n');
    };

    const created = await call<{ id: string; container: { volumes: unknown[] }; upgradeStrategy: unknown; unreachableStrategy: unknown }>('POST', '/v2/apps', app);
    expect(created.status).toBe(201);
    expect(created.body.upgradeStrategy).toEqual({ minimumHealthCapacity: 0.5, maximumOverCapacity: 0 });
    expect(created.body.unreachableStrategy).toBe('disabled');
    await deployed();
    const [first] = await placed(1);
    const { body: view } = await call<{ app: { tasksRunning: number; tasks: { id: string; host: string; ports: number[] }[] } }>('GET', '/v2/apps/data/counter');
    expect(view.app.tasksRunning).toBe(1);
    expect(view.app.tasks[0]!.id).toBe(first!.tasks[0]!.taskId);
    const url = `http://${view.app.tasks[0]!.host}:${view.app.tasks[0]!.ports[0]}/data/`;
    await waitFor('the instance answering on its port', () => fetch(url).then((r) => r.status === 200, () => false));
    expect(lines(first!)).toEqual(['started']);

    // Killed: relaunched in place, on its volume (two starts logged in it).
    const pid = (await api.tasks.get(first!.tasks[0]!.taskId))!.pid!;
    process.kill(-pid, 'SIGKILL');
    const [again] = await placed(1, first!.tasks[0]!.taskId);
    expect(again!.reservation!.agentId).toBe(first!.reservation!.agentId);
    await waitFor('the second start logged', () => lines(again!).length === 2);

    // Scaled up: a second instance with a volume of its own; down is refused (its volume would be orphaned).
    expect((await call('PUT', '/v2/apps/data/counter', { instances: 2 })).status).toBe(200);
    await deployed();
    const two = await placed(2);
    expect(new Set(two.map((p) => p.reservation!.volumes[0]!.id)).size).toBe(2);
    const down = await call<{ message: string }>('PUT', '/v2/apps/data/counter', { instances: 1 });
    expect(down.status).toBe(422);
    expect(down.body.message).toMatch(/instances cannot go down \(2 → 1\)/);
    // Its stateful service follows the app: changed through /v2 only.
    expect((await call('DELETE', '/v1/stateful/services/data/counter')).status).toBe(409);

    // Deleted: its tasks killed, its volumes destroyed, its reservations released.
    const volumes = two.map((p) => {
      const agent = agents.find((a) => a.output().includes(p.reservation!.agentId))!;
      return join(agent.workDir, 'volumes', p.reservation!.volumes[0]!.id);
    });
    expect((await call('DELETE', '/v2/apps/data/counter')).status).toBe(200);
    await explained(waitFor('the service gone and both volumes destroyed', async () =>
      (await call('GET', '/v1/stateful/services/data/counter')).status === 404 && volumes.every((v) => !existsSync(v)), 90_000), service);
    await deployed();
    expect((await call('GET', '/v2/apps/data/counter')).status).toBe(404);
  });
});
