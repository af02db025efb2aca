import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Bytes under `path`, symlinks not followed (a volume linked into a sandbox is counted
 * once, as the volume). Measured, not enforced: this host has no per-directory quota,
 * so disk use is reported (as Mesos' `disk/du` isolator does without enforcement).
 */
export async function directoryBytes(path: string, budget = { entries: 100_000 }): Promise<number> {
  let total = 0;
  let info;
  try {
    info = await lstat(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.isSymbolicLink() ? 0 : info.size;
  const names = await readdir(path).catch(() => [] as string[]);
  for (const name of names) {
    if (--budget.entries < 0) break;
    total += await directoryBytes(join(path, name), budget);
  }
  return total;
}
