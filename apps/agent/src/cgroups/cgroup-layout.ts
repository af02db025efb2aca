import { posix } from 'node:path';

/**
 * Where this process's cgroups are, read from /proc/self/cgroup and
 * /proc/self/mountinfo. Task cgroups are created *under the agent's own cgroup*
 * (Mesos' `--cgroups_root` is relative to the agent's hierarchy too), so an agent that
 * runs inside a container or a systemd slice with `Delegate=yes` stays inside it.
 *
 * Detect, don't assume: a host may have v1 hierarchies, the v2 unified hierarchy, or
 * both with the controllers split between them (this very machine mounts v1 memory
 * and cpu, and a v2 tree that carries only hugetlb).
 */
export type CgroupLayout =
  | { version: 1; memory: string | null; cpu: string | null; cpuacct: string | null }
  | { version: 2; dir: string }
  | { version: 0; why: string };

interface Mount {
  root: string;
  point: string;
  fsType: string;
  superOptions: string[];
}

function mounts(mountinfo: string): Mount[] {
  const result: Mount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , options] = right.split(' ');
    if (fields.length < 5 || !fsType) continue;
    result.push({ root: unescape(fields[3]!), point: unescape(fields[4]!), fsType, superOptions: (options ?? '').split(',') });
  }
  return result;
}

/** mountinfo escapes spaces and friends as octal (\040). */
const unescape = (text: string) => text.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/** `/proc/self/cgroup` → controller → path ("" key for the v2 unified line `0::/…`). */
export function ownCgroups(procSelfCgroup: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const line of procSelfCgroup.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const controller of m[2] === '' ? [''] : m[2]!.split(',')) result.set(controller, m[3]!);
  }
  return result;
}

/** The directory of our cgroup in a hierarchy mounted at `mount`. */
function dirIn(mount: Mount, path: string): string | null {
  const relative = posix.relative(mount.root, path);
  if (relative.startsWith('..')) return null; // our cgroup is not visible through this mount
  return posix.join(mount.point, relative);
}

/**
 * @param v2Controllers contents of `cgroup.controllers` in our v2 cgroup (null if unreadable)
 */
export function cgroupLayout(procSelfCgroup: string, mountinfo: string, v2Controllers: (dir: string) => string | null): CgroupLayout {
  const own = ownCgroups(procSelfCgroup);
  const all = mounts(mountinfo);
  const v1 = (controller: string): string | null => {
    const path = own.get(controller);
    const mount = all.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));
    return path !== undefined && mount ? dirIn(mount, path) : null;
  };
  const memory = v1('memory');
  const cpu = v1('cpu');
  if (memory || cpu) return { version: 1, memory, cpu, cpuacct: v1('cpuacct') };

  const unifiedPath = own.get('');
  const unified = all.find((m) => m.fsType === 'cgroup2');
  if (unifiedPath !== undefined && unified) {
    const dir = dirIn(unified, unifiedPath);
    const controllers = dir ? (v2Controllers(dir) ?? '').trim().split(/\s+/) : [];
    if (dir && controllers.includes('memory') && controllers.includes('cpu')) return { version: 2, dir };
    return { version: 0, why: `the cgroup v2 hierarchy at ${unified.point} does not offer the memory and cpu controllers (it has: ${controllers.join(' ') || 'none'})` };
  }
  return { version: 0, why: 'no cgroup v1 memory/cpu hierarchy and no cgroup v2 hierarchy is mounted' };
}
