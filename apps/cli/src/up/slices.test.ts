import { describe, expect, it } from 'vitest';
import { agentSlices } from './slices.js';

describe('agentSlices', () => {
  it('shares a 2-core, 24 GiB machine fairly between three zoned agents with disjoint port ranges', () => {
    expect(agentSlices({ cpus: 2, memMiB: 24576, diskMiB: 90000 })).toEqual([
      { hostname: 'local-a', attributes: 'zone:a', cpus: 0.66, mem: 7680, disk: 30000, ports: '31000-31999' },
      { hostname: 'local-b', attributes: 'zone:b', cpus: 0.66, mem: 7680, disk: 30000, ports: '32000-32999' },
      { hostname: 'local-c', attributes: 'zone:c', cpus: 0.66, mem: 7680, disk: 30000, ports: '33000-33999' },
    ]);
  });

  it('never offers more than the machine has, nor nothing at all', () => {
    const slices = agentSlices({ cpus: 0.2, memMiB: 1024, diskMiB: 0 });
    expect(slices.every((s) => s.cpus === 0.1 && s.mem === 128 && s.disk === 0)).toBe(true);
    const big = agentSlices({ cpus: 64, memMiB: 262144, diskMiB: 1e6 });
    expect(big.reduce((sum, s) => sum + s.cpus, 0)).toBeLessThanOrEqual(64);
    expect(big.reduce((sum, s) => sum + s.mem, 0)).toBeLessThanOrEqual(262144);
  });
});
