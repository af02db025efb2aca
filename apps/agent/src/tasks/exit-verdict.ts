import type { TaskReason, TaskState } from '@gantry/specs';

export interface TaskEnd {
  /** The exit code, when known (from wait(2) or the wrapper's exit-status file). */
  exitCode: number | null;
  /** The signal that ended the task's leader, when known. */
  signal: string | null;
  /** A kill was asked for (by the master) before it ended. */
  killRequested: boolean;
  /** The memory cgroup recorded an OOM kill. */
  oomKilled: boolean;
  memLimitMiB: number;
  /** The agent killed the task for going over a limit it enforces itself (disk). */
  limitation?: { reason: TaskReason; message: string };
}

export interface TaskOutcome {
  state: TaskState;
  reason?: TaskReason;
  message: string;
}

/**
 * How an ended task is reported, as Mesos' command executor reports it: exit 0 is
 * FINISHED; an ended task we were asked to kill is KILLED; the OOM killer inside the
 * task's memory cgroup is FAILED with REASON_CONTAINER_LIMITATION_MEMORY (the
 * memory isolator's limitation, which wins over the kill); so is a task the agent
 * killed for exceeding its disk quota (the disk/du isolator's limitation); anything
 * else is FAILED with the exit code or signal.
 */
export function exitVerdict(end: TaskEnd): TaskOutcome {
  if (end.oomKilled) {
    return { state: 'TASK_FAILED', reason: 'REASON_CONTAINER_LIMITATION_MEMORY', message: `Memory limit exceeded: the task used more than its ${end.memLimitMiB} MiB and the kernel killed it` };
  }
  if (end.limitation) return { state: 'TASK_FAILED', reason: end.limitation.reason, message: end.limitation.message };
  if (end.killRequested) return { state: 'TASK_KILLED', message: 'Command terminated by a kill request' };
  if (end.exitCode === 0) return { state: 'TASK_FINISHED', message: 'Command exited with status 0' };
  if (end.exitCode !== null) {
    // The wrapper shell reports a task ended by signal N as 128 + N.
    const hint = end.exitCode === 127 ? ' (command not found)' : end.exitCode === 126 ? ' (not executable)' : end.exitCode > 128 ? ` (signal ${end.exitCode - 128})` : '';
    return { state: 'TASK_FAILED', reason: 'REASON_COMMAND_EXECUTOR_FAILED', message: `Command exited with status ${end.exitCode}${hint}` };
  }
  if (end.signal !== null) return { state: 'TASK_FAILED', reason: 'REASON_COMMAND_EXECUTOR_FAILED', message: `Command terminated with signal ${end.signal}` };
  return { state: 'TASK_FAILED', reason: 'REASON_EXECUTOR_TERMINATED', message: 'The task ended while the agent was away; its exit status is unknown' };
}
