import { randomUUID } from 'node:crypto';
import {
  AGENT_PROTOCOL_PATH, AGENT_PROTOCOL_VERSION, AgentMessage, CloseCode, MasterMessage,
  type CreateVolumeMessage, type DestroyVolumeMessage, type KillMessage, type LaunchMessage, type ReadLogMessage, type RegisterMessage,
} from '@gantry/specs';
import WebSocket from 'ws';
import { backoffDelay, type BackoffPolicy } from './backoff.js';
import type { AgentConfig } from './config.js';

export interface MasterLinkOptions {
  config: AgentConfig;
  agentVersion: string;
  /** Agent id from the checkpoint; null on a first start. */
  agentId: string | null;
  /** Called with a new agent id before it is used; must make it durable. */
  persistAgentId: (agentId: string) => Promise<void>;
  backoff: BackoffPolicy;
  random: () => number;
  log: (line: string) => void;
  /** A problem only the operator can fix: the agent stops with this message. */
  fatal: (message: string) => void;
  /** Registered on a (new) connection: time to send the task list and unacknowledged updates. */
  onRegistered?: (agentId: string) => void;
  /** A command from the current leader. */
  onCommand?: (command: MasterCommand) => void;
  /** The master acknowledged one of our messages (e.g. a status update's uuid). */
  onAck?: (ackOf: string) => void;
}

export type MasterCommand = LaunchMessage | KillMessage | CreateVolumeMessage | DestroyVolumeMessage | ReadLogMessage;

/**
 * The agent's link to the leading master: connect, register, heartbeat, and when the
 * connection drops, reconnect with jittered backoff — forever, across API restarts
 * and leader failovers. Standbys redirect to the leader.
 */
export class MasterLink {
  private ws: WebSocket | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;
  private masterIndex = 0;
  private redirectTo: URL | null = null;
  private everRegistered = false;
  private stopped = false;
  /** Newest leader epoch seen: messages from older epochs come from a deposed leader. */
  private epoch = 0;
  private agentId: string | null;
  /** Connections on which the master has accepted our registration. */
  private readonly registeredOn = new WeakSet<WebSocket>();

  constructor(private readonly options: MasterLinkOptions) {
    this.agentId = options.agentId;
  }

  get registeredAgentId(): string | null {
    return this.everRegistered ? this.agentId : null;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.stopHeartbeats();
    this.ws?.close(1001, 'agent shutting down');
  }

  private target(): URL {
    if (this.redirectTo) return this.redirectTo;
    const masters = this.options.config.masters;
    return masters[this.masterIndex % masters.length]!;
  }

