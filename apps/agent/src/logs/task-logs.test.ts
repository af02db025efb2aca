import { appendFileSync, openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLog, rotateIfLarge } from './task-logs.js';

describe('task logs', () => {
  it('rotates by size and the writer keeps appending to the emptied file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gantry-logs-'));
    const path = join(dir, 'stdout');
    const fd = openSync(path, 'a'); // as the task holds it
    writeSync(fd, 'a'.repeat(150));
    expect(await rotateIfLarge(path, { maxBytes: 100, keep: 2 })).toBe(true);
    writeSync(fd, 'after');
    expect(readFileSync(path, 'utf8')).toBe('after');
    expect(readFileSync(`${path}.1`, 'utf8')).toBe('a'.repeat(150));
    writeSync(fd, 'b'.repeat(120));
    await rotateIfLarge(path, { maxBytes: 100, keep: 2 });
    expect(readFileSync(`${path}.2`, 'utf8')).toBe('a'.repeat(150));
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(`after${'b'.repeat(120)}`);
    expect(await rotateIfLarge(path, { maxBytes: 100, keep: 2 })).toBe(false);
    closeSync(fd);
  });

  it('reads from an offset and reports the size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gantry-logs-'));
    const path = join(dir, 'stderr');
    appendFileSync(path, 'hello world');
    expect(await readLog(path, 6, 100)).toEqual({ data: 'world', size: 11 });
    expect(await readLog(path, 11, 100)).toEqual({ data: '', size: 11 });
  });
});
