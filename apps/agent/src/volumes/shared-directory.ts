import { chmod, chown, lstat, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { VolumeError } from './volumes.js';
import type { VolumeProvider } from './volume-provider.js';

/**
 * The `shared-directory` provider: external volume `name` is `<root>/<name>`, where
 * `root` (`--shared-volumes-dir`) is a directory every agent mounts at the same path —
 * an NFS export, say. Created if missing; its data is never removed by the agent (no
 * DESTROY: it outlives every task, agent and node).
 *
 * The name was checked by the schema (relative segments, no `..`); we still walk it one
 * segment at a time and refuse a symlink anywhere below `root`, so a task that planted a
 * link in its own shared directory cannot make the agent create or chown something
 * elsewhere for another task.
 */
export class SharedDirectoryProvider implements VolumeProvider {
  readonly name = 'shared-directory' as const;

  constructor(private readonly root: string) {}

  async resolve(name: string, owner?: { uid: number; gid: number | null }): Promise<string> {
    const segments = name.split('/');
    if (name === '' || name.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new VolumeError(`external volume name "${name}" must be relative to ${this.root}, without "." or ".." segments`);
    }
    const rootStat = await stat(this.root).catch(() => null);
    if (!rootStat?.isDirectory()) {
      throw new VolumeError(`--shared-volumes-dir ${this.root} is not a directory any more: is the shared filesystem still mounted there?`);
    }
    const traverse = [this.root];
    let dir = this.root;
    for (const segment of segments) {
      dir = join(dir, segment);
      await mkdir(dir, { mode: 0o755 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      const found = await lstat(dir);
      if (found.isSymbolicLink() || !found.isDirectory()) {
        throw new VolumeError(`external volume "${name}": ${dir} is ${found.isSymbolicLink() ? 'a symlink' : 'not a directory'}; the agent follows neither`);
      }
      traverse.push(dir);
    }
    traverse.pop();
    // Like a local volume, only the volume's root changes hands (what is below is the task's),
    // and the user may pass through the directories above it (execute only: no listing).
    if (owner) {
      await chown(dir, owner.uid, owner.gid ?? -1);
      for (const d of traverse) {
        const { mode } = await stat(d);
        if ((mode & 0o011) !== 0o011) await chmod(d, (mode & 0o7777) | 0o011);
      }
    }
    return dir;
  }
}