  private connect(): void {
    if (this.stopped) return;
    const master = this.target();
    this.redirectTo = null;
    const url = new URL(AGENT_PROTOCOL_PATH, master);
    url.protocol = master.protocol === 'https:' ? 'wss:' : 'ws:';
    const ws = new WebSocket(url, {
      handshakeTimeout: 5000,
      maxPayload: 4 * 2 ** 20,
      headers: { authorization: `Bearer ${this.options.config.token}` },
    });
    this.ws = ws;
    let failure: string | null = null;

    ws.on('open', () => this.sendOn(ws, this.registration()));
    ws.on('message', (data) => this.receive(ws, master, data.toString()));
    ws.on('unexpected-response', (_req, res) => {
      failure = res.statusCode === 401
        ? `${master.origin} refused this agent's join token (HTTP 401): set GANTRY_AGENT_TOKEN or --token-file to the cluster's token`
        : `${master.origin} answered HTTP ${res.statusCode} instead of the agent protocol: it is not a Gantry API server (check --master)`;
      if (!this.everRegistered) return this.options.fatal(failure);
      ws.terminate();
    });
    ws.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOTFOUND' && !this.everRegistered) {
        return this.options.fatal(`cannot resolve the host of --master ${master.origin}: fix the URL`);
      }
      failure = `${master.origin}: ${error.code === 'ECONNREFUSED' ? 'connection refused' : error.message}`;
    });
    ws.on('close', (code, reason) => {
      this.stopHeartbeats();
      if (this.ws === ws) this.ws = null;
      if (this.stopped) return;
      if (code === CloseCode.invalidMessage) this.options.log(`master rejected a message: ${reason.toString()}`);
      if (code !== CloseCode.redirect) this.masterIndex += this.redirectTo ? 0 : 1;
      const delay = this.redirectTo ? 0 : backoffDelay(this.attempt++, this.options.backoff, this.options.random);
      if (!this.redirectTo) {
        this.options.log(`disconnected from master (${failure ?? `closed ${code}${reason.length ? `: ${reason}` : ''}`}); retrying in ${delay} ms`);
      }
      this.retry = setTimeout(() => this.connect(), delay);
    });
  }

  private registration(): RegisterMessage {
    const { config } = this.options;
    return {
      type: 'register', id: randomUUID(), protocolVersion: AGENT_PROTOCOL_VERSION, agentId: this.agentId,
      hostname: config.hostname, address: config.address, resources: config.resources,
      attributes: config.attributes, agentVersion: this.options.agentVersion,
    };
  }

  private receive(ws: WebSocket, master: URL, text: string): void {
    let parsed;
    try {
      parsed = MasterMessage.safeParse(JSON.parse(text));
    } catch {
      parsed = null;
    }
    if (!parsed?.success) {
      this.options.log(`ignoring a malformed message from ${master.origin}`);
      return;
    }
    const message = parsed.data;
    if ('epoch' in message) {
      if (message.epoch < this.epoch) {
        // From a deposed leader (a newer one has spoken to us since): never obey it.
        this.options.log(`ignoring ${message.type} from ${master.origin}: leader epoch ${message.epoch} is older than ${this.epoch}`);
        // A deposed leader that takes our registration would hold us idle: look for the real one.
        if (message.type === 'registered') ws.close(CloseCode.deposed, `epoch ${message.epoch} is older than ${this.epoch}`);
        return;
      }
      this.epoch = message.epoch;
    }
    switch (message.type) {
      case 'redirect':
        if (message.leader) {
          this.redirectTo = new URL(message.leader);
          this.options.log(`${master.origin} is a standby; the leader is ${message.leader}`);
        }
        return;
      case 'registered':
        void this.registered(ws, master, message.agentId, message.heartbeatIntervalMs);
        return;
      case 'refused':
        this.options.fatal(`the master refused this agent: ${message.reason}`);
        return;
      case 'ack':
        this.options.onAck?.(message.ackOf);
        return;
      default:
        this.options.onCommand?.(message);
    }
  }

  /** Sends to the master if registered and connected; false otherwise (the caller retries). */
  send(message: AgentMessage): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN || !this.registeredOn.has(ws)) return false;
    // Validate what we send, as the master validates what it receives.
    if (!AgentMessage.safeParse(message).success) {
      this.options.log(`not sending an invalid ${message.type} message`);
      return false;
    }
    ws.send(JSON.stringify(message));
    return true;
  }

  private async registered(ws: WebSocket, master: URL, agentId: string, heartbeatIntervalMs: number): Promise<void> {
    if (agentId !== this.agentId) {
      await this.options.persistAgentId(agentId);
      this.agentId = agentId;
    }
    this.everRegistered = true;
    this.attempt = 0;
    this.options.log(`registered with ${master.origin} as ${agentId} (leader epoch ${this.epoch})`);
    this.stopHeartbeats();
    this.heartbeat = setInterval(() => this.sendOn(ws, { type: 'heartbeat', id: randomUUID(), agentId }), heartbeatIntervalMs);
    this.registeredOn.add(ws);
    this.options.onRegistered?.(agentId);
  }

  private stopHeartbeats(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private sendOn(ws: WebSocket, message: AgentMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }
}
