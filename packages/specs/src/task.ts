import { z } from 'zod';

/**
 * What a task is, as the master hands it to an agent, and what the agent says back.
 * States, reasons and check defaults follow Mesos (TaskState, TaskStatus.Reason) and
 * Marathon (health/readiness check defaults), so operators find the names they know.
 */

/** Task ids travel into file names (sandboxes, cgroups): no slashes, no dots-only names. */
export const TaskId = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/, { message: 'task ids are 1-200 letters, digits, "_", "." or "-", not starting with "." or "-"' });

/** Persistent volume ids: same alphabet as task ids, they name directories too. */
export const VolumeId = TaskId;

export const TaskState = z.enum([
  'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING',
  'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR',
  'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_UNKNOWN',
]);
export type TaskState = z.infer<typeof TaskState>;

/** Mesos: a task in one of these states never changes state again. */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set([
  'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE',
]);
export const isTerminal = (state: TaskState): boolean => TERMINAL_TASK_STATES.has(state);

/** The subset of Mesos' TaskStatus.Reason the agent reports. */
export const TaskReason = z.enum([
  'REASON_COMMAND_EXECUTOR_FAILED',
  'REASON_CONTAINER_LAUNCH_FAILED',
  'REASON_CONTAINER_LIMITATION_MEMORY',
  'REASON_CONTAINER_LIMITATION_DISK',
  'REASON_EXECUTOR_TERMINATED',
  'REASON_RECONCILIATION',
  'REASON_RESOURCES_UNKNOWN',
  'REASON_TASK_CHECK_STATUS_UPDATED',
  'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED',
  'REASON_TASK_INVALID',
  'REASON_TASK_KILLED_DURING_LAUNCH',
  'REASON_TASK_UNKNOWN',
  'REASON_AGENT_RESTARTED',
]);
export type TaskReason = z.infer<typeof TaskReason>;

// Seconds may be fractional: Marathon takes whole seconds, tests need less.
const Seconds = z.number().nonnegative();

/** Marathon's health check, run by the agent next to the task (Mesos-native checks). */
export const HealthCheck = z.strictObject({
  protocol: z.enum(['MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP', 'COMMAND']),
  path: z.string().startsWith('/').default('/'),
  /** Which of the task's host ports to probe; ignored for COMMAND. */
  portIndex: z.number().int().nonnegative().default(0),
  /** A fixed port instead of portIndex. */
  port: z.number().int().min(1).max(65535).optional(),
  command: z.strictObject({ value: z.string().min(1) }).optional(),
  gracePeriodSeconds: Seconds.default(300),
  intervalSeconds: Seconds.default(60),
  timeoutSeconds: Seconds.default(20),
  maxConsecutiveFailures: z.number().int().nonnegative().default(3),
  delaySeconds: Seconds.default(15),
}).refine((c) => c.protocol !== 'COMMAND' || c.command, { message: 'a COMMAND health check needs command.value', path: ['command'] });
export type HealthCheck = z.infer<typeof HealthCheck>;

/**
 * Marathon's readiness check (HTTP: ready once the task answers one of the codes), or
 * the SDK's command readiness check (ready once the command exits 0, e.g. `pg_isready`).
 */
export const ReadinessCheck = z.strictObject({
  name: z.string().default('readinessCheck'),
  protocol: z.enum(['HTTP', 'HTTPS', 'COMMAND']).default('HTTP'),
  command: z.strictObject({ value: z.string().min(1) }).optional(),
  path: z.string().startsWith('/').default('/'),
  portIndex: z.number().int().nonnegative().default(0),
  intervalSeconds: Seconds.default(30),
  timeoutSeconds: Seconds.default(10),
  httpStatusCodesForReady: z.array(z.number().int().min(100).max(599)).min(1).default([200]),
}).refine((c) => c.protocol !== 'COMMAND' || c.command, { message: 'a COMMAND readiness check needs command.value', path: ['command'] });
export type ReadinessCheck = z.infer<typeof ReadinessCheck>;

/** A persistent volume mounted into the sandbox at `containerPath` (relative, inside it). */
export const TaskVolume = z.strictObject({
  containerPath: z.string().min(1).max(1024),
  volumeId: VolumeId,
  mode: z.enum(['RW', 'RO']).default('RW'),
});
export type TaskVolume = z.infer<typeof TaskVolume>;

/**
 * The name of an external volume within its provider: for `shared-directory`, a path
 * below the directory every agent mounts (`pgdata`, `team-a/pgdata-0`). Relative, in
 * segments of letters, digits, `_`, `.`, `-` that never start with `.` (so no `.` or
 * `..`): it can only name something inside the provider's directory.
 */
