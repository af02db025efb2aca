import { FetchError, fetchArtifacts } from './fetcher.js';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chown, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isTerminal, type AgentMessage, type AgentResources, type CreateVolumeMessage, type DestroyVolumeMessage,
  type KillMessage, type KnownTask, type LaunchMessage, type ReadLogMessage, type TaskStatus, type TaskUsage, type UsageMessage,
} from '@gantry/specs';
import { cgroupPids, memoryUsage, oomKilled, procsFiles, type Cgroups } from '../cgroups/cgroups.js';
import { judge, initialHealth, type HealthState } from '../health/health-verdict.js';
import { commandProbe, httpProbe, tcpProbe, type ProbeResult } from '../health/probes.js';
import { logPath, openTaskLogs, readLog, rotateIfLarge, type LogRotation } from '../logs/task-logs.js';
import { TaskCheckpoints, type TaskRecord } from '../recovery/task-checkpoint.js';
import { diskLimitation, type DiskUse } from '../volumes/disk-quota.js';
import { directoryBytes } from '../volumes/disk-usage.js';
import { VolumeProviders } from '../volumes/volume-provider.js';
import { linkIntoSandbox, VolumeError, type Volumes } from '../volumes/volumes.js';
import { exitVerdict } from './exit-verdict.js';
import { launchVerdict } from './launch-verdict.js';
import { findUser } from './passwd.js';
import { groupPids, outsideGroup, readProcStat, signalAll, stillRunning } from './proc.js';
import { launchProcess } from './process-launcher.js';
import { acknowledge, due, emptyStream, enqueue, resend, sent, type RetryPolicy, type StatusStream } from './status-stream.js';
import { taskEnvironment } from './task-environment.js';
import { transition } from './task-state.js';

export interface TaskManagerOptions {
  workDir: string;
  address: string;
  resources: AgentResources;
  cgroups: Cgroups;
  volumes: Volumes;
  /** Providers of external volumes (`--shared-volumes-dir`); none by default. */
  volumeProviders?: VolumeProviders;
  retry: RetryPolicy;
  rotation: LogRotation;
  usageIntervalMs: number;
  /** Sends a message to the master if connected; false when it could not. */
  send: (message: AgentMessage) => boolean;
  agentId: () => string | null;
  log: (line: string) => void;
}

type Usage = Pick<UsageMessage, 'tasks' | 'totals'>;

interface Task {
  record: TaskRecord;
  stream: StatusStream;
  child: ChildProcess | null;
  /** Serialises this task's checkpoint writes: the last write is the newest state. */
  writing: Promise<void>;
  /** Health and readiness check timers (stopped on kill). */
  timers: Set<NodeJS.Timeout>;
  /** The poll of an adopted task and the pending SIGKILL: they outlive the checks. */
  lifeTimers: Set<NodeJS.Timeout>;
  health: HealthState[];
  /** Set once the end has been handled, so exit and poll never both report it. */
  ended: boolean;
  closeLogs: (() => Promise<void>) | null;
}

const CLK_TCK = 100; // Linux USER_HZ
const PAGE_SIZE = 4096;
const WATCH_MS = 250;

/**
 * The agent's tasks: launch, watch, kill, check, checkpoint, recover, and the reliable
 * delivery of their status updates. Decisions come from the pure modules beside it
 * (launchVerdict, transition, exitVerdict, judge, status-stream); this class does the I/O.
 */
