import { describe, expect, it } from 'vitest';
import { diskLimitation } from './disk-quota.js';

const MiB = 2 ** 20;
const use = (sandboxBytes: number, volumes: Record<string, number> = {}) => ({ sandboxBytes, volumeBytes: new Map(Object.entries(volumes)) });

describe('diskLimitation', () => {
  it.each<[string, Parameters<typeof diskLimitation>[0], ReturnType<typeof use>, string | null]>([
    ['within the sandbox quota', { sandboxMiB: 2, volumes: [] }, use(2 * MiB), null],
    ['over the sandbox quota', { sandboxMiB: 2, volumes: [] }, use(2 * MiB + 1), 'the sandbox holds 2.0 MiB, more than the task\'s 2 MiB of disk'],
    ['no quota declared: measured only', { sandboxMiB: 0, volumes: [{ volumeId: 'v', sizeMiB: 0 }] }, use(500 * MiB, { v: 500 * MiB }), null],
    ['a volume over its size', { sandboxMiB: 0, volumes: [{ volumeId: 'v', sizeMiB: 1 }] }, use(0, { v: 3 * MiB }), 'persistent volume v holds 3.0 MiB, more than its 1 MiB'],
    ['a volume not measured yet', { sandboxMiB: 0, volumes: [{ volumeId: 'v', sizeMiB: 1 }] }, use(0), null],
  ])('%s', (_what, quota, used, expected) => {
    const verdict = diskLimitation(quota, used);
    if (expected === null) expect(verdict).toBeNull();
    else expect(verdict).toContain(expected);
  });
});
