import { readFileSync } from 'node:fs';
import { chown, mkdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { cgroupLayout, type CgroupLayout } from './cgroup-layout.js';

/** The cgroup directories of one task, checkpointed so a restarted agent finds them. */
export interface TaskCgroup {
  memory: string | null;
  cpu: string | null;
  cpuacct: string | null;
  v2: string | null;
}

export interface CgroupLimits {
  cpus: number;
  memMiB: number;
  cpuLimit: boolean;
}

// Mesos' cpu isolator: 1024 shares per cpu, at least 2 (the kernel's minimum);
// CFS quota = cpus × period with a 100 ms period and at least 1 ms of quota.
const SHARES_PER_CPU = 1024;
const MIN_SHARES = 2;
const CFS_PERIOD_US = 100_000;
const MIN_CFS_QUOTA_US = 1000;

const V2_CONTROLLERS = '+memory +cpu';

/**
 * mkdir -p that survives a concurrent rmdir of an emptied parent (`destroy` removes the
 * agent's directory when its last task goes): retried a few times on ENOENT.
 */
async function makeDir(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(dir, { recursive: true });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 3) throw error;
    }
  }
}

const readText = (path: string) => readFile(path, 'utf8').then((t) => t.trim(), () => null);

/**
 * Task cgroups under the agent's own cgroup (`<own>/gantry/<agentId>/<taskId>`). When they cannot
 * be used — no hierarchy, or not writable — `available` is false and `why` says so; the
 * agent prints it once and runs tasks without isolation rather than pretending.
 */
export class Cgroups {
  private constructor(
    readonly layout: CgroupLayout,
    readonly available: boolean,
    readonly why: string | null,
  ) {}

  static async detect(): Promise<Cgroups> {
    let layout: CgroupLayout;
    try {
      layout = cgroupLayout(readFileSync('/proc/self/cgroup', 'utf8'), readFileSync('/proc/self/mountinfo', 'utf8'), (dir) => {
        try {
          return readFileSync(join(dir, 'cgroup.controllers'), 'utf8');
        } catch {
          return null;
        }
      });
    } catch (error) {
      return new Cgroups({ version: 0, why: (error as Error).message }, false, `cannot read /proc: ${(error as Error).message}`);
    }
    return Cgroups.prepare(layout);
  }

