import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SharedDirectoryProvider } from './shared-directory.js';
import { VolumeProviders } from './volume-provider.js';

describe('SharedDirectoryProvider', () => {
  let root: string;
  let provider: SharedDirectoryProvider;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'gantry-shared-'));
    provider = new SharedDirectoryProvider(root);
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('resolves a name below the shared directory, creating it once and keeping its data for the next task', async () => {
    const dir = await provider.resolve('team-a/pgdata-0');
    expect(dir).toBe(join(root, 'team-a', 'pgdata-0'));
    await writeFile(join(dir, 'log'), 'first\n');
    // Another agent mounting the same directory (or a relaunch here) finds the same data.
    expect(await new SharedDirectoryProvider(root).resolve('team-a/pgdata-0')).toBe(dir);
    expect(existsSync(join(dir, 'log'))).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)('hands the volume\'s root to the task user and lets it pass through the directories above', async () => {
    const dir = await provider.resolve('team-a/owned', { uid: 65534, gid: 65534 });
    expect(statSync(dir).uid).toBe(65534);
    for (const above of [root, join(root, 'team-a')]) expect(statSync(above).mode & 0o011).toBe(0o011);
    expect(statSync(root).uid).toBe(0); // only the volume changes hands
  });

  it('never follows a symlink below the shared directory, nor a name climbing out of it', async () => {
    const elsewhere = await mkdtemp(join(tmpdir(), 'gantry-elsewhere-'));
    try {
      await mkdir(join(root, 'a'));
      await symlink(elsewhere, join(root, 'a', 'b'));
      await expect(provider.resolve('a/b/c')).rejects.toThrow(`${join(root, 'a', 'b')} is a symlink; the agent follows neither`);
      expect(existsSync(join(elsewhere, 'c'))).toBe(false);
      await expect(provider.resolve('../x')).rejects.toThrow('without "." or ".." segments');
      await expect(provider.resolve('/etc')).rejects.toThrow('must be relative');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it('says the shared filesystem is gone when its directory is', async () => {
    await rm(root, { recursive: true });
    await expect(provider.resolve('x')).rejects.toThrow(`--shared-volumes-dir ${root} is not a directory any more`);
  });
});

describe('VolumeProviders', () => {
  it('finds a provider by name, and tells which flag an agent without it needs', () => {
    expect(new VolumeProviders([]).get('shared-directory')).toBeUndefined();
    const shared = new SharedDirectoryProvider('/mnt/shared');
    expect(new VolumeProviders([shared]).get('shared-directory')).toBe(shared);
    expect(VolumeProviders.missing('shared-directory', 'pgdata-0')).toBe(
      'external volume "pgdata-0" (provider shared-directory) needs an agent started with --shared-volumes-dir <path>, the directory every agent mounts (e.g. an NFS mount); this agent has none',
    );
  });
});
