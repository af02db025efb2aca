import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  AgentMessage, CloseCode, fieldErrors, LaunchMessage, MasterMessage, type RegisterMessage, type StatusUpdateMessage, type TaskListMessage,
} from '@gantry/specs';
import { WebSocketServer, type WebSocket } from 'ws';
import { DeposedError } from '../leadership/elector.js';
import type { HeartbeatBatch } from './heartbeat-batch.js';
import type { AgentRepository, Registration } from './repository.js';
import { isParsedTaskSpec, type AgentCommands } from '../tasks/agent-commands.js';
import type { TaskRepository } from '../tasks/repository.js';
import { GroupCommit, StatusUpdateBatch } from '../tasks/status-batch.js';

export interface GatewayDeps {
  agents: AgentRepository;
  heartbeats: HeartbeatBatch;
  /** The epoch this replica leads with, or null on a standby. */
  epoch: () => number | null;
  /** Where the current leader can be reached (for redirects), if known. */
  leaderAddress: () => Promise<string | null>;
  heartbeatIntervalMs: number;
  now: () => Date;
  onDeposed: (error: DeposedError) => void;
  /** An agent's task list was reconciled: from now on it takes commands (the scheduler may use it). */
  onReconciled?: (agentId: string) => void;
  tasks: TaskRepository;
  /** Where agents' answers to commands and their usage reports go. */
  commands: Pick<AgentCommands, 'replied' | 'recordUsage'>;
}

const MAX_MESSAGE_BYTES = 256 * 1024;

const LaunchEnvelope = LaunchMessage.omit({ task: true });

/**
 * The master's end of the agent protocol (`/agent/v1`). Only the leader keeps agent
 * connections; a standby answers with a redirect to the leader and closes.
 */