  /** Makes the agent's base cgroups in a detected layout (exported for tests of the v2 path on a v1 host). */
  static async prepare(layout: CgroupLayout): Promise<Cgroups> {
    if (layout.version === 0) return new Cgroups(layout, false, layout.why);
    const bases = Cgroups.bases(layout);
    try {
      for (const base of bases) {
        await mkdir(base, { recursive: true });
        // mkdir -p of a base that exists succeeds even on a read-only hierarchy: only
        // making (and removing) a cgroup in it proves the agent may create task cgroups.
        const probe = join(base, `probe-${process.pid}`);
        await rmdir(probe).catch(() => undefined);
        await mkdir(probe);
        await rmdir(probe);
      }
      if (layout.version === 2) {
        // v2's "no internal processes" rule: a cgroup that enables controllers for its
        // children may hold no process itself (the root excepted). Under systemd with
        // Delegate=yes the agent sits in its own service cgroup, so it first moves what
        // is there into a leaf `agent/` beside `gantry/` (as container runtimes do).
        // The real root cgroup is exempt (and has no cgroup.type): never move the host's processes.
        const own = (await readFile(join(layout.dir, 'cgroup.procs'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
        const isRoot = (await readText(join(layout.dir, 'cgroup.type'))) === null;
        if (own.length && !isRoot) {
          await mkdir(join(layout.dir, 'agent'), { recursive: true });
          for (const pid of own) await writeFile(join(layout.dir, 'agent', 'cgroup.procs'), pid).catch(() => undefined);
        }
        // v2 only hands controllers to children that the parent enables for its subtree.
        await writeFile(join(layout.dir, 'cgroup.subtree_control'), V2_CONTROLLERS);
        await writeFile(join(layout.dir, 'gantry', 'cgroup.subtree_control'), V2_CONTROLLERS);
      }
    } catch (error) {
      return new Cgroups(layout, false, `cgroup v${layout.version} is mounted but not writable here (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (layout.version === 1 && !layout.memory) return new Cgroups(layout, true, 'the cgroup v1 memory controller is not mounted: memory limits are not enforced');
    return new Cgroups(layout, true, null);
  }

  private static bases(layout: CgroupLayout): string[] {
    if (layout.version === 1) return [layout.memory, layout.cpu, layout.cpuacct].filter((d): d is string => d !== null).map((d) => join(d, 'gantry'));
    if (layout.version === 2) return [join(layout.dir, 'gantry')];
    return [];
  }

  describe(): string {
    if (this.layout.version === 1) return `cgroup v1 (memory: ${this.layout.memory ?? 'absent'}, cpu: ${this.layout.cpu ?? 'absent'})`;
    if (this.layout.version === 2) return `cgroup v2 at ${this.layout.dir}`;
    return 'no cgroups';
  }

  /** Creates the task's cgroups (`<own>/gantry/<name>`) with its limits; `uid` may then join them itself. */
  async create(name: string, limits: CgroupLimits, uid: number | null): Promise<TaskCgroup | null> {
    if (!this.available) return null;
    const layout = this.layout;
    const memBytes = Math.floor(limits.memMiB * 2 ** 20);
    const shares = Math.max(MIN_SHARES, Math.floor(limits.cpus * SHARES_PER_CPU));
    const quota = Math.max(MIN_CFS_QUOTA_US, Math.floor(limits.cpus * CFS_PERIOD_US));
    const cg: TaskCgroup = { memory: null, cpu: null, cpuacct: null, v2: null };
    if (layout.version === 1) {
      if (layout.memory) {
        cg.memory = join(layout.memory, 'gantry', name);
        await makeDir(cg.memory);
        await writeFile(join(cg.memory, 'memory.limit_in_bytes'), String(memBytes));
        // Swap counts against the limit too, or a hog swaps instead of being stopped.
        await writeFile(join(cg.memory, 'memory.memsw.limit_in_bytes'), String(memBytes)).catch(() => undefined);
      }
      if (layout.cpu) {
        cg.cpu = join(layout.cpu, 'gantry', name);
        await makeDir(cg.cpu);
        await writeFile(join(cg.cpu, 'cpu.shares'), String(shares));
        if (limits.cpuLimit) {
          await writeFile(join(cg.cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
          await writeFile(join(cg.cpu, 'cpu.cfs_quota_us'), String(quota));
        }
      }
      if (layout.cpuacct && layout.cpuacct !== layout.cpu) {
        cg.cpuacct = join(layout.cpuacct, 'gantry', name);
        await makeDir(cg.cpuacct);
      }
    } else if (layout.version === 2) {
      cg.v2 = join(layout.dir, 'gantry', name);
      // Every level between gantry/ and the task passes the controllers down.
      await makeDir(dirname(cg.v2));
      await writeFile(join(dirname(cg.v2), 'cgroup.subtree_control'), V2_CONTROLLERS);
      await makeDir(cg.v2);
      await writeFile(join(cg.v2, 'memory.max'), String(memBytes));
      await writeFile(join(cg.v2, 'memory.swap.max'), '0').catch(() => undefined);
      // systemd's shares → weight conversion: 1 + (shares − 2) × 9999 / 262142.
      await writeFile(join(cg.v2, 'cpu.weight'), String(Math.max(1, Math.round(1 + ((shares - 2) * 9999) / 262_142))));
      if (limits.cpuLimit) await writeFile(join(cg.v2, 'cpu.max'), `${quota} ${CFS_PERIOD_US}`);
    }
    if (uid !== null) for (const file of procsFiles(cg)) await chown(file, uid, -1);
    return cg;
  }

  /**
   * Removes the task's (empty) cgroups; false while some could not go yet (processes
   * still leaving). The agent's own directory above them (`gantry/<agentId>`) goes too
   * once it holds no task, so a machine keeps no cgroup of an agent that ran nothing.
   */
  async destroy(cg: TaskCgroup): Promise<boolean> {
    let all = true;
    for (const dir of dirs(cg)) {
      await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') all = false;
      });
      const parent = dirname(dir);
      // ENOTEMPTY / EBUSY: other tasks of this agent still live there. Never the shared base.
      if (all && basename(parent) !== 'gantry') await rmdir(parent).catch(() => undefined);
    }
    return all;
  }
}

export function dirs(cg: TaskCgroup): string[] {
  return [cg.memory, cg.cpu, cg.cpuacct, cg.v2].filter((d): d is string => d !== null);
}

/** The `cgroup.procs` files a task's first process writes its pid into. */
export function procsFiles(cg: TaskCgroup): string[] {
  return dirs(cg).map((d) => join(d, 'cgroup.procs'));
}

/** Every pid in the task's cgroup: the whole tree, even processes that left its session. */
export async function cgroupPids(cg: TaskCgroup): Promise<number[]> {
  const dir = cg.memory ?? cg.cpu ?? cg.v2;
  if (!dir) return [];
  const text = await readText(join(dir, 'cgroup.procs'));
  return text ? text.split('\n').map(Number).filter((n) => n > 0) : [];
}

/** Whether the kernel's OOM killer fired inside the task's memory cgroup. */
export async function oomKilled(cg: TaskCgroup): Promise<boolean> {
  const text = cg.memory ? await readText(join(cg.memory, 'memory.oom_control')) : cg.v2 ? await readText(join(cg.v2, 'memory.events')) : null;
  const m = text ? /^oom_kill (\d+)$/m.exec(text) : null;
  return m ? Number(m[1]) > 0 : false;
}

export async function memoryUsage(cg: TaskCgroup): Promise<{ usage: number; limit: number } | null> {
  if (cg.memory) {
    const [usage, limit] = await Promise.all([readText(join(cg.memory, 'memory.usage_in_bytes')), readText(join(cg.memory, 'memory.limit_in_bytes'))]);
    return usage !== null && limit !== null ? { usage: Number(usage), limit: Number(limit) } : null;
  }
  if (cg.v2) {
    const [usage, limit] = await Promise.all([readText(join(cg.v2, 'memory.current')), readText(join(cg.v2, 'memory.max'))]);
    return usage !== null && limit !== null ? { usage: Number(usage), limit: limit === 'max' ? 0 : Number(limit) } : null;
  }
  return null;
}