const NAME_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
export const ExternalVolumeName = z
  .string()
  .max(255)
  .superRefine((name, ctx) => {
    const problem =
      name === '' ? 'an external volume needs a name, e.g. "pgdata"'
      : name.startsWith('/') ? `"${name}" must be relative to the provider's directory: drop the leading "/"`
      : name.split('/').includes('..') ? `"${name}" may not contain "..": it must stay inside the provider's directory`
      : !name.split('/').every((segment) => NAME_SEGMENT.test(segment))
        ? `"${name}": use segments of letters, digits, "_", "." or "-" separated by single "/", none starting with "." (e.g. "pgdata" or "team-a/pgdata")`
        : null;
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Where an external volume lives: Gantry's only provider is a directory every agent mounts (e.g. NFS). */
export const ExternalVolumeProvider = z.enum(['shared-directory']);
export type ExternalVolumeProvider = z.infer<typeof ExternalVolumeProvider>;

/**
 * A volume the agent does not own (no CREATE/DESTROY): its provider resolves `name` on
 * whichever agent the task lands, so the task may move between nodes and keep its data.
 */
export const TaskExternalVolume = z.strictObject({
  containerPath: z.string().min(1).max(1024),
  provider: ExternalVolumeProvider,
  name: ExternalVolumeName,
  mode: z.enum(['RW', 'RO']).default('RW'),
});
export type TaskExternalVolume = z.infer<typeof TaskExternalVolume>;

export const TaskResources = z.strictObject({
  cpus: z.number().positive(),
  /** MiB; the cgroup memory limit. */
  mem: z.number().positive(),
  disk: z.number().nonnegative().default(0),
  /** Host ports assigned to this task (PORT0..n, in order). */
  ports: z.array(z.number().int().min(1).max(65535)).max(1000).default([]),
});
export type TaskResources = z.infer<typeof TaskResources>;

/** One URI the agent fetches into the sandbox before the task starts (Mesos' fetcher, Marathon's `fetch`). */
export const TaskFetch = z.strictObject({
  uri: z.string().min(1).max(4096),
  extract: z.boolean().default(true),
  executable: z.boolean().default(false),
  /** File name in the sandbox; by default the URI's last segment. */
  destPath: z.string().min(1).max(1024).optional(),
});
export type TaskFetch = z.infer<typeof TaskFetch>;

/** What the master asks an agent to run. Exactly one of `cmd` or `args`. */
export const TaskSpec = z.strictObject({
  taskId: TaskId,
  /** Marathon app id, e.g. `/team-a/web`; absent for tasks outside a service. */
  appId: z.string().max(512).optional(),
  appVersion: z.string().max(64).optional(),
  /** Run through `/bin/sh -c`. */
  cmd: z.string().max(64 * 1024).optional(),
  /** Exec'd directly, no shell. */
  args: z.array(z.string().max(64 * 1024)).max(1024).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(64 * 1024)).default({}),
  user: z.string().max(64).optional(),
  resources: TaskResources,
  /** Enforce a hard cpu quota (CFS bandwidth) on top of cpu shares. */
  cpuLimit: z.boolean().default(false),
  /** Mesos' KillPolicy grace period: SIGTERM, then SIGKILL this long after. */
  killGracePeriodSeconds: Seconds.default(3),
  healthChecks: z.array(HealthCheck).max(8).default([]),
  readinessChecks: z.array(ReadinessCheck).max(8).default([]),
  volumes: z.array(TaskVolume).max(32).default([]),
  /** Absent in specs from before external volumes: none. */
  externalVolumes: z.array(TaskExternalVolume).max(32).default([]),
  fetch: z.array(TaskFetch).max(64).default([]),
});
export type TaskSpec = z.infer<typeof TaskSpec>;
export type TaskSpecInput = z.input<typeof TaskSpec>;

/**
 * One task status update. `uuid` identifies the update (Mesos' TaskStatus.uuid): the
 * agent re-sends it until acknowledged, and the master applies each uuid once.
 */
export const TaskStatus = z.strictObject({
  uuid: z.string().min(1).max(64),
  taskId: TaskId,
  state: TaskState,
  reason: TaskReason.optional(),
  message: z.string().max(4096).optional(),
  /** Result of the health checks; absent when the task has none or none has decided yet. */
  healthy: z.boolean().optional(),
  /** Result of the readiness checks; absent when it has none. */
  ready: z.boolean().optional(),
  /**
   * Consecutive failures of the task's worst health check, when `healthy` is false: the
   * master kills only once this reaches the app's `maxConsecutiveFailures` (Marathon:
   * unhealthy at the first failure, killed at the threshold).
   */
  consecutiveHealthFailures: z.number().int().nonnegative().max(1_000_000).optional(),
  /** The task's process id on its agent (the process group leader). */
  pid: z.number().int().positive().optional(),
  exitCode: z.number().int().optional(),
  /** ISO time the agent observed the change. */
  timestamp: z.string().datetime(),
});
export type TaskStatus = z.infer<typeof TaskStatus>;

/** One task's resource use as the agent measured it. */
export const TaskUsage = z.strictObject({
  taskId: TaskId,
  /** user + system cpu time of the task's processes, seconds. */
  cpuSeconds: z.number().nonnegative(),
  /** Sum of the resident set sizes of the task's processes. */
  rssBytes: z.number().int().nonnegative(),
  /** The memory cgroup's own count (page cache included), when cgroups are in use. */
  cgroupMemBytes: z.number().int().nonnegative().optional(),
  memLimitBytes: z.number().int().nonnegative().optional(),
  /** Bytes in the sandbox and the task's persistent volumes (measured, not enforced). */
  diskBytes: z.number().int().nonnegative(),
});
export type TaskUsage = z.infer<typeof TaskUsage>;

export const LogFile = z.enum(['stdout', 'stderr']);
export type LogFile = z.infer<typeof LogFile>;
