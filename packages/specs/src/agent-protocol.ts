import { z } from 'zod';
import { AgentAttributes } from './attributes.js';
import { AgentResources } from './resources.js';
// Task shapes are part of the protocol; exported from here so every side reaches them
// through the package's one entry point.
export * from './task.js';
import { LogFile, TaskId, TaskSpec, TaskState, TaskStatus, TaskUsage, VolumeId } from './task.js';

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

/** Answers a master command; `error` says why the agent could not carry it out. */
export const AgentAckMessage = z.strictObject({
  type: z.literal('ack'),
  id: MessageId,
  ackOf: MessageId,
  error: z.string().max(4096).optional(),
});
export type AgentAckMessage = z.infer<typeof AgentAckMessage>;

/**
 * A task status update. The message id is the update's uuid, so the master's ack
 * (`ackOf` = uuid) names the update itself, whichever connection carried it.
 */
export const StatusUpdateMessage = z.strictObject({
  type: z.literal('statusUpdate'),
  id: MessageId,
  agentId: AgentId,
  status: TaskStatus,
}).refine((m) => m.id === m.status.uuid, { message: 'a status update message id is its uuid', path: ['id'] });
export type StatusUpdateMessage = z.infer<typeof StatusUpdateMessage>;

/** One task an agent knows, in its latest state: the agent's side of reconciliation. */
export const KnownTask = z.strictObject({
  taskId: TaskId,
  state: TaskState,
  pid: z.number().int().positive().optional(),
  healthy: z.boolean().optional(),
  ready: z.boolean().optional(),
});
export type KnownTask = z.infer<typeof KnownTask>;

/** Sent after every (re-)registration: every task the agent knows (Mesos re-registration). */
export const TaskListMessage = z.strictObject({
  type: z.literal('taskList'),
  id: MessageId,
  agentId: AgentId,
  tasks: z.array(KnownTask).max(100_000),
});
export type TaskListMessage = z.infer<typeof TaskListMessage>;

/** Periodic resource use; like heartbeats, not acknowledged (the next one supersedes it). */
export const UsageMessage = z.strictObject({
  type: z.literal('usage'),
  id: MessageId,
  agentId: AgentId,
  timestamp: z.string().datetime(),
  tasks: z.array(TaskUsage).max(100_000),
  totals: z.strictObject({
    cpuSeconds: z.number().nonnegative(),
    rssBytes: z.number().int().nonnegative(),
    diskBytes: z.number().int().nonnegative(),
    /** Bytes under the agent's volumes directory, every volume counted once. */
    volumeBytes: z.number().int().nonnegative(),
  }),
});
export type UsageMessage = z.infer<typeof UsageMessage>;

/** Answer to `readLog`: `data` starts at `offset`; `size` is the file's current size. */
export const LogChunkMessage = z.strictObject({
  type: z.literal('logChunk'),
  id: MessageId,
  ackOf: MessageId,
  taskId: TaskId,
  file: LogFile,
  offset: z.number().int().nonnegative(),
  data: z.string(),
  size: z.number().int().nonnegative(),
  error: z.string().max(4096).optional(),
});
export type LogChunkMessage = z.infer<typeof LogChunkMessage>;

export const AgentMessage = z.discriminatedUnion('type', [
  RegisterMessage, HeartbeatMessage, AgentAckMessage, StatusUpdateMessage, TaskListMessage, UsageMessage, LogChunkMessage,
]);
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

/** Run a task. Acked once the agent has taken it; its fate arrives as status updates. */
export const LaunchMessage = z.strictObject({
  type: z.literal('launch'),
  id: MessageId,
  epoch: Epoch,
  task: TaskSpec,
});
export type LaunchMessage = z.infer<typeof LaunchMessage>;

/** Kill a task: SIGTERM, then SIGKILL after the grace period (the task's own unless given). */
export const KillMessage = z.strictObject({
  type: z.literal('kill'),
  id: MessageId,
  epoch: Epoch,
  taskId: TaskId,
  gracePeriodSeconds: z.number().nonnegative().optional(),
});
export type KillMessage = z.infer<typeof KillMessage>;

/** Mesos' CREATE operation: a persistent volume directory owned by a reservation. */
export const CreateVolumeMessage = z.strictObject({
  type: z.literal('createVolume'),
  id: MessageId,
  epoch: Epoch,
  volumeId: VolumeId,
  /** The reservation (role/principal) that owns it, recorded beside the data. */
  owner: z.string().min(1).max(256),
  sizeMiB: z.number().int().nonnegative().default(0),
});
export type CreateVolumeMessage = z.infer<typeof CreateVolumeMessage>;

/** Mesos' DESTROY: removes the volume and its data; refused while a live task uses it. */
export const DestroyVolumeMessage = z.strictObject({
  type: z.literal('destroyVolume'),
  id: MessageId,
  epoch: Epoch,
  volumeId: VolumeId,
});
export type DestroyVolumeMessage = z.infer<typeof DestroyVolumeMessage>;

/** Read up to `length` bytes of a task's log from `offset` (Mesos' /files/read). */
export const ReadLogMessage = z.strictObject({
  type: z.literal('readLog'),
  id: MessageId,
  epoch: Epoch,
  taskId: TaskId,
  file: LogFile,
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive().max(1024 * 1024),
});
export type ReadLogMessage = z.infer<typeof ReadLogMessage>;

export const MasterMessage = z.discriminatedUnion('type', [
  RegisteredMessage, MasterAckMessage, RedirectMessage, RefusedMessage,
  LaunchMessage, KillMessage, CreateVolumeMessage, DestroyVolumeMessage, ReadLogMessage,
]);
export type MasterMessage = z.infer<typeof MasterMessage>;

/** WebSocket close codes the master uses (4000-4999 are the application's). */
export const CloseCode = {
  redirect: 4001,
  refused: 4002,
  invalidMessage: 4003,
  replaced: 4004,
  deposed: 4005,
} as const;
