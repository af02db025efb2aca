import type { MarathonTaskView } from '@gantry/specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';
import { reapTaskProcesses } from '../testing/task-processes.js';
import { waitFor } from '../testing/wait-for.js';

/**
 * Postgres goes away under a running cluster (every connection reset, new ones
 * refused): the API answers 503 instead of hanging, the leader steps down, the agent
 * keeps its task running, and when Postgres is back everything recovers by itself.
 */
describe('a Postgres outage', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let api: RunningApi;
  let agent: AgentProc;

  beforeAll(async () => {
    db = await createTestDatabase();
    const direct = new URL(db.url);
    proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    api = await startTestApi(viaProxy.toString(), { heartbeatIntervalMs: 300, missedHeartbeatsAllowed: 7, scheduler: { tickMs: 100 } });
    await waitFor('leadership', () => api.isLeader());
    agent = await startAgent({ hostname: 'outage', masters: [api.url], ports: '30600-30699', extraArgs: ['--status-retry-ms', '200'] });
  });
  afterAll(async () => {
    await reapTaskProcesses(api.tasks);
    await agent?.kill('SIGKILL');
    await api?.close();
    await proxy?.close();
    await db?.drop();
  });

  it('answers 503, steps down, keeps the task running, and recovers when Postgres returns', async () => {
    const auth = await bearer(api.url);
    const get = (path: string) => fetch(`${api.url}${path}`, { headers: { authorization: auth }, signal: AbortSignal.timeout(45_000) });
    const created = await fetch(`${api.url}/v2/apps`, {
      method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ id: '/steady', cmd: 'sleep 600', cpus: 0.1, mem: 32, instances: 1, portDefinitions: [] }),
    });
    expect(created.status).toBe(201);
    const [task] = await waitFor('the task running', async () => {
      const tasks = ((await (await get('/v2/apps/steady/tasks')).json()) as { tasks: MarathonTaskView[] }).tasks.filter((t) => t.state === 'TASK_RUNNING');
      return tasks.length === 1 && tasks;
    });
    const pid = (await api.tasks.get(task!.id))!.pid!;

    await proxy.cut();
    // Not a hang, not a stack trace: a clear 503 (the bound is the connect/query timeouts).
    const during = await get('/v2/apps');
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ message: 'the database is unreachable; retry shortly' });
    await waitFor('the leader to step down', () => !api.isLeader(), 30_000);
    await waitForOutput(agent, /disconnected from master/);
    process.kill(pid, 0); // throws if the task died with the master's database

    await proxy.restore();
    await waitFor('leading again', () => api.isLeader(), 30_000);
    await waitFor('the agent back', () => api.commands.connected(agent.output().match(/registered with \S+ as (\S+)/)![1]!), 30_000);
    const after = await waitFor('the same task, still running', async () => {
      const response = await get('/v2/apps/steady/tasks');
      if (response.status !== 200) return undefined;
      const tasks = ((await response.json()) as { tasks: MarathonTaskView[] }).tasks;
      return tasks.length === 1 && tasks[0]!.state === 'TASK_RUNNING' && tasks;
    }, 30_000);
    expect(after[0]!.id).toBe(task!.id);
    expect((await api.tasks.get(task!.id))!.pid).toBe(pid);
  });
});
