import { randomUUID } from 'node:crypto';
import {
  isTerminal, TaskSpec, type AgentAckMessage, type LogChunkMessage, type LogFile, type MasterMessage,
  type TaskSpecInput, type UsageMessage,
} from '@gantry/specs';
import type { TaskRepository } from './repository.js';

/** The gateway's side this service needs: who is connected, and sending to them. */
export interface AgentChannel {
  /** The epoch this replica leads with, or null on a standby. */
  epoch(): number | null;
  /** Sends to a connected, reconciled agent; false if it is not connected. */
  send(agentId: string, message: MasterMessage): boolean;
  connected(agentId: string): boolean;
}

export class AgentUnavailableError extends Error {
  override name = 'AgentUnavailableError';
}

export class CommandFailedError extends Error {
  override name = 'CommandFailedError';
}

type Reply = AgentAckMessage | LogChunkMessage;

/**
 * Task specs that came out of `TaskSpec.parse` in this process (and are never changed
 * after): the gateway holds every message it sends to the schema the agent checks, and a
 * launch of one of these needs only its envelope checked — the second full parse of
 * every launch was a tenth of the master's CPU at B3's 100k launches.
 */
const parsedSpecs = new WeakSet<TaskSpec>();

/** `TaskSpec.parse`, remembering that the result is a valid spec. */
export function parseTaskSpec(input: unknown): TaskSpec {
  const spec = TaskSpec.parse(input);
  parsedSpecs.add(spec);
  return spec;
}

export function isParsedTaskSpec(spec: unknown): boolean {
  return typeof spec === 'object' && spec !== null && parsedSpecs.has(spec as TaskSpec);
}

export interface LogChunk {
  offset: number;
  data: string;
  size: number;
}

const REPLY_TIMEOUT_MS = 10_000;

/**
 * Commands from the master to agents: LAUNCH, KILL, CREATE/DESTROY volume, and log
 * reads. Each command carries the leader epoch (the agent ignores older ones) and is
 * answered by the agent; the returned promise settles with that answer. Until the
 * services framework drives them, tests and benchmarks call this directly.
 */
export class AgentCommands {
  private readonly waiting = new Map<string, { agentId: string; resolve: (reply: Reply) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  private readonly latestUsage = new Map<string, UsageMessage>();

  constructor(
    private readonly channel: AgentChannel,
    private readonly tasks: TaskRepository,
    private readonly now: () => Date,
  ) {}

  connected(agentId: string): boolean {
    return this.channel.connected(agentId);
  }

  /** Persists the task as STAGING, then sends the launch; resolves when the agent has taken it. */
  async launch(agentId: string, input: TaskSpecInput): Promise<void> {
    const spec = parseTaskSpec(input);
    const epoch = this.leading();
    if (!this.channel.connected(agentId)) throw new AgentUnavailableError(`agent ${agentId} is not connected`);
    await this.tasks.stage(epoch, agentId, spec, this.now());
    await this.request(agentId, { type: 'launch', id: randomUUID(), epoch, task: spec });
  }

  /**
   * Sends a launch of a task already staged (the scheduler stages whole batches in one
   * transaction first); resolves when the agent has taken it.
   */
  async sendLaunch(agentId: string, spec: TaskSpec): Promise<void> {
    await this.request(agentId, { type: 'launch', id: randomUUID(), epoch: this.leading(), task: spec });
  }

  /** KILLING then KILLED arrive as status updates. */
  async kill(taskId: string, gracePeriodSeconds?: number): Promise<void> {
    const task = await this.tasks.get(taskId);
    if (!task) throw new CommandFailedError(`task ${taskId} does not exist`);
    if (isTerminal(task.state)) return;
    await this.killOn(task.agentId, taskId, gracePeriodSeconds);
  }

  /** A kill to the agent the caller knows runs the task. */
  async killOn(agentId: string, taskId: string, gracePeriodSeconds?: number): Promise<void> {
    await this.request(agentId, {
      type: 'kill', id: randomUUID(), epoch: this.leading(), taskId, ...(gracePeriodSeconds !== undefined ? { gracePeriodSeconds } : {}),
    });
  }

  async createVolume(agentId: string, volumeId: string, owner: string, sizeMiB = 0): Promise<void> {
    await this.request(agentId, { type: 'createVolume', id: randomUUID(), epoch: this.leading(), volumeId, owner, sizeMiB });
  }

  async destroyVolume(agentId: string, volumeId: string): Promise<void> {
    await this.request(agentId, { type: 'destroyVolume', id: randomUUID(), epoch: this.leading(), volumeId });
  }

  /** Up to `length` bytes of a task's stdout/stderr from `offset` (Mesos' /files/read). */
  async readLog(taskId: string, file: LogFile, offset: number, length = 64 * 1024): Promise<LogChunk> {
    const task = await this.tasks.get(taskId);
    if (!task) throw new CommandFailedError(`task ${taskId} does not exist`);
    const reply = await this.request(task.agentId, { type: 'readLog', id: randomUUID(), epoch: this.leading(), taskId, file, offset, length }) as LogChunkMessage;
    return { offset: reply.offset, data: reply.data, size: reply.size };
  }

  /**
   * Streams a log from `offset`: everything there is, then (with `follow`) what the
   * task writes next, polled every `pollMs`, until `signal` aborts or, when the task
   * has ended and everything is read, the stream ends. A rotation (size shrinks below
   * the offset) restarts from the new file's beginning.
   */
  async *streamLog(taskId: string, file: LogFile, options: { offset?: number; follow?: boolean; pollMs?: number; signal?: AbortSignal } = {}): AsyncIterable<string> {
    let offset = options.offset ?? 0;
    for (;;) {
      if (options.signal?.aborted) return;
      const chunk = await this.readLog(taskId, file, offset);
      if (chunk.size < offset) offset = 0; // rotated under us
      else if (chunk.data.length) {
        offset += Buffer.byteLength(chunk.data);
        yield chunk.data;
        continue;
      }
      if (!options.follow) return;
      const task = await this.tasks.get(taskId);
      if (task && isTerminal(task.state) && chunk.size <= offset) return;
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  }

  /** The latest usage report of an agent (cpu, memory, disk per task and in total). */
  usage(agentId: string): UsageMessage | null {
    return this.latestUsage.get(agentId) ?? null;
  }

  // ── called by the gateway ──────────────────────────────────────────────────

  recordUsage(message: UsageMessage): void {
    this.latestUsage.set(message.agentId, message);
  }

  /** An agent answered a command (only the agent it was sent to may answer it). */
  replied(agentId: string, reply: Reply): void {
    const waiter = this.waiting.get(reply.ackOf);
    if (!waiter || waiter.agentId !== agentId) return;
    this.waiting.delete(reply.ackOf);
    clearTimeout(waiter.timer);
    if (reply.error) waiter.reject(new CommandFailedError(reply.error));
    else waiter.resolve(reply);
  }

  private leading(): number {
    const epoch = this.channel.epoch();
    if (epoch === null) throw new AgentUnavailableError('this API replica is not the leader; send commands to the leader');
    return epoch;
  }

  private request(agentId: string, message: MasterMessage): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(message.id);
        reject(new AgentUnavailableError(`agent ${agentId} did not answer ${message.type} within ${REPLY_TIMEOUT_MS} ms`));
      }, REPLY_TIMEOUT_MS);
      this.waiting.set(message.id, { agentId, resolve, reject, timer });
      if (!this.channel.send(agentId, message)) {
        clearTimeout(timer);
        this.waiting.delete(message.id);
        reject(new AgentUnavailableError(`agent ${agentId} is not connected`));
      }
    });
  }
}
