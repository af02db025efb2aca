import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { outsideGroup, readProcStat } from './proc.js';

describe('outsideGroup', () => {
  it('leaves out the processes of the group (a signal to the group reaches them once) and keeps those that left it', async () => {
    const own = (await readProcStat(process.pid))!.pgrp;
    // A child in a session of its own: out of this process's group.
    const detached = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    try {
      await new Promise((resolve) => detached.once('spawn', resolve));
      expect(await outsideGroup([process.pid, detached.pid!], own)).toEqual([detached.pid]);
      expect(await outsideGroup([process.pid], own)).toEqual([]);
      expect(await outsideGroup([2 ** 22 + 12345], own)).toEqual([]); // gone: nothing to signal
    } finally {
      detached.kill('SIGKILL');
    }
  });
});
