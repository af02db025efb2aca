import { chmod, chown, lstat, mkdir, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomically } from '../atomic-file.js';

const VolumeInfo = z.object({ volumeId: z.string(), owner: z.string(), sizeMiB: z.number(), createdAt: z.string() });
type VolumeInfo = z.infer<typeof VolumeInfo>;

export class VolumeError extends Error {
  override name = 'VolumeError';
}

/**
 * Persistent volumes (Mesos' CREATE/DESTROY): a directory `<workDir>/volumes/<id>`
 * that outlives every task using it and every agent restart, removed only by DESTROY.
 * Its owner (the reservation) is recorded in `<workDir>/meta/volumes/<id>.json`.
 */
export class Volumes {
  constructor(private readonly workDir: string) {}

  dir(volumeId: string): string {
    return join(this.workDir, 'volumes', volumeId);
  }

  private meta(volumeId: string): string {
    return join(this.workDir, 'meta', 'volumes', `${volumeId}.json`);
  }

  async list(): Promise<VolumeInfo[]> {
    const names = await readdir(join(this.workDir, 'meta', 'volumes')).catch(() => [] as string[]);
    const infos = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) =>
      readFile(join(this.workDir, 'meta', 'volumes', n), 'utf8').then((t) => VolumeInfo.parse(JSON.parse(t)), () => null)));
    return infos.filter((i): i is VolumeInfo => i !== null);
  }

  /** Idempotent for the same owner (a re-sent CREATE); refused for another owner. */
  async create(volumeId: string, owner: string, sizeMiB: number, now: Date): Promise<void> {
    const existing = (await this.list()).find((v) => v.volumeId === volumeId);
    if (existing && existing.owner !== owner) throw new VolumeError(`volume ${volumeId} already exists, owned by ${existing.owner}`);
    await mkdir(this.dir(volumeId), { recursive: true, mode: 0o755 });
    if (!existing) await writeFileAtomically(this.meta(volumeId), JSON.stringify({ volumeId, owner, sizeMiB, createdAt: now.toISOString() }));
  }

  /** Removes the volume and its data. `inUseBy` names a live task using it: then refused. */
  async destroy(volumeId: string, inUseBy: string | null): Promise<void> {
    if (inUseBy) throw new VolumeError(`volume ${volumeId} is in use by live task ${inUseBy}; kill the task first`);
    await rm(this.meta(volumeId), { force: true });
    await rm(this.dir(volumeId), { recursive: true, force: true });
  }

  /**
   * Makes the volume appear at `<sandbox>/<relative>` (a symlink: no mount table entries
   * to leak when the agent dies). `relative` was checked by containerPath(); we also
   * refuse a parent that is itself a symlink, so nothing is created outside the sandbox.
   */
  async link(sandbox: string, relative: string, volumeId: string, owner?: { uid: number; gid: number | null }): Promise<void> {
    await linkIntoSandbox(sandbox, relative, this.dir(volumeId));
    // Mesos hands a volume to the user its task runs as, so a database refusing to run
    // as root (PostgreSQL) can own its data directory. Only the volume's root changes
    // hands: what the task wrote below it is already the task's.
    if (owner) {
      await chown(this.dir(volumeId), owner.uid, owner.gid ?? -1);
      // The link is absolute: that user must be able to pass through the agent's work dir
      // to reach it (execute only, so it still cannot list other tasks' volumes).
      for (const dir of [this.workDir, join(this.workDir, 'volumes')]) {
        const { mode } = await stat(dir);
        if ((mode & 0o011) !== 0o011) await chmod(dir, (mode & 0o7777) | 0o011);
      }
    }
  }
}

/**
 * Makes `dir` appear at `<sandbox>/<relative>` as a symlink (local and external volumes
 * alike). `relative` was checked by containerPath(); a parent that is itself a symlink is
 * refused, so nothing is created outside the sandbox.
 */
export async function linkIntoSandbox(sandbox: string, relative: string, dir: string): Promise<void> {
  const target = join(sandbox, relative);
  let parent = dirname(target);
  await mkdir(parent, { recursive: true });
  while (parent.startsWith(sandbox) && parent !== sandbox) {
    if ((await lstat(parent)).isSymbolicLink()) throw new VolumeError(`containerPath ${relative} passes through a symlink`);
    parent = dirname(parent);
  }
  await symlink(dir, target, 'dir');
}
