import { existsSync, readlinkSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VolumeError, Volumes } from './volumes.js';

describe('Volumes', () => {
  let workDir: string;
  let volumes: Volumes;
  beforeEach(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'gantry-volumes-'));
    volumes = new Volumes(workDir);
  });
  afterEach(() => rm(workDir, { recursive: true, force: true }));
  const now = new Date('2026-01-01T00:00:00.000Z');

  it('creates a directory owned by a reservation; a re-sent CREATE is harmless, another owner is refused', async () => {
    await volumes.create('pg', 'role-db/principal-a', 512, now);
    await writeFile(join(volumes.dir('pg'), 'data'), 'kept');
    await volumes.create('pg', 'role-db/principal-a', 512, now);
    expect(existsSync(join(volumes.dir('pg'), 'data'))).toBe(true);
    await expect(volumes.create('pg', 'role-web', 512, now)).rejects.toThrow(new VolumeError('volume pg already exists, owned by role-db/principal-a'));
    expect(await volumes.list()).toEqual([{ volumeId: 'pg', owner: 'role-db/principal-a', sizeMiB: 512, createdAt: now.toISOString() }]);
  });

  it('is destroyed only when no live task uses it, data and all', async () => {
    await volumes.create('pg', 'role-db', 0, now);
    await expect(volumes.destroy('pg', 'db.1')).rejects.toThrow('in use by live task db.1');
    expect(existsSync(volumes.dir('pg'))).toBe(true);
    await volumes.destroy('pg', null);
    expect(existsSync(volumes.dir('pg'))).toBe(false);
    expect(await volumes.list()).toEqual([]);
  });

  it('appears inside the sandbox at its containerPath, never through a symlink out of it', async () => {
    await volumes.create('pg', 'role-db', 0, now);
    const sandbox = join(workDir, 'sandboxes', 't1');
    await mkdir(sandbox, { recursive: true });
    await volumes.link(sandbox, 'var/data', 'pg');
    expect(readlinkSync(join(sandbox, 'var', 'data'))).toBe(volumes.dir('pg'));
    // A parent that is a symlink (to /tmp, say) would put the link outside the sandbox.
    await symlink(tmpdir(), join(sandbox, 'out'));
    await expect(volumes.link(sandbox, 'out/data', 'pg')).rejects.toThrow('containerPath out/data passes through a symlink');
  });
});
