import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTerminal, type TaskSpecInput, type TaskState } from '@gantry/specs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';

/** Whether this process may mount (root on the machines the project runs on); checked, not assumed. */
function canMount(): boolean {
  const probe = join(tmpdir(), `gantry-mount-probe-${process.pid}`);
  try {
    execFileSync('mkdir', ['-p', probe]);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    execFileSync('rm', ['-rf', probe]);
  }
}

/**
 * The agent when the machine fails it: a full disk, cgroups it may not write, tasks over
 * their disk quota. Real agents, real processes, a real (small) filesystem.
 */
describe('the agent when the machine fails it', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  const agents: AgentProc[] = [];
  const agentIds = new Set<string>();
  const workDirs = new Set<string>();
  const mounts = new Set<string>();

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
  });
  afterEach(async () => {
    // Tasks first, while their agents live: each agent reports the end and removes the task's cgroups.
    const started = async () => (await Promise.all([...agentIds].map((id) => api.tasks.listByAgent(id)))).flat().filter((t) => t.pid);
    for (const task of await started()) {
      if (isTerminal(task.state)) continue;
      try {
        process.kill(-task.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await waitFor('every task ended', async () => (await started()).every((t) => isTerminal(t.state)), 10_000).catch(() => undefined);
    agentIds.clear();
    await Promise.all(agents.splice(0).map((a) => a.kill('SIGKILL')));
    for (const dir of mounts) {
      await waitFor(`${dir} unmounted`, () => {
        execFileSync('umount', [dir], { stdio: 'ignore' });
        return true;
      }, 10_000).catch(() => execFileSync('umount', ['-l', dir], { stdio: 'ignore' }));
    }
    mounts.clear();
    for (const dir of workDirs) await rm(dir, { recursive: true, force: true });
    workDirs.clear();
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  async function agent(hostname: string, options: { workDir?: string; extraArgs?: string[]; prefix?: string[] } = {}): Promise<{ proc: AgentProc; id: string }> {
    const proc = await startAgent({
      hostname, masters: [api.url], ports: '31200-31299', extraArgs: ['--status-retry-ms', '200', ...(options.extraArgs ?? [])],
      ...(options.workDir ? { workDir: options.workDir } : {}), ...(options.prefix ? { prefix: options.prefix } : {}),
    });
    agents.push(proc);
    workDirs.add(proc.workDir);
    const [, id] = await waitForOutput(proc, /registered with \S+ as (\S+)/);
    await waitFor(`${hostname} reconciled`, () => api.commands.connected(id!));
    agentIds.add(id!);
    return { proc, id: id! };
  }

  const reach = (taskId: string, wanted: TaskState) =>
    waitFor(`${taskId} ${wanted}`, async () => {
      const task = await api.tasks.get(taskId);
      return task?.state === wanted && task;
    });
  const spec = (taskId: string, over: Partial<TaskSpecInput> = {}): TaskSpecInput => ({ taskId, cmd: 'sleep 300', resources: { cpus: 0.1, mem: 64 }, ...over });
  const alive = (pid: number) => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };

  it.skipIf(!canMount())('on a full disk: new launches fail with a clear reason, running tasks and checkpoints are untouched', async () => {
    // The agent's work dir is a 4 MiB filesystem of its own, which the test fills.
    const workDir = await mkdtemp(join(tmpdir(), 'gantry-agent-full-'));
    workDirs.add(workDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m,mode=0755', 'tmpfs', workDir]);
    mounts.add(workDir);
    let { proc, id } = await agent('f-full', { workDir });
    await api.commands.launch(id, spec('before.1'));
    const pid = (await reach('before.1', 'TASK_RUNNING')).pid!;
    const checkpoint = join(workDir, 'meta', 'tasks', 'before.1.json');
    const checkpointBefore = readFileSync(checkpoint, 'utf8');
    const identityBefore = readFileSync(join(workDir, 'agent.json'), 'utf8');

    try {
      writeFileSync(join(workDir, 'filler'), Buffer.alloc(8 * 2 ** 20, 1));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    }
    expect(statfsSync(workDir).bavail).toBe(0);

    await api.commands.launch(id, spec('during.1'));
    const failed = await reach('during.1', 'TASK_FAILED');
    expect(failed).toMatchObject({ reason: 'REASON_CONTAINER_LAUNCH_FAILED', pid: null });
    expect(failed.message).toMatch(/^disk full: the agent cannot create the task's sandbox or checkpoint \(ENOSPC: .*\); nothing was started$/);
    // The running task and every checkpoint are as they were; no half-written file is left over.
    expect(alive(pid)).toBe(true);
    expect(await api.tasks.get('before.1')).toMatchObject({ state: 'TASK_RUNNING', pid });
    expect(readFileSync(checkpoint, 'utf8')).toBe(checkpointBefore);
    expect(readFileSync(join(workDir, 'agent.json'), 'utf8')).toBe(identityBefore);
    expect(readdirSync(join(workDir, 'meta', 'tasks'))).toEqual(['before.1.json']);

    // kill -9 on the full disk: the restarted agent reads those checkpoints and takes the task back.
    await proc.kill('SIGKILL');
    agents.splice(agents.indexOf(proc), 1);
    ({ proc, id } = await agent('f-full', { workDir }));
    await waitForOutput(proc, /recovered 1 running task\(s\)/);
    expect(await api.tasks.get('before.1')).toMatchObject({ state: 'TASK_RUNNING', pid });

    // Space again: launches work again.
    await rm(join(workDir, 'filler'));
    await api.commands.launch(id, spec('after.1', { cmd: 'echo fine' }));
    await reach('after.1', 'TASK_FINISHED');
    expect(alive(pid)).toBe(true);
  });

  it.skipIf(!canMount())('says once that cgroups are not writable, and still runs and kills tasks', async () => {
    // A mount namespace of the agent's own in which every cgroup hierarchy is read-only;
    // the host's stay as they are, and the namespace goes with the agent and its tasks.
    const readOnlyCgroups = [
      'unshare', '-m', '/bin/sh', '-c',
      'for m in $(awk \'$3 == "cgroup" || $3 == "cgroup2" { print $2 }\' /proc/self/mounts); do mount -o remount,ro,bind "$m" || exit 1; done; exec "$@"',
      'read-only-cgroups',
    ];
    const { proc, id } = await agent('f-nocg', { prefix: readOnlyCgroups, extraArgs: ['--usage-interval-ms', '100'] });
    await api.commands.launch(id, spec('plain.1', { cmd: 'sh -c "sleep 300" & wait' }));
    const pid = (await reach('plain.1', 'TASK_RUNNING')).pid!;
    const child = await waitFor('the task\'s child', () => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() || undefined);
    // It runs where the agent runs: no cgroup of its own, and no pretending otherwise.
    const memoryCgroup = (p: number) => readFileSync(`/proc/${p}/cgroup`, 'utf8').split('\n').find((l) => /^\d+:memory:/.test(l));
    expect(memoryCgroup(pid)).toBe(memoryCgroup(proc.child.pid!));
    const usage = await waitFor('a usage report', () => api.commands.usage(id)?.tasks.find((t) => t.taskId === 'plain.1'));
    expect(usage.cgroupMemBytes).toBeUndefined();
    expect(usage.rssBytes).toBeGreaterThan(0);

    await api.commands.kill('plain.1', 0);
    await reach('plain.1', 'TASK_KILLED');
    await waitFor('the whole tree gone (by process group)', () => !alive(pid) && !alive(Number(child)));
    await api.commands.launch(id, spec('plain.2', { cmd: 'exit 0' }));
    await reach('plain.2', 'TASK_FINISHED');
    const warnings = proc.output().match(/WARNING.*/g) ?? [];
    expect(warnings).toEqual([
      'WARNING: cgroups are not usable (cgroup v1 is mounted but not writable here (EROFS)); tasks run WITHOUT cpu or memory isolation',
    ]);
  });

  it('kills a task over its disk quota, or over its volume\'s size, and reports REASON_CONTAINER_LIMITATION_DISK', async () => {
    const { proc, id } = await agent('f-quota', { extraArgs: ['--usage-interval-ms', '100'] });
    await api.commands.launch(id, spec('within.1', { resources: { cpus: 0.1, mem: 64, disk: 4 }, cmd: 'head -c 1000000 /dev/zero > blob; sleep 300' }));
    await api.commands.launch(id, spec('hog.1', { resources: { cpus: 0.1, mem: 64, disk: 1 }, cmd: 'head -c 3000000 /dev/zero > blob; sleep 300' }));
    const hog = await reach('hog.1', 'TASK_FAILED');
    expect(hog.reason).toBe('REASON_CONTAINER_LIMITATION_DISK');
    // Measured while it writes: whatever it holds by then, over its 1 MiB.
    expect(hog.message).toMatch(/^Disk limit exceeded: the sandbox holds [12]\.\d MiB, more than the task's 1 MiB of disk$/);
    expect(alive(hog.pid!)).toBe(false);

    await api.commands.createVolume(id, 'small-vol', 'role-db', 1);
    await api.commands.launch(id, spec('filler.1', { volumes: [{ containerPath: 'data', volumeId: 'small-vol' }], cmd: 'head -c 2000000 /dev/zero > data/blob; sleep 300' }));
    const filler = await reach('filler.1', 'TASK_FAILED');
    expect(filler).toMatchObject({ reason: 'REASON_CONTAINER_LIMITATION_DISK', message: expect.stringMatching(/persistent volume small-vol holds 1\.\d MiB, more than its 1 MiB/) });
    expect(existsSync(join(proc.workDir, 'volumes', 'small-vol', 'blob'))).toBe(true); // the data stays: only DESTROY removes a volume

    // Measured and left alone while within its quota: the report that shows 1 MB was taken after the check.
    await waitFor('within.1 measured', () => (api.commands.usage(id)?.tasks.find((t) => t.taskId === 'within.1')?.diskBytes ?? 0) >= 1_000_000);
    expect((await api.tasks.get('within.1'))?.state).toBe('TASK_RUNNING');
  });
});
