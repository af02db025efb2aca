import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces `target` with `data` so that a crash at any instant leaves either the old
 * file or the new one, never a torn mix: write a temp file, fsync it, rename it over
 * the target, fsync the directory (the rename itself must reach the disk).
 *
 * A write that fails (disk full: ENOSPC) leaves the old file as it was and takes its
 * temp file away again, so a full disk is not made fuller by half-written checkpoints.
 */
export async function writeFileAtomically(target: string, data: string, mode = 0o600): Promise<void> {
  const dir = dirname(target);
  await mkdir(dir, { recursive: true });
  const temp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const file = await open(temp, 'w', mode);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
