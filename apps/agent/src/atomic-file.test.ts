import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './atomic-file.js';

describe('writeFileAtomically', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  const scratch = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gantry-atomic-'));
    dirs.push(dir);
    return dir;
  };

  it('replaces the file whole and leaves no temp file', async () => {
    const dir = await scratch();
    await writeFileAtomically(join(dir, 'a.json'), 'old');
    await writeFileAtomically(join(dir, 'a.json'), 'new');
    expect(await readFile(join(dir, 'a.json'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['a.json']);
  });

  it('leaves what was there and takes its temp file away when the replace fails', async () => {
    const dir = await scratch();
    // rename(2) of a file over a non-empty directory fails (EISDIR): the write must not half-happen.
    await mkdir(join(dir, 'b.json', 'inside'), { recursive: true });
    await expect(writeFileAtomically(join(dir, 'b.json'), 'new')).rejects.toMatchObject({ code: expect.stringMatching(/EISDIR|ENOTEMPTY|EEXIST/) });
    expect(await readdir(dir)).toEqual(['b.json']);
    expect(await readdir(join(dir, 'b.json'))).toEqual(['inside']);
  });
});
