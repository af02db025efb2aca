import { describe, expect, it } from 'vitest';
import { cgroupLayout } from './cgroup-layout.js';

// The shape of this very machine: v1 memory and cpu, a v2 tree with only hugetlb.
const v1Cgroup = '9:name=systemd:/\n4:memory:/process_api/86ad\n2:cpuacct:/\n1:cpu:/\n0::/\n';
const v1Mounts = [
  '31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755',
  '32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu',
  '33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct',
  '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory',
  '40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw',
].join('\n');

describe('cgroupLayout', () => {
  it('finds v1 hierarchies and our place in each', () => {
    expect(cgroupLayout(v1Cgroup, v1Mounts, () => 'hugetlb')).toEqual({
      version: 1, memory: '/sys/fs/cgroup/memory/process_api/86ad', cpu: '/sys/fs/cgroup/cpu', cpuacct: '/sys/fs/cgroup/cpuacct',
    });
  });

  it('handles a container that sees only its own subtree (mount root ≠ /)', () => {
    const mounts = '35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory';
    expect(cgroupLayout('4:memory:/docker/abc/inner\n', mounts, () => null)).toMatchObject({ version: 1, memory: '/sys/fs/cgroup/memory/inner', cpu: null });
  });

  it('uses the unified hierarchy when it carries memory and cpu', () => {
    const mounts = '30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate';
    expect(cgroupLayout('0::/system.slice/gantry-agent.service\n', mounts, () => 'cpuset cpu io memory pids')).toEqual({
      version: 2, dir: '/sys/fs/cgroup/system.slice/gantry-agent.service',
    });
  });

  it('says why when the only v2 tree lacks the controllers', () => {
    const mounts = '40 31 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw';
    expect(cgroupLayout('0::/\n', mounts, () => 'hugetlb')).toEqual({
      version: 0, why: 'the cgroup v2 hierarchy at /sys/fs/cgroup/unified does not offer the memory and cpu controllers (it has: hugetlb)',
    });
  });

  it('says why when nothing is mounted', () => {
    expect(cgroupLayout('0::/\n', '', () => null).version).toBe(0);
  });
});
