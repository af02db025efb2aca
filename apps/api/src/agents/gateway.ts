import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  AgentMessage, CloseCode, fieldErrors, type MasterMessage, type RegisterMessage,
} from '@gantry/specs';
import { WebSocketServer, type WebSocket } from 'ws';
import { DeposedError } from '../leadership/elector.js';
import type { HeartbeatBatch } from './heartbeat-batch.js';
import type { AgentRepository } from './repository.js';

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
}

const MAX_MESSAGE_BYTES = 256 * 1024;

/**
 * The master's end of the agent protocol (`/agent/v1`). Only the leader keeps agent
 * connections; a standby answers with a redirect to the leader and closes.
 */
export class AgentGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  /** Live connection per registered agent id. */
  private readonly connections = new Map<string, WebSocket>();

  constructor(private readonly deps: GatewayDeps) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => void this.accept(ws));
  }

  /** Closes every agent connection, e.g. when this replica stops leading. */
  closeAll(code: number, reason: string): void {
    for (const ws of this.wss.clients) ws.close(code, reason);
    this.connections.clear();
  }

  get connectedAgents(): number {
    return this.connections.size;
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
          return; // nothing the master sends needs an ack yet (task launches will)
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
    try {
      await this.deps.agents.register(
        epoch,
        {
          id, hostname: message.hostname, address: message.address, resources: message.resources,
          attributes: message.attributes, agentVersion: message.agentVersion,
        },
        this.deps.now(),
      );
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
    send(ws, { type: 'registered', id: randomUUID(), epoch, ackOf: message.id, agentId: id, heartbeatIntervalMs: this.deps.heartbeatIntervalMs });
    return id;
  }
}

function send(ws: WebSocket, message: MasterMessage): void {
  ws.send(JSON.stringify(message));
}

/** WebSocket close reasons are limited to 123 bytes. */
function truncate(reason: string): string {
  return Buffer.byteLength(reason) <= 123 ? reason : Buffer.from(reason).subarray(0, 120).toString() + '...';
}
