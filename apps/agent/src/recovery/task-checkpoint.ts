import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TaskReason, TaskSpec, TaskState, TaskStatus } from '@gantry/specs';
import { z } from 'zod';
import { writeFileAtomically } from '../atomic-file.js';

/**
 * Everything the agent must know about a task to take it back after a restart: its
 * spec, where it lives, which process it is (pid + kernel start time, since pids are
 * reused), its cgroups, whether a kill was under way, and the status updates the
 * master has not acknowledged yet (Mesos checkpoints `task.updates` the same way).
 */
export const TaskRecord = z.object({
  spec: TaskSpec,
  sandbox: z.string(),
  state: TaskState,
  reason: TaskReason.optional(),
  message: z.string().optional(),
  healthy: z.boolean().optional(),
  ready: z.boolean().optional(),
  pid: z.number().int().positive().optional(),
  /** /proc/<pid>/stat starttime: tells our process from a later one with the same pid. */
  procStart: z.string().optional(),
  uid: z.number().int().nullable().default(null),
  gid: z.number().int().nullable().default(null),
  cgroup: z.object({ memory: z.string().nullable(), cpu: z.string().nullable(), cpuacct: z.string().nullable(), v2: z.string().nullable() }).nullable(),
  killRequested: z.boolean(),
  /** Epoch ms at which SIGKILL follows the SIGTERM. */
  killDeadline: z.number().optional(),
  /** Set when the agent killed the task for a limit it enforces itself (disk quota): how it is reported. */
  limitation: z.object({ reason: TaskReason, message: z.string() }).optional(),
  startedAt: z.number(),
  pending: z.array(TaskStatus),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

export class TaskCheckpoints {
  constructor(private readonly workDir: string) {}

  private dir(): string {
    return join(this.workDir, 'meta', 'tasks');
  }

  private file(taskId: string): string {
    return join(this.dir(), `${taskId}.json`);
  }

  async write(record: TaskRecord): Promise<void> {
    await writeFileAtomically(this.file(record.spec.taskId), JSON.stringify(record));
  }

  async remove(taskId: string): Promise<void> {
    await rm(this.file(taskId), { force: true });
  }

  /** Every readable record; a damaged one is reported, never silently dropped. */
  async readAll(): Promise<{ records: TaskRecord[]; damaged: string[] }> {
    const names = await readdir(this.dir()).catch(() => [] as string[]);
    const records: TaskRecord[] = [];
    const damaged: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      try {
        records.push(TaskRecord.parse(JSON.parse(await readFile(join(this.dir(), name), 'utf8'))));
      } catch {
        damaged.push(join(this.dir(), name));
      }
    }
    return { records, damaged };
  }
}
