import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
  generation: number;
  message: string | null;
  reservation: { agentId: string; volumes: { id: string }[] } | null;
  tasks: { taskId: string; state: string; agentId: string }[];
}

/**
 * Issue #8 item 3, end to end: a stateful pod whose volume is external (provider
 * `shared-directory`) moves to another node when its own is lost for good, and finds
 * its data there; a pod with a local volume in the same situation keeps waiting for its
 * node. Real API on Postgres, real agents, real processes.
 *
 * The agents share one temporary directory as their `--shared-volumes-dir`. On one
 * machine this is exactly what an NFS export mounted at the same path gives each node:
 * the same files under the same path on every agent.
 */
describe('external volumes on a shared directory', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let auth: string;
  let shared: string;
  const agents: AgentProc[] = [];
  /** A live agent with the shared directory, once the first test has one. */
  let sharing: { id: string } | null = null;

  beforeAll(async () => {
    db = await createTestDatabase();
    // An agent that stops heartbeating is declared unreachable after 5 × 300 ms.
    api = await startTestApi(db.url, { heartbeatIntervalMs: 300, missedHeartbeatsAllowed: 5, scheduler: { tickMs: 100 } });
    await waitFor('leadership', () => api.isLeader());
    auth = await bearer(api.url);
    shared = await mkdtemp(join(tmpdir(), 'gantry-shared-volumes-'));
  });
  afterAll(async () => {
    await reapTaskProcesses(api.tasks);
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await api?.close();
    await db?.drop();
    for (const dir of [shared, ...agents.map((a) => a.workDir)]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function agent(i: number, withShared = true): Promise<{ proc: AgentProc; id: string }> {
    const proc = await startAgent({
      hostname: `node-${i}`, masters: [api.url], attributes: `zone:${'abc'[i]}`, ports: `${30200 + i * 100}-${30299 + i * 100}`,
      extraArgs: ['--status-retry-ms', '200', ...(withShared ? ['--shared-volumes-dir', shared] : [])],
    });
    agents.push(proc);
    const [, id] = await waitForOutput(proc, /registered with \S+ as (\S+)/);
    await waitFor(`node-${i} connected`, () => api.commands.connected(id!));
    return { proc, id: id! };
  }

  const call = restClient(() => api.url, () => auth);

  const pods = async () => (await call<{ pods: Pod[] }>('GET', '/v1/stateful/services/shared/web/pods')).body?.pods ?? [];
  const pod = async (name: string) => (await pods()).find((p) => p.name === name);
  // On a timeout, say where the pods got stuck, and what the agents said.
  const explained = <T>(wait: Promise<T>): Promise<T> => wait.catch(async (error: Error) => {
    throw new Error(`${error.message}\npods: ${JSON.stringify(await pods(), null, 1)}\nagents:\n${agents.map((a) => a.output().slice(-2000)).join('\n---\n')}`);
  });
  const runningOn = (name: string, agentId: string) => explained(waitFor(`${name} running on ${agentId}`, async () => {
    const p = await pod(name);
    return p?.status === 'RUNNING' && p.reservation?.agentId === agentId && p;
  }, 60_000));

  // Each launch appends who it is, where, and how many lines it found: what it saw of the data before it.
  const appendOnce = 'echo "$GANTRY_TASK_ID on $GANTRY_AGENT_ID saw $(cat data/log 2>/dev/null | wc -l) line(s)" >> data/log; exec sleep 1000';

  it('moves a pod with an external volume off a node lost for good, with its data; a pod with a local volume waits for its node', { timeout: 240_000 }, async () => {
    // Both pods on node-0 (the only node at first), so one loss tests both.
    const first = await agent(0);
    const created = await call<{ id: string }>('POST', '/v1/stateful/services', {
      name: '/shared/web',
      pods: [
        {
          name: 'web', resources: { cpus: 0.1, mem: 64 },
          volumes: [{ path: 'data', type: 'EXTERNAL', external: { provider: 'shared-directory', name: 'webdata' } }],
          tasks: [{ name: 'server', cmd: appendOnce }],
        },
        { name: 'db', resources: { cpus: 0.1, mem: 64 }, volumes: [{ path: 'data', size: 16 }], tasks: [{ name: 'server', cmd: appendOnce }] },
      ],
    });
    expect(created.status).toBe(201);
    const web = await runningOn('web-0', first.id);
    const db0 = await runningOn('db-0', first.id);
    expect(web.reservation!.volumes).toEqual([]); // nothing created on the node for an external volume
    expect(db0.reservation!.volumes).toHaveLength(1);
    // The pod instance's own directory in the shared one: <name>-<index>.
    const log = join(shared, 'webdata-0', 'log');
    expect(readFileSync(log, 'utf8')).toBe(`${web.tasks[0]!.taskId} on ${first.id} saw 0 line(s)\n`);

    // node-0 dies for good (SIGKILL, never restarted); node-1 is there to take what may move.
    const second = await agent(1);
    sharing = second;
    await first.proc.kill('SIGKILL');

    // Once node-0 is declared unreachable, web-0 is placed anew on node-1 and finds its line.
    const moved = await runningOn('web-0', second.id);
    expect(moved.generation).toBe(2);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toEqual([`${web.tasks[0]!.taskId} on ${first.id} saw 0 line(s)`, `${moved.tasks[0]!.taskId} on ${second.id} saw 1 line(s)`]);
    const nodes = (await call<{ nodes: { id: string; state: string }[] }>('GET', '/v1/nodes')).body.nodes;
    expect(nodes.find((n) => n.id === first.id)?.state).toBe('UNREACHABLE');

    // db-0 keeps its data on node-0: it waits for node-0, had the same passes to move, and never did.
    const waiting = (await pod('db-0'))!;
    expect(waiting).toMatchObject({ status: 'LOST', generation: 1, reservation: { agentId: first.id } });
    expect(waiting.tasks.map((t) => t.agentId)).toEqual([first.id]);
    expect(waiting.message).toContain('never relaunched elsewhere on its own');
    expect((await api.tasks.listByAgent(second.id)).filter((t) => t.appId === '/shared/web').map((t) => t.id)).toEqual([moved.tasks[0]!.taskId]);

    // `pod replace` of web-0 loses nothing either: the answer says so, and the new generation reads both lines.
    const replaced = await call<{ warning: string }>('POST', '/v1/stateful/services/shared/web/pods/web-0/replace');
    expect(replaced.status).toBe(200);
    expect(replaced.body.warning).toBe('web-0\'s reservation on node-1 is released; its data stays in its external volume (data): nothing is lost');
    const third = await explained(waitFor('web-0 placed anew by the replace', async () => {
      const p = await pod('web-0');
      return p?.status === 'RUNNING' && p.generation === 3 && p;
    }, 60_000));
    expect(readFileSync(log, 'utf8').trim().split('\n')[2]).toBe(`${third.tasks[0]!.taskId} on ${second.id} saw 2 line(s)`);
  });

  it('links an external volume for the task\'s user; an agent without --shared-volumes-dir fails the task, naming the flag', { timeout: 120_000 }, async () => {
    const withShared = sharing ?? (await agent(1));
    const spec = (taskId: string, extra: object) => ({
      taskId, cmd: 'echo written > data/by-nobody; exec sleep 300', user: 'nobody', resources: { cpus: 0.1, mem: 32 },
      externalVolumes: [{ containerPath: 'data', provider: 'shared-directory' as const, name: 'probe/owned' }], ...extra,
    });
    await api.commands.launch(withShared.id, spec('owned.1', {}));
    await waitFor('the task wrote its external volume', () => {
      try {
        return readFileSync(join(shared, 'probe', 'owned', 'by-nobody'), 'utf8') === 'written\n';
      } catch {
        return false;
      }
    });
    expect(statSync(join(shared, 'probe', 'owned')).uid).toBe(Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()));
    await api.commands.killOn(withShared.id, 'owned.1');

    const bare = await agent(2, false);
    await api.commands.launch(bare.id, spec('unmounted.1', {}));
    const failed = await waitFor('TASK_FAILED on the agent without the provider', async () => {
      const task = await api.tasks.get('unmounted.1');
      return task?.state === 'TASK_FAILED' && task;
    });
    expect(failed.reason).toBe('REASON_CONTAINER_LAUNCH_FAILED');
    expect(failed.message).toContain('needs an agent started with --shared-volumes-dir <path>');
  });
});
