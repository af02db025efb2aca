import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { AGENT_PROTOCOL_PATH, isTerminal, type TaskSpecInput, type TaskState } from '@gantry/specs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { RunningApi } from '../server.js';
import { startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';

interface Frame {
  type: string;
  id: string;
  ackOf?: string;
  status?: { uuid: string; taskId: string; state: TaskState };
}
type Side = 'agent' | 'master';
/** What happens to one frame: relayed, lost, or lost and the connection cut with it. */
type Fate = 'forward' | 'drop' | 'drop-and-cut';

/**
 * A man in the middle of the agent's link to the master, at the protocol's frame level:
 * it relays every frame both ways, and a test's rule may lose one or cut the connection
 * (both sockets terminated, no close handshake — as a network failure looks).
 */
class LinkProxy {
  readonly log: { from: Side; frame: Frame; fate: Fate }[] = [];
  rule: (from: Side, frame: Frame) => Fate = () => 'forward';
  private readonly server: Server = createServer();
  private readonly wss = new WebSocketServer({ server: this.server, path: AGENT_PROTOCOL_PATH });
  private readonly sockets = new Set<WebSocket>();

  constructor(private readonly masterUrl: string) {
    this.wss.on('connection', (agent, req) => {
      const url = new URL(AGENT_PROTOCOL_PATH, this.masterUrl);
      url.protocol = 'ws:';
      const master = new WebSocket(url, { headers: { authorization: req.headers.authorization ?? '' } });
      this.sockets.add(agent).add(master);
      const early: RawData[] = [];
      const cut = () => {
        agent.terminate();
        master.terminate();
      };
      const relay = (from: Side, data: RawData, to: WebSocket) => {
        const frame = JSON.parse(data.toString()) as Frame;
        const fate = this.rule(from, frame);
        this.log.push({ from, frame, fate });
        if (fate === 'forward') to.send(data.toString());
        if (fate === 'drop-and-cut') cut();
      };
      agent.on('message', (data) => (master.readyState === WebSocket.OPEN ? relay('agent', data, master) : early.push(data)));
      master.on('open', () => {
        for (const data of early.splice(0)) relay('agent', data, master);
      });
      master.on('message', (data) => relay('master', data, agent));
      // A close on one side closes the other (with the same code where the protocol allows it).
      const closeCode = (code: number) => (code >= 4000 || code === 1000 || code === 1001 ? code : 1000);
      agent.on('close', (code) => master.readyState === WebSocket.OPEN ? master.close(closeCode(code)) : master.terminate());
      master.on('close', (code, reason) => agent.readyState === WebSocket.OPEN && agent.close(closeCode(code), reason));
      agent.on('error', cut);
      master.on('error', cut);
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  /** Status updates the agent sent, by uuid: each with the fate of every copy. */
  copiesOf(uuid: string): Fate[] {
    return this.log.filter((l) => l.from === 'agent' && l.frame.type === 'statusUpdate' && l.frame.id === uuid).map((l) => l.fate);
  }

  acksOf(uuid: string): Fate[] {
    return this.log.filter((l) => l.from === 'master' && l.frame.type === 'ack' && l.frame.ackOf === uuid).map((l) => l.fate);
  }

  /** The uuid of the agent's (first) update that took `taskId` to `state`. */
  uuidOf(taskId: string, state: TaskState): string | undefined {
    return this.log.find((l) => l.from === 'agent' && l.frame.status?.taskId === taskId && l.frame.status.state === state)?.frame.id;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Status updates lost in transit — the update itself, or the master's ack of it, with or
 * without the connection dropping — are re-sent until acknowledged and applied once.
 */
describe('status updates lost in transit', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let proxy: LinkProxy;
  let proxyUrl: string;
  let agent: AgentProc;
  let agentId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
    proxy = new LinkProxy(api.url);
    proxyUrl = await proxy.start();
    agent = await startAgent({ hostname: 'lossy', masters: [proxyUrl], ports: '31300-31399', extraArgs: ['--status-retry-ms', '200'] });
    [, agentId] = (await waitForOutput(agent, /registered with \S+ as (\S+)/)) as unknown as [string, string];
    await waitFor('reconciled', () => api.commands.connected(agentId));
  });
  afterEach(() => {
    proxy.rule = () => 'forward';
  });
  afterAll(async () => {
    // Tasks first, while the agent lives: it reports each end and removes the task's cgroups.
    for (const task of await api.tasks.listByAgent(agentId).catch(() => [])) {
      if (task.pid && !isTerminal(task.state)) await api.commands.kill(task.id, 0).catch(() => undefined);
    }
    await waitFor('every task ended', async () => (await api.tasks.listByAgent(agentId)).every((t) => isTerminal(t.state)), 10_000).catch(() => undefined);
    await agent?.kill('SIGKILL');
    if (agent) await rm(agent.workDir, { recursive: true, force: true });
    await proxy?.close();
    await api?.close();
    await db?.drop();
  });

  const reach = (taskId: string, wanted: TaskState) =>
    waitFor(`${taskId} ${wanted}`, async () => {
      const task = await api.tasks.get(taskId);
      return task?.state === wanted && task;
    });
  const spec = (taskId: string): TaskSpecInput => ({ taskId, cmd: 'while [ ! -f go ]; do sleep 0.05; done', resources: { cpus: 0.1, mem: 32 } });
  /** Launches a task that finishes when told to, and waits until it runs. */
  const waiting = async (taskId: string) => {
    await api.commands.launch(agentId, spec(taskId));
    await reach(taskId, 'TASK_RUNNING');
    await waitFor('RUNNING acknowledged', () => proxy.acksOf(proxy.uuidOf(taskId, 'TASK_RUNNING') ?? '').includes('forward'));
    return () => writeFile(join(agent.workDir, 'sandboxes', taskId, 'go'), '');
  };
  const registrations = () => agent.output().match(/registered with/g)?.length ?? 0;
  const isFinishOf = (taskId: string, frame: Frame) => frame.type === 'statusUpdate' && frame.status?.taskId === taskId && frame.status.state === 'TASK_FINISHED';

  it('re-sends an update whose ack was lost, and the master applies it once', async () => {
    const finish = await waiting('ack-lost.1');
    let uuid: string | undefined;
    proxy.rule = (from, frame) => {
      if (from === 'agent' && isFinishOf('ack-lost.1', frame)) uuid = frame.id;
      // The master committed the update; its first ack never arrives.
      return from === 'master' && frame.type === 'ack' && uuid !== undefined && frame.ackOf === uuid && proxy.acksOf(uuid).length === 0 ? 'drop' : 'forward';
    };
    await finish();
    await reach('ack-lost.1', 'TASK_FINISHED');
    await waitFor('the re-sent copy acknowledged', () => proxy.acksOf(uuid!).join() === 'drop,forward');
    expect(proxy.copiesOf(uuid!)).toEqual(['forward', 'forward']); // the same uuid twice
    expect((await api.tasks.appliedUpdates('ack-lost.1')).map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });

  it('re-sends an update lost with its connection, on the next connection', async () => {
    const finish = await waiting('update-lost.1');
    const before = registrations();
    proxy.rule = (from, frame) => (from === 'agent' && isFinishOf('update-lost.1', frame) && !proxy.uuidOf('update-lost.1', 'TASK_FINISHED') ? 'drop-and-cut' : 'forward');
    await finish();
    await reach('update-lost.1', 'TASK_FINISHED');
    const uuid = proxy.uuidOf('update-lost.1', 'TASK_FINISHED')!;
    expect(proxy.copiesOf(uuid)).toEqual(['drop-and-cut', 'forward']);
    expect(registrations()).toBe(before + 1); // it came back over a new connection
    expect((await api.tasks.appliedUpdates('update-lost.1')).map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });

  it('re-sends an update the master committed when the connection dropped before the ack, and the duplicate changes nothing', async () => {
    const finish = await waiting('ack-cut.1');
    const before = registrations();
    let uuid: string | undefined;
    proxy.rule = (from, frame) => {
      if (from === 'agent' && isFinishOf('ack-cut.1', frame)) uuid = frame.id;
      return from === 'master' && frame.type === 'ack' && uuid !== undefined && frame.ackOf === uuid && proxy.acksOf(uuid).length === 0 ? 'drop-and-cut' : 'forward';
    };
    await finish();
    await waitFor('the copy on the new connection acknowledged', () => uuid !== undefined && proxy.acksOf(uuid).join() === 'drop-and-cut,forward');
    expect(proxy.copiesOf(uuid!)).toEqual(['forward', 'forward']);
    expect(registrations()).toBe(before + 1);
    expect(await api.tasks.get('ack-cut.1')).toMatchObject({ state: 'TASK_FINISHED', exitCode: 0 });
    expect((await api.tasks.appliedUpdates('ack-cut.1')).map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    // Delivered: the agent lets go of the finished task's checkpoint.
    await waitFor('checkpoint dropped', () => !existsSync(join(agent.workDir, 'meta', 'tasks', 'ack-cut.1.json')));
  });
});
