import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { AGENT_PROTOCOL_PATH, AgentMessage, CloseCode, MasterMessage, TaskSpec, type TaskState } from '@gantry/specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';

type Behaviour =
  | { kind: 'redirect'; to: string }
  /** Leads with this epoch: takes registrations, acknowledges updates and task lists. */
  | { kind: 'lead'; epoch: number }
  /** Drops every connection at once (a master that is down). */
  | { kind: 'hang-up' };

const AGENT_ID = 'scripted-agent-0001';

/**
 * The master's side of the agent protocol, played by the test so it can say what a real
 * leader never would on cue: a stale epoch, a redirect, a deposed leader's welcome.
 * Everything it sends is held to the protocol's schema; everything it hears is checked.
 */
class ScriptedMaster {
  readonly heard: { connection: number; message: AgentMessage }[] = [];
  readonly malformed: unknown[] = [];
  behaviour: Behaviour;
  private connections = 0;
  private ws: WebSocket | null = null;
  private readonly server: Server = createServer();
  private readonly wss = new WebSocketServer({ server: this.server, path: AGENT_PROTOCOL_PATH });
  url = '';

  constructor(behaviour: Behaviour) {
    this.behaviour = behaviour;
    this.wss.on('connection', (ws) => this.accept(ws));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  private accept(ws: WebSocket): void {
    const connection = ++this.connections;
    const behaviour = this.behaviour;
    if (behaviour.kind === 'hang-up') return void ws.terminate();
    if (behaviour.kind === 'redirect') {
      this.sendOn(ws, { type: 'redirect', id: randomUUID(), leader: behaviour.to });
      return void ws.close(CloseCode.redirect, 'not the leader');
    }
    this.ws = ws;
    ws.on('message', (data) => {
      const parsed = AgentMessage.safeParse(JSON.parse(data.toString()));
      if (!parsed.success) return void this.malformed.push(JSON.parse(data.toString()));
      const message = parsed.data;
      this.heard.push({ connection, message });
      const { epoch } = behaviour;
      if (message.type === 'register') {
        this.sendOn(ws, { type: 'registered', id: randomUUID(), epoch, ackOf: message.id, agentId: message.agentId ?? AGENT_ID, heartbeatIntervalMs: 500 });
      } else if (message.type === 'statusUpdate' || message.type === 'taskList') {
        this.sendOn(ws, { type: 'ack', id: randomUUID(), epoch, ackOf: message.id });
      }
    });
  }

  private sendOn(ws: WebSocket, message: MasterMessage): void {
    ws.send(JSON.stringify(MasterMessage.parse(message)));
  }

  /** Sends on the connection the agent holds now. */
  send(message: MasterMessage): void {
    this.sendOn(this.ws!, message);
  }

  /** The connection drops without a close handshake. */
  cut(): void {
    this.ws?.terminate();
  }

  /** Messages heard, optionally of one connection and type. */
  messages<T extends AgentMessage['type']>(type: T, connection?: number): Extract<AgentMessage, { type: T }>[] {
    return this.heard.filter((h) => h.message.type === type && (connection === undefined || h.connection === connection)).map((h) => h.message as Extract<AgentMessage, { type: T }>);
  }

  get lastConnection(): number {
    return this.connections;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * Leader changes as the agent sees them: it follows a standby's redirect to the leader,
 * obeys no command (and no welcome) carrying an older leader epoch than one it has seen,
 * and after every (re-)registration sends the list of its tasks so the master can reconcile.
 * The tests are the steps of one story, in order: one agent, one task, four leaders' turns.
 */
describe('the agent across leader changes', () => {
  let standby: ScriptedMaster;
  let leader: ScriptedMaster;
  let agent: AgentProc;

  beforeAll(async () => {
    leader = await new ScriptedMaster({ kind: 'lead', epoch: 5 }).start();
    standby = await new ScriptedMaster({ kind: 'redirect', to: leader.url }).start();
    agent = await startAgent({ hostname: 'follower', masters: [standby.url, leader.url], ports: '31400-31499', extraArgs: ['--status-retry-ms', '200'] });
  });
  afterAll(async () => {
    // Kill what the agent still runs through the agent itself, so its cgroups go too.
    const running = leader?.messages('statusUpdate').filter((m) => m.status.state === 'TASK_RUNNING').map((m) => m.status.taskId) ?? [];
    for (const taskId of new Set(running)) leader.send({ type: 'kill', id: randomUUID(), epoch: 99, taskId, gracePeriodSeconds: 0 });
    await waitFor('every task ended', () => [...new Set(running)].every((t) => ended(t)), 10_000).catch(() => undefined);
    await agent?.kill('SIGKILL');
    if (agent) await rm(agent.workDir, { recursive: true, force: true });
    await standby?.close();
    await leader?.close();
  });

  const statesOf = (taskId: string): TaskState[] => leader.messages('statusUpdate').filter((m) => m.status.taskId === taskId).map((m) => m.status.state);
  const ended = (taskId: string) => statesOf(taskId).some((s) => ['TASK_KILLED', 'TASK_FINISHED', 'TASK_FAILED'].includes(s));
  const replyTo = (id: string) => waitFor(`the answer to ${id}`, () => leader.heard.find((h) => 'ackOf' in h.message && h.message.ackOf === id)?.message);
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  /** A command the agent answers, sent after others: once answered, everything before it was handled. */
  const barrier = async (epoch: number) => {
    const id = randomUUID();
    leader.send({ type: 'readLog', id, epoch, taskId: 'good.1', file: 'stdout', offset: 0, length: 16 });
    await replyTo(id);
  };
  let pid = 0;

  it('follows the standby\'s redirect to the leader and registers there, task list first', async () => {
    await waitForOutput(agent, new RegExp(`registered with ${leader.url.replace(/[.]/g, '\\.')} as ${AGENT_ID} \\(leader epoch 5\\)`));
    expect(agent.output()).toContain(`${standby.url} is a standby; the leader is ${leader.url}`);
    expect(standby.heard).toEqual([]); // a standby takes no registration
    await waitFor('the task list', () => leader.messages('taskList').length === 1);
    expect(leader.messages('taskList')[0]).toMatchObject({ agentId: AGENT_ID, tasks: [] });
  });

  it('ignores a launch and a kill carrying an older epoch, and obeys the current leader', async () => {
    leader.send({ type: 'launch', id: 'stale-launch', epoch: 4, task: TaskSpec.parse({ taskId: 'stale.1', cmd: 'sleep 300', resources: { cpus: 0.1, mem: 32 } }) });
    leader.send({ type: 'launch', id: 'good-launch', epoch: 5, task: TaskSpec.parse({ taskId: 'good.1', cmd: 'sleep 300', resources: { cpus: 0.1, mem: 32 } }) });
    expect(await replyTo('good-launch')).toMatchObject({ type: 'ack', ackOf: 'good-launch' });
    await waitFor('good.1 running', () => statesOf('good.1').includes('TASK_RUNNING'));
    pid = leader.messages('statusUpdate').find((m) => m.status.taskId === 'good.1' && m.status.pid)!.status.pid!;
    expect(leader.heard.some((h) => 'ackOf' in h.message && h.message.ackOf === 'stale-launch')).toBe(false);
    expect(statesOf('stale.1')).toEqual([]);
    expect(existsSync(join(agent.workDir, 'sandboxes', 'stale.1'))).toBe(false);
    expect(agent.output()).toContain(`ignoring launch from ${leader.url}: leader epoch 4 is older than 5`);

    leader.send({ type: 'kill', id: 'stale-kill', epoch: 4, taskId: 'good.1', gracePeriodSeconds: 0 });
    await barrier(5);
    expect(statesOf('good.1')).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    expect(alive(pid)).toBe(true);
  });

  it('sends its task list on reconnecting, to the leader of a newer epoch, and then takes only that epoch\'s commands', async () => {
    leader.behaviour = { kind: 'lead', epoch: 6 }; // a failover: the same address, a newer leader
    const before = leader.lastConnection;
    leader.cut();
    await waitFor('the task list on the new connection', () => leader.lastConnection > before && leader.messages('taskList', leader.lastConnection)[0]);
    const [list] = leader.messages('taskList', leader.lastConnection);
    expect(list!.tasks).toEqual([{ taskId: 'good.1', state: 'TASK_RUNNING', pid }]);
    expect(leader.messages('register', leader.lastConnection)[0]).toMatchObject({ agentId: AGENT_ID });

    leader.send({ type: 'kill', id: 'old-leader-kill', epoch: 5, taskId: 'good.1', gracePeriodSeconds: 0 });
    await barrier(6);
    expect(alive(pid)).toBe(true);
    expect(agent.output()).toContain(`ignoring kill from ${leader.url}: leader epoch 5 is older than 6`);
  });

  it('turns away from a deposed leader that welcomes it, and finds the current one', async () => {
    // The leader is down for a moment; the other address answers as a leader of epoch 5 —
    // deposed, though it does not know it yet. Then the leader is back with epoch 7.
    leader.behaviour = { kind: 'hang-up' };
    standby.behaviour = { kind: 'lead', epoch: 5 };
    const before = leader.lastConnection;
    leader.cut();
    await waitFor('the deposed leader\'s welcome ignored', () => agent.output().includes(`ignoring registered from ${standby.url}: leader epoch 5 is older than 6`));
    leader.behaviour = { kind: 'lead', epoch: 7 };
    await waitForOutput(agent, new RegExp(`registered with ${leader.url.replace(/[.]/g, '\\.')} as ${AGENT_ID} \\(leader epoch 7\\)`));
    expect(standby.messages('register')).toHaveLength(1);
    expect(standby.messages('taskList')).toEqual([]); // never took the deposed leader for registered
    expect(standby.messages('heartbeat')).toEqual([]);
    await waitFor('the task list', () => leader.lastConnection > before && leader.messages('taskList', leader.lastConnection).length === 1);

    leader.send({ type: 'kill', id: 'current-kill', epoch: 7, taskId: 'good.1', gracePeriodSeconds: 0 });
    await waitFor('good.1 killed', () => statesOf('good.1').includes('TASK_KILLED'));
    expect(alive(pid)).toBe(false);
    expect(leader.malformed).toEqual([]);
    expect(standby.malformed).toEqual([]);
  });
});
