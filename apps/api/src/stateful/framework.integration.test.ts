import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi } from '../testing/api.js';
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
 * releases the volume.
 */
describe('postgresql from the catalog, as a stateful service', () => {
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
      hostname: `data-${i}`, masters: [api.url], attributes: `zone:${'ab'[i]}`, ports: `${35000 + i * 100}-${35099 + i * 100}`,
      extraArgs: ['--status-retry-ms', '200', '--mem', '2048'], ...(workDir ? { workDir } : {}),
    });
  }

  async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const response = await fetch(`${api.url}${path}`, {
      method, headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  const pods = async () => (await call<{ pods: Pod[] }>('GET', '/v1/stateful/services/data/pg/pods')).body?.pods;
  // On a timeout, say where the pod got stuck (its status and message, its tasks).
  const explained = async <T>(wait: Promise<T>): Promise<T> => wait.catch(async (error: Error) => {
    throw new Error(`${error.message}\npods: ${JSON.stringify(await pods(), null, 1)}\nagents:\n${agents.map((a) => a.output().slice(-2000)).join('\n---\n')}`);
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
});