export class TaskManager {
  private readonly tasks = new Map<string, Task>();
  private readonly checkpoints: TaskCheckpoints;
  private readonly uuidToTask = new Map<string, string>();
  private ticker: NodeJS.Timeout | null = null;
  private usageTicker: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly options: TaskManagerOptions) {
    this.checkpoints = new TaskCheckpoints(options.workDir);
  }

  private sandboxOf(taskId: string): string {
    return join(this.options.workDir, 'sandboxes', taskId);
  }

  /** Loops that retry updates, rotate logs and report usage. */
  start(): void {
    this.ticker = setInterval(() => {
      this.pumpAll();
      void this.rotateLogs();
    }, 200);
    this.usageTicker = setInterval(() => void this.measureAndReport(), this.options.usageIntervalMs);
  }

  /** Stops the agent's own loops. Tasks keep running: they outlive the agent by design. */
  /**
   * Kills every live task (SIGTERM, SIGKILL after its grace period) and waits until
   * they have ended or `timeoutMs` passed: an orderly stop of a whole local cluster
   * (`gantry up`), which must not leave tasks holding ports behind it. A plain agent
   * stop or crash leaves them running, to be taken back by the next agent process.
   */
  async killAll(timeoutMs: number): Promise<void> {
    this.closing = true; // a launch arriving from now on is refused: nothing may outlive this
    const live = [...this.tasks.values()].filter((t) => !t.ended && !isTerminal(t.record.state));
    await Promise.all(live.map((t) => this.kill({ type: 'kill', id: `shutdown-${t.record.spec.taskId}`, epoch: 1, taskId: t.record.spec.taskId })));
    const deadline = Date.now() + timeoutMs;
    while (live.some((t) => !t.ended) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  }

  /** Set by killAll: the agent is stopping with its tasks and takes no new ones. */
  private closing = false;

  stop(): void {
    this.stopped = true;
    if (this.ticker) clearInterval(this.ticker);
    if (this.usageTicker) clearInterval(this.usageTicker);
    for (const task of this.tasks.values()) for (const timer of [...task.timers, ...task.lifeTimers]) clearTimeout(timer);
  }

  // ── recovery ────────────────────────────────────────────────────────────────

  /**
   * Takes back the tasks of the previous agent process from their checkpoints: a live
   * process with the recorded pid and start time is adopted as it is (never restarted);
   * one that ended meanwhile is reported from its exit-status file and cgroup.
   */
  async recover(): Promise<{ adopted: number; ended: number }> {
    const { records, damaged } = await this.checkpoints.readAll();
    for (const file of damaged) this.options.log(`ignoring damaged task checkpoint ${file}; move it away after checking what it held`);
    let adopted = 0;
    let ended = 0;
    for (const record of records) {
      const task = this.track(record);
      for (const status of record.pending) this.uuidToTask.set(status.uuid, record.spec.taskId);
      if (isTerminal(record.state)) continue;
      if (record.pid && (await stillRunning(record.pid, record.procStart))) {
        adopted++;
        this.watch(task);
        if (record.state === 'TASK_RUNNING') this.startChecks(task);
        if (record.killRequested) this.scheduleSigkill(task, Math.max(0, (record.killDeadline ?? Date.now()) - Date.now()));
      } else if (record.pid) {
        ended++;
        await this.ended(task, null, null);
      } else {
        // The agent died between checkpointing the launch and recording the pid.
        ended++;
        task.ended = true;
        if (record.cgroup) {
          signalAll(undefined, await cgroupPids(record.cgroup), 'SIGKILL');
          await this.destroyCgroup(record.cgroup);
        }
        await this.update(task, { state: 'TASK_FAILED', reason: 'REASON_AGENT_RESTARTED', message: 'the agent restarted while launching the task' });
      }
    }
    return { adopted, ended };
  }

  /** Kills the tasks of a discarded identity (`--fresh-identity`) and forgets them. */
  async discardAll(): Promise<number> {
    const { records } = await this.checkpoints.readAll();
    for (const record of records) {
      if (record.pid && !isTerminal(record.state) && (await stillRunning(record.pid, record.procStart))) {
        signalAll(record.pid, record.cgroup ? await cgroupPids(record.cgroup) : [], 'SIGKILL');
      }
      if (record.cgroup) await this.destroyCgroup(record.cgroup);
      await this.checkpoints.remove(record.spec.taskId);
    }
    return records.length;
  }

  private track(record: TaskRecord): Task {
    const task: Task = {
      record, stream: record.pending.reduce(enqueue, emptyStream()), child: null, writing: Promise.resolve(),
      timers: new Set(), lifeTimers: new Set(), health: record.spec.healthChecks.map(() => ({ ...initialHealth(), everPassed: record.healthy === true, healthy: record.healthy })),
      ended: isTerminal(record.state), closeLogs: null,
    };
    this.tasks.set(record.spec.taskId, task);
    return task;
  }

  // ── the master's view ───────────────────────────────────────────────────────

  /** Every task this agent knows, for reconciliation after (re-)registration. */
  knownTasks(): KnownTask[] {
    return [...this.tasks.values()].map(({ record }) => ({
      taskId: record.spec.taskId, state: record.state,
      ...(record.pid ? { pid: record.pid } : {}),
      ...(record.healthy !== undefined ? { healthy: record.healthy } : {}),
      ...(record.ready !== undefined ? { ready: record.ready } : {}),
    }));
  }

  /** A new connection: every unacknowledged head goes out again at once. */
  connected(): void {
    for (const task of this.tasks.values()) task.stream = resend(task.stream);
    this.pumpAll();
  }

  /** The master acknowledged a status update (it is durably recorded there). */
  acknowledged(uuid: string): void {
    const taskId = this.uuidToTask.get(uuid);
    const task = taskId ? this.tasks.get(taskId) : undefined;
    if (!task) return; // a duplicate ack of something long done
    const { stream, matched } = acknowledge(task.stream, uuid);
    if (!matched) return;
    this.uuidToTask.delete(uuid);
    task.stream = stream;
    task.record = { ...task.record, pending: task.record.pending.filter((s) => s.uuid !== uuid) };
    // Mesos checkpoints every ack; we don't, except to drop a finished task's record:
    // after a crash an acknowledged update may be re-sent, which the master ignores
    // (same uuid). That saves two fsyncs per launch. The next state change rewrites
    // the checkpoint from memory, acks included.
    if (isTerminal(task.record.state) && task.record.pending.length === 0) void this.checkpoint(task);
    this.pump(task);
  }

  // ── commands ────────────────────────────────────────────────────────────────

  async launch(message: LaunchMessage): Promise<string | undefined> {
    const spec = message.task;
    if (this.closing) return 'this agent is shutting down and stopping its tasks; launch elsewhere';
    if (this.tasks.has(spec.taskId)) return undefined; // a re-sent launch: already handled
    // Read asynchronously, before deciding: a launch never blocks the agent's event loop.
    const [volumes, passwd] = await Promise.all([
      this.options.volumes.list(),
      spec.user !== undefined ? readFile('/etc/passwd', 'utf8').catch(() => '') : Promise.resolve(''),
    ]);
    if (this.tasks.has(spec.taskId)) return undefined; // the same launch, re-sent while we read
    const live = [...this.tasks.values()].filter((t) => !isTerminal(t.record.state));
    const sum = (name: 'cpus' | 'mem' | 'disk') => live.reduce((total, t) => total + t.record.spec.resources[name], 0);
    const { cpus, mem, disk } = this.options.resources;
    const verdict = launchVerdict(spec, {
      agentScalars: { cpus, mem, disk },
      scalarsInUse: { cpus: sum('cpus'), mem: sum('mem'), disk: sum('disk') },
      agentPorts: this.options.resources.ports,
      portsInUse: new Set(live.flatMap((t) => t.record.spec.resources.ports)),
      knownTaskIds: new Set(this.tasks.keys()),
      volumes: new Set(volumes.map((v) => v.volumeId)),
      root: process.getuid?.() === 0,
      lookupUser: (name) => findUser(passwd, name),
    });
    const sandbox = this.sandboxOf(spec.taskId);
    const task = this.track({
      spec, sandbox, state: 'TASK_STAGING', cgroup: null, killRequested: false, startedAt: Date.now(), pending: [],
      uid: verdict.ok ? (verdict.user?.uid ?? null) : null, gid: verdict.ok ? (verdict.user?.gid ?? null) : null,
    });
    if (!verdict.ok) {
      task.ended = true;
      await this.update(task, { state: 'TASK_ERROR', reason: verdict.reason, message: verdict.message });
      return undefined;
    }
    try {
      await mkdir(join(sandbox, '.gantry'), { recursive: true, mode: 0o755 });
      if (task.record.uid !== null) {
        await chown(sandbox, task.record.uid, task.record.gid ?? -1);
        await chown(join(sandbox, '.gantry'), task.record.uid, task.record.gid ?? -1);
      }
      const owner = task.record.uid !== null ? { uid: task.record.uid, gid: task.record.gid } : undefined;
      for (const link of verdict.volumeLinks) await this.options.volumes.link(sandbox, link.relative, link.volumeId, owner);
      for (const link of verdict.externalLinks) {
        const provider = this.options.volumeProviders?.get(link.provider);
        if (!provider) throw new VolumeError(VolumeProviders.missing(link.provider, link.name));
        await linkIntoSandbox(sandbox, link.relative, await provider.resolve(link.name, owner));
      }
      // Under the agent's id: agents sharing a machine (or a cgroup hierarchy) never share a task cgroup.
      task.record.cgroup = await this.options.cgroups.create(`${this.options.agentId() ?? 'unregistered'}/${spec.taskId}`, { cpus: spec.resources.cpus, memMiB: spec.resources.mem, cpuLimit: spec.cpuLimit }, task.record.uid);
      // Checkpoint before the process exists: a crash from here on is found by recovery.
      // It must reach the disk (a full disk fails the launch here, before anything runs).
      await this.update(task, { state: 'TASK_STARTING' }, { durable: true });
      await fetchArtifacts(spec.fetch, sandbox, { uid: task.record.uid, gid: task.record.gid });
      const logs = await openTaskLogs(sandbox);
      if (task.record.uid !== null) {
        await chown(logPath(sandbox, 'stdout'), task.record.uid, -1);
        await chown(logPath(sandbox, 'stderr'), task.record.uid, -1);
      }
      task.closeLogs = logs.close;
      const user = verdict.user;
      const env = taskEnvironment(spec, {
        agentId: this.options.agentId() ?? '', host: this.options.address, sandbox,
        path: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...(user ? { home: user.home } : {}),
      });
      const { child, exit } = await launchProcess({
        argv: spec.cmd !== undefined ? ['/bin/sh', '-c', spec.cmd] : spec.args!,
        cwd: sandbox, env, uid: task.record.uid, gid: task.record.gid, stdout: logs.stdout, stderr: logs.stderr,
        cgroupProcs: task.record.cgroup ? procsFiles(task.record.cgroup) : [],
        exitFile: join(sandbox, '.gantry', 'exit_status'),
      });
      task.child = child;
      task.record.pid = child.pid!;
      void exit.then(({ code, signal }) => this.ended(task, code, signal));
      // The task holds its own descriptors now; ours are not needed.
      void logs.close();
      task.closeLogs = null;
      const stat = await readProcStat(child.pid!);
      if (stat) task.record.procStart = stat.starttime;
      if (task.ended) return undefined; // it ended before we even looked
      if (task.record.killRequested) {
        await this.update(task, { state: 'TASK_KILLING', message: 'killed during launch' });
        this.signal(task, 'SIGKILL');
        return undefined;
      }
      await this.update(task, { state: 'TASK_RUNNING', pid: child.pid!, ...(spec.readinessChecks.length ? { ready: false } : {}) });
      this.startChecks(task);
    } catch (error) {
      if (task.child || task.ended) return undefined;
      task.ended = true;
      await task.closeLogs?.().catch(() => undefined);
      if (task.record.cgroup) await this.options.cgroups.destroy(task.record.cgroup);
      const err = error as NodeJS.ErrnoException;
      const message = err.code === 'ENOSPC' || err.code === 'EDQUOT'
        ? `disk full: the agent cannot create the task's sandbox or checkpoint (${err.message}); nothing was started`
        : error instanceof VolumeError || error instanceof FetchError ? error.message : `launch failed: ${err.message}`;
      await this.update(task, { state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LAUNCH_FAILED', message }).catch(() => undefined);
    }
    return undefined;
  }

  /** SIGTERM now, SIGKILL after the grace period, to the task's whole tree. */
  async kill(message: KillMessage): Promise<string | undefined> {
    const task = this.tasks.get(message.taskId);
    if (!task) return `task ${message.taskId} is unknown to this agent`;
    const { record } = task;
    if (isTerminal(record.state) || record.killRequested) return undefined;
    const graceMs = (message.gracePeriodSeconds ?? record.spec.killGracePeriodSeconds) * 1000;
    record.killRequested = true;
    record.killDeadline = Date.now() + graceMs;
    if (!record.pid) return undefined; // launch in progress: it kills as soon as the process exists
    await this.update(task, { state: 'TASK_KILLING' });
    this.stopChecks(task);
    await this.signal(task, graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
    if (graceMs > 0) this.scheduleSigkill(task, graceMs);
    return undefined;
  }

  async createVolume(message: CreateVolumeMessage): Promise<string | undefined> {
    try {
      await this.options.volumes.create(message.volumeId, message.owner, message.sizeMiB, new Date());
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async destroyVolume(message: DestroyVolumeMessage): Promise<string | undefined> {
    const user = [...this.tasks.values()].find((t) => !isTerminal(t.record.state) && t.record.spec.volumes.some((v) => v.volumeId === message.volumeId));
    try {
      await this.options.volumes.destroy(message.volumeId, user?.record.spec.taskId ?? null);
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  }

  async readLog(message: ReadLogMessage): Promise<AgentMessage> {
    const base = { type: 'logChunk' as const, id: randomUUID(), ackOf: message.id, taskId: message.taskId, file: message.file, offset: message.offset };
    try {
      const { data, size } = await readLog(logPath(this.sandboxOf(message.taskId), message.file), message.offset, message.length);
      return { ...base, data, size };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { ...base, data: '', size: 0, error: code === 'ENOENT' ? `task ${message.taskId} has no ${message.file} on this agent` : (error as Error).message };
    }
  }

  // ── life of a task ──────────────────────────────────────────────────────────

  private scheduleSigkill(task: Task, delayMs: number): void {
    const timer = setTimeout(() => {
      task.lifeTimers.delete(timer);
      if (!task.ended) void this.signal(task, 'SIGKILL');
    }, delayMs);
    task.lifeTimers.add(timer);
  }

  private async signal(task: Task, signal: NodeJS.Signals): Promise<void> {
    const { record } = task;
    const pids = record.cgroup ? await cgroupPids(record.cgroup) : [];
    // The group at once (the kernel reaches a child forked meanwhile too), then each process
    // of the task that left it; never a process twice: a second SIGTERM can end a shell
    // whose trap ran on the first (seen: a task killed 45 ms into its grace period).
    signalAll(record.pid, record.pid ? await outsideGroup(pids, record.pid) : pids, signal);
  }

  /** Polls a task that is not our child (adopted after a restart) until it ends. */
  private watch(task: Task): void {
    const poll = async () => {
      if (task.ended || this.stopped) return;
      if (await stillRunning(task.record.pid!, task.record.procStart)) {
        const timer = setTimeout(() => {
          task.lifeTimers.delete(timer);
          void poll();
        }, WATCH_MS);
        task.lifeTimers.add(timer);
        return;
      }
      await this.ended(task, null, null);
    };
    void poll();
  }

  /** The task's first process ended: clean up its tree and report how it ended. */
  private async ended(task: Task, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (task.ended) return;
    task.ended = true;
    this.stopChecks(task);
    for (const timer of task.lifeTimers) clearTimeout(timer);
    const { record } = task;
    let exitCode = code;
    if (exitCode === null) {
      const text = await readFile(join(record.sandbox, '.gantry', 'exit_status'), 'utf8').catch(() => null);
      if (text !== null && /^\d+\s*$/.test(text)) exitCode = Number(text);
    }
    const oom = record.cgroup ? await oomKilled(record.cgroup) : false;
    // Mesos' command executor: once the task's process ends, what it left behind goes too.
    if (record.cgroup) {
      signalAll(undefined, await cgroupPids(record.cgroup), 'SIGKILL');
    } else if (record.pid) {
      signalAll(record.pid, [], 'SIGKILL');
    }
    const outcome = exitVerdict({
      exitCode, signal, killRequested: record.killRequested, oomKilled: oom, memLimitMiB: record.spec.resources.mem,
      ...(record.limitation ? { limitation: record.limitation } : {}),
    });
    // As Mesos destroys the container before the terminal update: KILLED/FAILED means
    // the whole tree is gone.
    if (record.cgroup) await this.destroyCgroup(record.cgroup);
    await this.update(task, { ...outcome, ...(exitCode !== null ? { exitCode } : {}) });
  }

  /** rmdir succeeds once the last process has left (they are dying from a SIGKILL just sent; give them up to 2 s). */
  private async destroyCgroup(cgroup: NonNullable<TaskRecord['cgroup']>): Promise<boolean> {
    for (let attempt = 0; attempt < 40; attempt++) {
      if (await this.options.cgroups.destroy(cgroup)) return true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return false;
  }

  // ── status updates ──────────────────────────────────────────────────────────

  /**
   * Checkpoint first, then send: an update is never sent that a restart could forget.
   * A checkpoint that cannot be written (disk full) is logged and the update still goes
   * out from memory, the old checkpoint intact — except for a `durable` update, which
   * then throws and is neither recorded nor sent (the launch fails instead).
   */
  private async update(
    task: Task, change: Partial<Omit<TaskStatus, 'uuid' | 'taskId' | 'timestamp'>> & { state: TaskStatus['state'] }, options: { durable?: boolean } = {},
  ): Promise<void> {
    const { record } = task;
    const step = transition(record.state, change.state);
    if (!step.ok && !(record.state === 'TASK_STAGING' && change.state === 'TASK_STAGING')) {
      this.options.log(`task ${record.spec.taskId}: ignoring ${change.state}: ${step.error}`);
      return;
    }
    const healthy = change.healthy ?? record.healthy;
    const ready = change.ready ?? record.ready;
    const status: TaskStatus = {
      uuid: randomUUID(), taskId: record.spec.taskId, state: change.state, timestamp: new Date().toISOString(),
      ...(change.reason ? { reason: change.reason } : {}),
      ...(change.message ? { message: change.message } : {}),
      ...(healthy !== undefined ? { healthy } : {}),
      ...(ready !== undefined ? { ready } : {}),
      ...(record.pid ? { pid: record.pid } : {}),
      ...(change.exitCode !== undefined ? { exitCode: change.exitCode } : {}),
      ...(change.consecutiveHealthFailures !== undefined ? { consecutiveHealthFailures: change.consecutiveHealthFailures } : {}),
    };
    task.record = {
      ...record, state: change.state, reason: change.reason, message: change.message, healthy, ready,
      pending: [...record.pending, status],
    };
    try {
      await this.checkpoint(task);
    } catch (error) {
      if (options.durable) {
        task.record = record;
        throw error;
      }
      // Disk full or similar: the update still goes out from memory; the old checkpoint stays intact.
      this.options.log(`task ${record.spec.taskId}: could not checkpoint ${change.state}: ${(error as Error).message}`);
    }
    task.stream = enqueue(task.stream, status);
    this.uuidToTask.set(status.uuid, record.spec.taskId);
    this.pump(task);
  }

  private checkpoint(task: Task): Promise<void> {
    const write = task.writing.then(async () => {
      const { record } = task;
      if (isTerminal(record.state) && record.pending.length === 0) await this.checkpoints.remove(record.spec.taskId);
      else await this.checkpoints.write(record);
    });
    task.writing = write.catch(() => undefined);
    return write;
  }

  private pump(task: Task): void {
    const head = due(task.stream, Date.now());
    if (!head) return;
    const agentId = this.options.agentId();
    if (!agentId) return;
    if (this.options.send({ type: 'statusUpdate', id: head.uuid, agentId, status: head })) {
      task.stream = sent(task.stream, Date.now(), this.options.retry);
    }
  }

  private pumpAll(): void {
    for (const task of this.tasks.values()) if (task.stream.pending.length) this.pump(task);
  }

  // ── health and readiness ────────────────────────────────────────────────────

  private later(task: Task, ms: number, run: () => void): void {
    const timer = setTimeout(() => {
      task.timers.delete(timer);
      if (!task.ended && !this.stopped) run();
    }, ms);
    task.timers.add(timer);
  }

  private stopChecks(task: Task): void {
    for (const timer of task.timers) clearTimeout(timer);
    task.timers.clear();
  }

  private probeEnv(task: Task): Record<string, string> {
    return taskEnvironment(task.record.spec, { agentId: this.options.agentId() ?? '', host: this.options.address, sandbox: task.record.sandbox, path: process.env.PATH ?? '/usr/bin:/bin' });
  }

  private startChecks(task: Task): void {
    const { spec } = task.record;
    spec.healthChecks.forEach((check, i) => {
      const port = check.port ?? spec.resources.ports[check.portIndex];
      const timeoutMs = check.timeoutSeconds * 1000;
      const probe = (): Promise<ProbeResult> => {
        switch (check.protocol) {
          case 'MESOS_HTTP': return httpProbe('http', port!, check.path, timeoutMs);
          case 'MESOS_HTTPS': return httpProbe('https', port!, check.path, timeoutMs);
          case 'MESOS_TCP': return tcpProbe(port!, timeoutMs);
          case 'COMMAND': return commandProbe(check.command!.value, task.record.sandbox, this.probeEnv(task), task.record.uid, task.record.gid, timeoutMs);
        }
      };
      const round = async () => {
        const result = await probe();
        if (task.ended || task.record.killRequested) return;
        const outcome = judge(task.health[i]!, check, result, Date.now() - task.record.startedAt);
        task.health[i] = outcome.state;
        if (outcome.report) {
          // Several checks: the task is healthy only when every check says so (Marathon).
          const healthy = task.health.every((h) => h.healthy === true) ? true : task.health.some((h) => h.healthy === false) ? false : undefined;
          if (healthy !== task.record.healthy || outcome.report.killRecommended) {
            const failures = Math.max(...task.health.map((h) => h.consecutiveFailures));
            await this.update(task, {
              state: 'TASK_RUNNING', reason: 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED', message: outcome.report.message,
              ...(healthy !== undefined ? { healthy } : {}), ...(healthy === false ? { consecutiveHealthFailures: failures } : {}),
            });
          }
        }
        this.later(task, check.intervalSeconds * 1000, () => void round());
      };
      this.later(task, check.delaySeconds * 1000, () => void round());
    });
    if (spec.readinessChecks.length && task.record.ready !== true) {
      const ready = new Array<boolean>(spec.readinessChecks.length).fill(false);
      spec.readinessChecks.forEach((check, i) => {
        const round = async () => {
          const timeoutMs = check.timeoutSeconds * 1000;
          const result = check.protocol === 'COMMAND'
            ? await commandProbe(check.command!.value, task.record.sandbox, this.probeEnv(task), task.record.uid, task.record.gid, timeoutMs)
            : await httpProbe(check.protocol === 'HTTPS' ? 'https' : 'http', spec.resources.ports[check.portIndex]!, check.path, timeoutMs);
          if (task.ended || task.record.killRequested) return;
          // Marathon: ready once the answer's status is one of httpStatusCodesForReady (the SDK: once the
          // command exits 0); then checking stops.
          const isReady = check.protocol === 'COMMAND' ? result.ok : result.status !== undefined && check.httpStatusCodesForReady.includes(result.status);
          if (isReady) {
            ready[i] = true;
            if (ready.every(Boolean)) await this.update(task, { state: 'TASK_RUNNING', ready: true, message: `readiness check ${check.name} passed` });
            return;
          }
          this.later(task, check.intervalSeconds * 1000, () => void round());
        };
        void round();
      });
    }
  }

  // ── housekeeping ────────────────────────────────────────────────────────────

  private rotating = false;

  private async rotateLogs(): Promise<void> {
    if (this.rotating) return;
    this.rotating = true;
    try {
      for (const task of this.tasks.values()) {
        if (isTerminal(task.record.state)) continue;
        for (const file of ['stdout', 'stderr'] as const) await rotateIfLarge(logPath(task.record.sandbox, file), this.options.rotation).catch(() => false);
      }
    } finally {
      this.rotating = false;
    }
  }

  /** Per task cpu time, memory (rss and cgroup) and disk, and totals for the agent. */
  async usage(): Promise<Usage> {
    return (await this.measure()).usage;
  }

  /** Usage, and each task's disk use split into sandbox and volumes (for the quota). */
  private async measure(): Promise<{ usage: Usage; disk: Map<string, DiskUse> }> {
    const tasks: TaskUsage[] = [];
    const disk = new Map<string, DiskUse>();
    for (const task of this.tasks.values()) {
      const { record } = task;
      if (isTerminal(record.state) || !record.pid) continue;
      const pids = record.cgroup ? await cgroupPids(record.cgroup) : await groupPids(record.pid);
      let ticks = 0;
      let pages = 0;
      for (const pid of pids.length ? pids : [record.pid]) {
        const stat = await readProcStat(pid);
        if (stat) {
          ticks += stat.utime + stat.stime;
          pages += stat.rssPages;
        }
      }
      const memory = record.cgroup ? await memoryUsage(record.cgroup) : null;
      const sandboxBytes = await directoryBytes(record.sandbox);
      const volumeBytes = new Map<string, number>();
      for (const volume of record.spec.volumes) volumeBytes.set(volume.volumeId, await directoryBytes(this.options.volumes.dir(volume.volumeId)));
      disk.set(record.spec.taskId, { sandboxBytes, volumeBytes });
      tasks.push({
        taskId: record.spec.taskId, cpuSeconds: ticks / CLK_TCK, rssBytes: pages * PAGE_SIZE,
        diskBytes: sandboxBytes + [...volumeBytes.values()].reduce((a, b) => a + b, 0),
        ...(memory ? { cgroupMemBytes: memory.usage, memLimitBytes: memory.limit } : {}),
      });
    }
    const volumeBytes = await directoryBytes(join(this.options.workDir, 'volumes'));
    const usage = {
      tasks,
      totals: {
        cpuSeconds: tasks.reduce((s, t) => s + t.cpuSeconds, 0),
        rssBytes: tasks.reduce((s, t) => s + t.rssBytes, 0),
        diskBytes: await directoryBytes(join(this.options.workDir, 'sandboxes')) + volumeBytes,
        volumeBytes,
      },
    };
    return { usage, disk };
  }

  private measuring = false;

  /** Every usage interval: measure, enforce disk quotas, report (when connected). */
  private async measureAndReport(): Promise<void> {
    if (this.measuring || this.stopped) return;
    this.measuring = true;
    try {
      const { usage, disk } = await this.measure();
      await this.enforceDiskQuotas(disk);
      const agentId = this.options.agentId();
      if (agentId) this.options.send({ type: 'usage', id: randomUUID(), agentId, timestamp: new Date().toISOString(), ...usage });
    } finally {
      this.measuring = false;
    }
  }

  /**
   * Mesos' disk/du isolator with enforcement: a task whose sandbox or volume holds more
   * than its quota is destroyed (SIGKILL to the whole tree) and reported TASK_FAILED with
   * REASON_CONTAINER_LIMITATION_DISK. The limitation is checkpointed first, so an agent
   * restarted before the end is reported still names it.
   */
  private async enforceDiskQuotas(disk: Map<string, DiskUse>): Promise<void> {
    if (disk.size === 0) return;
    const sizes = new Map((await this.options.volumes.list()).map((v) => [v.volumeId, v.sizeMiB]));
    for (const [taskId, use] of disk) {
      const task = this.tasks.get(taskId);
      if (!task || task.ended || task.record.limitation) continue;
      const { spec } = task.record;
      const message = diskLimitation({ sandboxMiB: spec.resources.disk, volumes: spec.volumes.map((v) => ({ volumeId: v.volumeId, sizeMiB: sizes.get(v.volumeId) ?? 0 })) }, use);
      if (!message) continue;
      this.options.log(`task ${taskId}: ${message}; killing it`);
      task.record = { ...task.record, limitation: { reason: 'REASON_CONTAINER_LIMITATION_DISK', message } };
      this.stopChecks(task);
      await this.checkpoint(task).catch(() => undefined);
      await this.signal(task, 'SIGKILL');
    }
  }

  /** Removes a terminal task's sandbox (garbage collection, by the operator or tests). */
  async removeSandbox(taskId: string): Promise<void> {
    await rm(this.sandboxOf(taskId), { recursive: true, force: true });
  }
}
