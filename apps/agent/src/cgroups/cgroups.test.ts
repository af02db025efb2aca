import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cgroups } from './cgroups.js';

/**
 * What the agent writes into cgroup hierarchies, against plain directories standing in
 * for cgroupfs (the integration tests use the real v1 hierarchies of this machine; its
 * v2 tree carries no controllers, so v2 is proven here only as far as the files go).
 */
describe('Cgroups', () => {
  const roots: string[] = [];
  afterEach(async () => {
    for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
  });
  const fakeRoot = async () => {
    const root = await mkdtemp(join(tmpdir(), 'gantry-fake-cgroup-'));
    roots.push(root);
    return root;
  };
  const read = (path: string) => readFile(path, 'utf8');

  it('v1: cpu shares per cpu, a CFS quota only when asked, memory with swap, under <own>/gantry/<agent>/<task>', async () => {
    const root = await fakeRoot();
    const layout = { version: 1 as const, memory: join(root, 'memory', 'own'), cpu: join(root, 'cpu'), cpuacct: join(root, 'cpuacct') };
    const cgroups = await Cgroups.prepare(layout);
    expect([cgroups.available, cgroups.why]).toEqual([true, null]);

    const limited = (await cgroups.create('agent-1/t1', { cpus: 0.5, memMiB: 64, cpuLimit: true }, null))!;
    expect(limited).toEqual({ memory: join(root, 'memory/own/gantry/agent-1/t1'), cpu: join(root, 'cpu/gantry/agent-1/t1'), cpuacct: join(root, 'cpuacct/gantry/agent-1/t1'), v2: null });
    expect(await read(join(limited.memory!, 'memory.limit_in_bytes'))).toBe(String(64 * 2 ** 20));
    expect(await read(join(limited.memory!, 'memory.memsw.limit_in_bytes'))).toBe(String(64 * 2 ** 20));
    expect(await read(join(limited.cpu!, 'cpu.shares'))).toBe('512');
    expect(await read(join(limited.cpu!, 'cpu.cfs_period_us'))).toBe('100000');
    expect(await read(join(limited.cpu!, 'cpu.cfs_quota_us'))).toBe('50000');

    const shared = (await cgroups.create('agent-1/t2', { cpus: 0.001, memMiB: 16, cpuLimit: false }, null))!;
    expect(await read(join(shared.cpu!, 'cpu.shares'))).toBe('2'); // the kernel's minimum
    expect(existsSync(join(shared.cpu!, 'cpu.cfs_quota_us'))).toBe(false); // shares only: may use idle cpu
  });

  it('v2: moves its own processes to a leaf, passes memory and cpu down every level, writes weight and max', async () => {
    const root = await fakeRoot();
    const own = join(root, 'system.slice', 'gantry-agent.service');
    await mkdir(own, { recursive: true });
    await writeFile(join(own, 'cgroup.procs'), '4242\n');
    await writeFile(join(own, 'cgroup.type'), 'domain\n');
    const cgroups = await Cgroups.prepare({ version: 2, dir: own });
    expect(cgroups.available).toBe(true);
    expect(await read(join(own, 'agent', 'cgroup.procs'))).toBe('4242');
    expect(await read(join(own, 'cgroup.subtree_control'))).toBe('+memory +cpu');
    expect(await read(join(own, 'gantry', 'cgroup.subtree_control'))).toBe('+memory +cpu');

    const cg = (await cgroups.create('agent-1/t1', { cpus: 1, memMiB: 128, cpuLimit: true }, null))!;
    expect(cg.v2).toBe(join(own, 'gantry/agent-1/t1'));
    expect(await read(join(own, 'gantry/agent-1/cgroup.subtree_control'))).toBe('+memory +cpu');
    expect(await read(join(cg.v2!, 'memory.max'))).toBe(String(128 * 2 ** 20));
    expect(await read(join(cg.v2!, 'memory.swap.max'))).toBe('0');
    expect(await read(join(cg.v2!, 'cpu.weight'))).toBe('40'); // systemd: 1 + (1024 − 2) × 9999 / 262142 = 39.98
    expect(await read(join(cg.v2!, 'cpu.max'))).toBe('100000 100000');
  });

  it('v2: never moves the processes of the real root cgroup (it has no cgroup.type)', async () => {
    const root = await fakeRoot();
    await writeFile(join(root, 'cgroup.procs'), '1\n');
    await Cgroups.prepare({ version: 2, dir: root });
    expect(existsSync(join(root, 'agent'))).toBe(false);
  });

  it('removes a task cgroup, and the agent\'s directory with its last task, never the shared base', async () => {
    const root = await fakeRoot();
    const cgroups = await Cgroups.prepare({ version: 1, memory: join(root, 'memory'), cpu: null, cpuacct: null });
    // cgroupfs directories can be removed with their control files inside; plain ones cannot, so: bare directories.
    const task = (name: string) => ({ memory: join(root, 'memory', 'gantry', 'agent-1', name), cpu: null, cpuacct: null, v2: null });
    await mkdir(task('t1').memory, { recursive: true });
    await mkdir(task('t2').memory, { recursive: true });
    expect(await cgroups.destroy(task('t1'))).toBe(true);
    expect(existsSync(task('t1').memory)).toBe(false);
    expect(existsSync(join(root, 'memory', 'gantry', 'agent-1'))).toBe(true); // t2 still lives there
    expect(await cgroups.destroy(task('t2'))).toBe(true);
    expect(existsSync(join(root, 'memory', 'gantry', 'agent-1'))).toBe(false);
    expect(existsSync(join(root, 'memory', 'gantry'))).toBe(true);
    expect(await cgroups.destroy(task('t2'))).toBe(true); // already gone: nothing to do
  });

  it('is unavailable, and says why, where the hierarchy cannot be written', async () => {
    const root = await fakeRoot();
    await writeFile(join(root, 'memory'), 'a file where a directory should be');
    const cgroups = await Cgroups.prepare({ version: 1, memory: join(root, 'memory'), cpu: null, cpuacct: null });
    expect(cgroups.available).toBe(false);
    expect(cgroups.why).toMatch(/^cgroup v1 is mounted but not writable here \(E\w+\)$/);
    expect(await cgroups.create('agent-1/t1', { cpus: 1, memMiB: 1, cpuLimit: false }, null)).toBeNull();
  });
});
