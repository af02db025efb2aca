import { copyFile, open, rename, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogFile } from '@gantry/specs';

export interface LogRotation {
  /** Rotate a log file once it grows past this many bytes. */
  maxBytes: number;
  /** How many rotated files to keep (stdout.1 … stdout.N). */
  keep: number;
}

export const defaultRotation: LogRotation = { maxBytes: 10 * 2 ** 20, keep: 2 };

export const logPath = (sandbox: string, file: LogFile) => join(sandbox, file);

/**
 * Opens the task's stdout and stderr (Mesos' sandbox names) for appending. The task
 * writes to the files itself, not through a pipe to the agent, so it never blocks or
 * dies with SIGPIPE when the agent is killed or restarted.
 */
export async function openTaskLogs(sandbox: string): Promise<{ stdout: number; stderr: number; close: () => Promise<void> }> {
  const out = await open(logPath(sandbox, 'stdout'), 'a', 0o640);
  const err = await open(logPath(sandbox, 'stderr'), 'a', 0o640).catch(async (error: unknown) => {
    await out.close();
    throw error;
  });
  return { stdout: out.fd, stderr: err.fd, close: async () => void (await Promise.all([out.close(), err.close()])) };
}

/**
 * Size-based rotation by copy-then-truncate (logrotate's `copytruncate`): the task keeps
 * its file descriptor, opened with O_APPEND, so its next write lands at the new end
 * of the emptied file. Lines written between the copy and the truncate are lost —
 * the price of rotating without the task's cooperation (Mesos' logrotate logger
 * avoids it by sitting on a pipe, which would tie the task's life to a helper).
 */
export async function rotateIfLarge(path: string, rotation: LogRotation): Promise<boolean> {
  const size = await stat(path).then((s) => s.size, () => 0);
  if (size <= rotation.maxBytes) return false;
  for (let i = rotation.keep - 1; i >= 1; i--) await rename(`${path}.${i}`, `${path}.${i + 1}`).catch(() => undefined);
  await copyFile(`${path}`, `${path}.1`);
  await truncate(path, 0);
  return true;
}

/** Up to `length` bytes from `offset` and the file's current size (Mesos' /files/read). */
export async function readLog(path: string, offset: number, length: number): Promise<{ data: string; size: number }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (offset >= size) return { data: '', size };
    const buffer = Buffer.alloc(Math.min(length, size - offset));
    const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
    return { data: buffer.subarray(0, bytesRead).toString('utf8'), size };
  } finally {
    await file.close();
  }
}