export class AgentGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Live connection per registered agent id. */
  private readonly connections = new Map<string, WebSocket>();
  /** Connections whose task list has been reconciled: only these take commands. */
  private readonly reconciled = new WeakSet<WebSocket>();
  private readonly statusUpdates: StatusUpdateBatch;
  /**
   * Status updates queued or being written, by uuid. An agent re-sends an update it has no
   * ack for (after 1 s, then 2 s, …); while the master is slow to commit, the same update
   * arrives again and again. It is written once: a re-sent one waits for the write already
   * under way and is acknowledged when it commits, on the connection it came on.
   */
  private readonly updatesInFlight = new Map<string, Promise<unknown>>();
  /**
   * Registrations and task-list reconciliations are group-committed like status updates:
   * after a failover every agent does both within seconds, and one transaction each would
   * queue them behind one another for longer than their handshakes last. Each answers the
   * epoch it was written under (the agent is told that one).
   */
  private readonly registrations: GroupCommit<Registration, number>;
  private readonly reconciliations: GroupCommit<{ agentId: string; known: TaskListMessage['tasks'] }, { epoch: number; unwanted: string[] }>;

  constructor(private readonly deps: GatewayDeps) {
    this.statusUpdates = new StatusUpdateBatch(deps.tasks, deps.epoch, deps.now);
    const leading = () => {
      const epoch = deps.epoch();
      if (epoch === null) throw new Error('not the leader');
      return epoch;
    };
    this.registrations = new GroupCommit(async (batch) => {
      const epoch = leading();
      await deps.agents.registerMany(epoch, batch, deps.now());
      return batch.map(() => epoch);
    }, 1000);
    this.reconciliations = new GroupCommit(async (batch) => {
      const epoch = leading();
      return (await deps.tasks.reconcileMany(epoch, batch, deps.now())).map((unwanted) => ({ epoch, unwanted }));
    }, 500);
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws));
  }

  /** Closes every agent connection, e.g. when this replica stops leading. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.wss.clients) ws.close(code, reason);
    this.connections.clear();
  }

  /**
   * Drops the connections of agents the master just declared unreachable: when such an
   * agent is heard from again it must re-register and send its task list, so its tasks
   * are reconciled instead of silently revived by a heartbeat.
   */
  disconnect(agentIds: readonly string[], reason: string): void {
    for (const id of agentIds) {
      const ws = this.connections.get(id);
      if (!ws) continue;
      this.connections.delete(id);
      ws.close(CloseCode.replaced, truncate(reason));
    }
  }

  get connectedAgents(): number {
    return this.connections.size;
  }

  /** Whether `agentId` is connected and reconciled, so a command sent now reaches it. */
  connected(agentId: string): boolean {
    const ws = this.connections.get(agentId);
    return ws !== undefined && this.reconciled.has(ws);
  }

  /** Sends a command to a connected, reconciled agent; false when it is not. */
  sendTo(agentId: string, message: MasterMessage): boolean {
    const ws = this.connections.get(agentId);
    if (!ws || !this.reconciled.has(ws) || ws.readyState !== ws.OPEN) return false;
    // What we send is held to the schema the agent checks; a launch's spec already was, by
    // TaskSpec.parse (only its envelope is left).
    if (message.type === 'launch' && isParsedTaskSpec(message.task)) {
      const { task: _spec, ...envelope } = message;
      LaunchEnvelope.parse(envelope);
    } else MasterMessage.parse(message);
    send(ws, message);
    return true;
  }

  private async accept(ws: WebSocket): Promise<void> {
    if (this.deps.epoch() === null) {
      const leader = await this.deps.leaderAddress().catch(() => null);
      send(ws, { type: 'redirect', id: randomUUID(), leader });
      ws.close(CloseCode.redirect, 'not the leader');
      return;
    }
    let agentId: string | null = null;
    ws.on('message', (data, isBinary) => {
      if (isBinary) return ws.close(CloseCode.invalidMessage, 'binary frames are not part of the protocol');
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        return ws.close(CloseCode.invalidMessage, 'message is not JSON');
      }
      const parsed = AgentMessage.safeParse(json);
      if (!parsed.success) {
        const detail = fieldErrors(parsed.error).map((e) => `${e.path}: ${e.errors.join(', ')}`).join('; ');
        return ws.close(CloseCode.invalidMessage, truncate(`invalid message: ${detail}`));
      }
      const message = parsed.data;
      switch (message.type) {
        case 'register':
          void this.register(ws, message).then((id) => (agentId = id ?? agentId));
          return;
        case 'heartbeat':
          // Only the connection that registered an agent id may heartbeat for it.
          if (message.agentId === agentId) this.deps.heartbeats.record(message.agentId, this.deps.now());
          return;
        case 'ack':
        case 'logChunk':
          if (agentId) this.deps.commands.replied(agentId, message);
          return;
        case 'statusUpdate':
          if (message.agentId === agentId) void this.statusUpdate(ws, message);
          return;
        case 'taskList':
          if (message.agentId === agentId) void this.taskList(ws, message);
          return;
        case 'usage':
          if (message.agentId === agentId) this.deps.commands.recordUsage(message);
          return;
      }
    });
    ws.on('close', () => {
      if (agentId && this.connections.get(agentId) === ws) this.connections.delete(agentId);
    });
    ws.on('error', () => ws.terminate());
  }

  private async register(ws: WebSocket, message: RegisterMessage): Promise<string | null> {
    const epoch = this.deps.epoch();
    if (epoch === null) {
      ws.close(CloseCode.deposed, 'no longer the leader');
      return null;
    }
    const id = message.agentId ?? randomUUID();
    let written: number;
    try {
      written = await this.registrations.submit({
        id, hostname: message.hostname, address: message.address, resources: message.resources,
        attributes: message.attributes, agentVersion: message.agentVersion,
      });
    } catch (error) {
      if (error instanceof DeposedError) {
        this.deps.onDeposed(error);
        return null;
      }
      ws.close(1011, 'registration could not be stored; retrying is safe');
      return null;
    }
    // One connection per agent: a second process claiming the same id replaces the first
    // (Mesos does the same when an agent re-registers from a new connection).
    const previous = this.connections.get(id);
    if (previous && previous !== ws) previous.close(CloseCode.replaced, 'replaced by a newer connection of the same agent');
    this.connections.set(id, ws);
    send(ws, { type: 'registered', id: randomUUID(), epoch: written, ackOf: message.id, agentId: id, heartbeatIntervalMs: this.deps.heartbeatIntervalMs });
    return id;
  }

  /** Acknowledged only once the update is committed: the agent re-sends until then. */
  private async statusUpdate(ws: WebSocket, message: StatusUpdateMessage): Promise<void> {
    const epoch = this.deps.epoch();
    if (epoch === null) return;
    try {
      let write = this.updatesInFlight.get(message.status.uuid);
      if (!write) {
        const uuid = message.status.uuid;
        write = this.statusUpdates.submit(message.agentId, message.status).finally(() => this.updatesInFlight.delete(uuid));
        this.updatesInFlight.set(uuid, write);
      }
      await write;
    } catch (error) {
      if (error instanceof DeposedError) this.deps.onDeposed(error);
      return; // not acknowledged: the agent retries
    }
    if (ws.readyState === ws.OPEN) send(ws, { type: 'ack', id: randomUUID(), epoch, ackOf: message.id });
  }

  /** The agent's task list after (re-)registration: reconcile, kill what we don't want, then take commands. */
  private async taskList(ws: WebSocket, message: TaskListMessage): Promise<void> {
    const epoch = this.deps.epoch();
    if (epoch === null) return;
    let unwanted: string[];
    let written: number;
    try {
      ({ epoch: written, unwanted } = await this.reconciliations.submit({ agentId: message.agentId, known: message.tasks }));
    } catch (error) {
      if (error instanceof DeposedError) this.deps.onDeposed(error);
      else ws.close(1011, 'reconciliation could not be stored; reconnecting is safe');
      return;
    }
    if (ws.readyState !== ws.OPEN) return;
    send(ws, { type: 'ack', id: randomUUID(), epoch: written, ackOf: message.id });
    // Mesos kills tasks a re-registering agent runs that the master does not know.
    for (const taskId of unwanted) send(ws, { type: 'kill', id: randomUUID(), epoch: written, taskId });
    this.reconciled.add(ws);
    this.deps.onReconciled?.(message.agentId);
  }
}

function send(ws: WebSocket, message: MasterMessage): void {
  ws.send(JSON.stringify(message));
}

/** WebSocket close reasons are limited to 123 bytes. */
function truncate(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : Buffer.from(reason).subarray(0, 120).toString() + '...';
}
