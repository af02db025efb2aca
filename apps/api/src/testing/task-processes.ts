import { readFileSync } from 'node:fs';
import type { TaskRepository } from '../tasks/repository.js';

/** Whether a process exists and is not a zombie. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Kills the process group of every task the master ever recorded that still runs: tasks
 * live in sessions of their own and survive their agent (and expunged ones survive the
 * master's memory of them). A pid is signalled only while its command line names the
 * task, so a reused pid is left alone.
 */
export async function reapTaskProcesses(tasks: TaskRepository): Promise<void> {
  for (const task of await tasks.listByApps(null).catch(() => [])) {
    try {
      if (task.pid && readFileSync(`/proc/${task.pid}/cmdline`, 'utf8').includes(task.id)) process.kill(-task.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
