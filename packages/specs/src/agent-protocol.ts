import { z } from 'zod';
import { AgentAttributes } from './attributes.js';
import { AgentResources } from './resources.js';

/**
 * The agent ⇄ master protocol, one JSON message per WebSocket frame at `/agent/v1`.
 *
 * - Every message has a sender-unique `id`. A message that changes state is answered
 *   by an `ack` naming it (`ackOf`); the sender keeps it and re-sends it, after a
 *   reconnect too, until acknowledged. Receivers treat duplicates as harmless.
 * - Every master message carries the leader `epoch`. An agent drops messages from an
 *   epoch older than the newest it has seen: a deposed leader cannot command it.
 * - Heartbeats are not acknowledged; liveness of the master is the socket itself.
 */

export const AGENT_PROTOCOL_PATH = '/agent/v1';
export const AGENT_PROTOCOL_VERSION = 1;

const MessageId = z.string().min(1).max(64);
const AgentId = z.string().regex(/^[a-z0-9-]{8,64}$/, { message: 'agent ids are 8-64 lowercase letters, digits or "-"' });
const Hostname = z
  .string()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/, { message: 'hostname must be a DNS name such as local-a or node1.example.com' });

export const RegisterMessage = z.strictObject({
  type: z.literal('register'),
  id: MessageId,
  protocolVersion: z.literal(AGENT_PROTOCOL_VERSION),
  /** Null on the first registration; the id the master gave it ever after. */
  agentId: AgentId.nullable(),
  hostname: Hostname,
  /** Address tasks on this agent are reached at (Marathon's `host`). */
  address: z.string().min(1).max(253),
  resources: AgentResources,
  attributes: AgentAttributes,
  agentVersion: z.string().max(64),
});
export type RegisterMessage = z.infer<typeof RegisterMessage>;

export const HeartbeatMessage = z.strictObject({
  type: z.literal('heartbeat'),
  id: MessageId,
  agentId: AgentId,
});
export type HeartbeatMessage = z.infer<typeof HeartbeatMessage>;

export const AgentAckMessage = z.strictObject({
  type: z.literal('ack'),
  id: MessageId,
  ackOf: MessageId,
});

export const AgentMessage = z.discriminatedUnion('type', [RegisterMessage, HeartbeatMessage, AgentAckMessage]);
export type AgentMessage = z.infer<typeof AgentMessage>;

const Epoch = z.number().int().positive();

export const RegisteredMessage = z.strictObject({
  type: z.literal('registered'),
  id: MessageId,
  epoch: Epoch,
  ackOf: MessageId,
  agentId: AgentId,
  heartbeatIntervalMs: z.number().int().positive(),
});
export type RegisteredMessage = z.infer<typeof RegisteredMessage>;

export const MasterAckMessage = z.strictObject({
  type: z.literal('ack'),
  id: MessageId,
  epoch: Epoch,
  ackOf: MessageId,
});

/** Sent by a standby: this replica does not lead; talk to `leader` (null while unknown). */
export const RedirectMessage = z.strictObject({
  type: z.literal('redirect'),
  id: MessageId,
  leader: z.string().nullable(),
});
export type RedirectMessage = z.infer<typeof RedirectMessage>;

/** The master will not take this agent as it is; `reason` says what the operator must do. */
export const RefusedMessage = z.strictObject({
  type: z.literal('refused'),
  id: MessageId,
  epoch: Epoch,
  ackOf: MessageId.nullable(),
  reason: z.string(),
});
export type RefusedMessage = z.infer<typeof RefusedMessage>;

export const MasterMessage = z.discriminatedUnion('type', [RegisteredMessage, MasterAckMessage, RedirectMessage, RefusedMessage]);
export type MasterMessage = z.infer<typeof MasterMessage>;

/** WebSocket close codes the master uses (4000-4999 are the application's). */
export const CloseCode = {
  redirect: 4001,
  refused: 4002,
  invalidMessage: 4003,
  replaced: 4004,
  deposed: 4005,
} as const;
