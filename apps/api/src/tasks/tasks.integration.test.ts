import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTerminal, type TaskSpecInput, type TaskState } from '@gantry/specs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';

/** Real API (in this process), real Postgres, real agent processes running real tasks. */
describe('tasks run as real processes on real agents', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  const agents: AgentProc[] = [];
  const pidsToReap: number[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
  });
  const agentIds = new Set<string>();
  const workDirs = new Set<string>();
  afterEach(async () => {
    // Tasks first, while their agents live: each agent reports the end and removes the task's cgroups.
    // Every task any agent of this test ran counts, even if the test failed before it saw the pid.
    const started = async () => (await Promise.all([...agentIds].map((id) => api.tasks.listByAgent(id)))).flat().filter((t) => t.pid);
    for (const task of await started()) if (!isTerminal(task.state)) pidsToReap.push(task.pid!);
    for (const pid of pidsToReap.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await waitFor('every task ended', async () => (await started()).every((t) => isTerminal(t.state)), 10_000).catch(() => undefined);
    agentIds.clear();
    await Promise.all(agents.splice(0).map((a) => a.kill('SIGKILL')));
    for (const dir of workDirs) await rm(dir, { recursive: true, force: true });
    workDirs.clear();
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^\d+ \(.*\) Z/.test(stat);
    } catch {
      return false;
    }
  };

  async function agent(hostname: string, extraArgs: string[] = [], workDir?: string): Promise<{ proc: AgentProc; id: string }> {
    const proc = await startAgent({ hostname, masters: [api.url], ports: '31000-31099', extraArgs: ['--status-retry-ms', '200', ...extraArgs], ...(workDir ? { workDir } : {}) });
    agents.push(proc);
    workDirs.add(proc.workDir);
    const [, id] = await waitFor(`${hostname} registered`, () => proc.output().match(/registered with \S+ as (\S+)/) ?? undefined);
    await waitFor(`${hostname} reconciled`, () => api.commands.connected(id!));
    agentIds.add(id!);
    return { proc, id: id! };
  }

  const state = async (taskId: string) => (await api.tasks.get(taskId))?.state;
  const reach = (taskId: string, wanted: TaskState, timeoutMs?: number) =>
    waitFor(`${taskId} ${wanted}`, async () => {
      const task = await api.tasks.get(taskId);
      return task?.state === wanted && task;
    }, timeoutMs);
  const spec = (taskId: string, over: Partial<TaskSpecInput> = {}): TaskSpecInput => ({ taskId, cmd: 'sleep 300', resources: { cpus: 0.1, mem: 64 }, ...over });

  it('launches a command in its own session and sandbox with the Marathon environment, then kills its whole tree', async () => {
    const { proc, id } = await agent('t-launch');
    // No appId: the services framework stops tasks of apps it does not know (Marathon does);
    // the app-id variables are covered by task-environment.test.ts.
    await api.commands.launch(id, spec('web.1', {
      resources: { cpus: 0.1, mem: 64, ports: [31001, 31002] }, env: { GREETING: 'hi' },
      // The task hears SIGTERM (and says so), but keeps a child that ignores it: only the
      // SIGKILL after the grace period ends that one.
      cmd: 'echo "$GREETING $PORT0 $PORTS $HOST $GANTRY_TASK_ID $MESOS_TASK_ID $GANTRY_SANDBOX $PWD"; trap "echo got TERM" TERM; sh -c "trap \'\' TERM; echo both traps set; sleep 300" & wait; wait',
      killGracePeriodSeconds: 0.5,
    }));
    const running = await reach('web.1', 'TASK_RUNNING');
    const pid = running.pid!;
    pidsToReap.push(pid);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    expect([Number(stat[2]), Number(stat[3])]).toEqual([pid, pid]); // its own process group and session
    // Forked by the agent, a small process of its own, never by this (large) API process.
    expect(Number(stat[1])).toBe(proc.child.pid);
    const sandbox = join(proc.workDir, 'sandboxes', 'web.1');
    await waitFor('stdout', () => readFileSync(join(sandbox, 'stdout'), 'utf8').includes('hi'));
    expect(readFileSync(join(sandbox, 'stdout'), 'utf8').split('\n')[0]).toBe(`hi 31001 31001,31002 127.0.0.1 web.1 web.1 ${sandbox} ${sandbox}`);
    // Killed before its traps are set, the task would just die of the SIGTERM.
    await waitFor('both traps set', () => readFileSync(join(sandbox, 'stdout'), 'utf8').includes('both traps set'));
    const tree = await waitFor('the grandchild', () => {
      const procs = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      return procs ? procs.split(' ').map(Number) : undefined;
    });

    const killAsked = Date.now();
    await api.commands.kill('web.1');
    await reach('web.1', 'TASK_KILLED');
    // SIGTERM first (the task's trap ran), SIGKILL only after the 0.5 s grace period.
    expect(Date.now() - killAsked).toBeGreaterThanOrEqual(500);
    expect(readFileSync(join(sandbox, 'stdout'), 'utf8')).toContain('got TERM');
    expect((await api.tasks.appliedUpdates('web.1')).map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_KILLED']);
    await waitFor('the whole tree gone', () => !alive(pid) && tree.every((p) => !alive(p)));
  });

  it('puts each task in cgroups with its cpu shares, cpu quota and memory limit, and removes them when it ends', async () => {
    const { id } = await agent('t-cgroup');
    await api.commands.launch(id, spec('capped.1', { resources: { cpus: 0.5, mem: 96 }, cpuLimit: true }));
    await api.commands.launch(id, spec('shared.1', { resources: { cpus: 0.25, mem: 32 } }));
    const dirsOf = async (taskId: string) => {
      const pid = (await reach(taskId, 'TASK_RUNNING')).pid!;
      pidsToReap.push(pid);
      const own = new Map(readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n').map((l) => l.split(':')).map(([, c, p]) => [c!, p!]));
      return { memory: join('/sys/fs/cgroup/memory', own.get('memory')!), cpu: join('/sys/fs/cgroup/cpu', own.get('cpu')!) };
    };
    const capped = await dirsOf('capped.1');
    const shared = await dirsOf('shared.1');
    expect(capped.memory).toMatch(new RegExp(`/gantry/${id}/capped\\.1$`));
    const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8').trim();
    expect(read(capped.memory, 'memory.limit_in_bytes')).toBe(String(96 * 2 ** 20));
    expect(read(capped.cpu, 'cpu.shares')).toBe('512');
    expect(read(capped.cpu, 'cpu.cfs_quota_us')).toBe('50000');
    expect(read(shared.cpu, 'cpu.shares')).toBe('256');
    expect(read(shared.cpu, 'cpu.cfs_quota_us')).toBe('-1'); // no hard cap unless asked

    await api.commands.kill('capped.1', 0);
    await reach('capped.1', 'TASK_KILLED');
    expect([existsSync(capped.memory), existsSync(capped.cpu)]).toEqual([false, false]);
    await api.commands.kill('shared.1', 0);
    await reach('shared.1', 'TASK_KILLED');
    // The agent's own directory went with its last task: nothing of it stays on the machine.
    expect(existsSync(join(shared.memory, '..'))).toBe(false);
    expect(existsSync(join(shared.cpu, '..'))).toBe(false);
  });

  it('runs a task as the requested user, in a sandbox that user owns', async () => {
    const { proc, id } = await agent('t-user');
    await api.commands.launch(id, spec('as-nobody.1', { user: 'nobody', cmd: 'id -u; echo written > file; sleep 300' }));
    const pid = (await reach('as-nobody.1', 'TASK_RUNNING')).pid!;
    pidsToReap.push(pid);
    const nobody = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'))!.split(':');
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${nobody[2]}\\s+${nobody[2]}\\s`, 'm'));
    const sandbox = join(proc.workDir, 'sandboxes', 'as-nobody.1');
    await waitFor('the task wrote as nobody', () => existsSync(join(sandbox, 'file')));
    expect(readFileSync(join(sandbox, 'stdout'), 'utf8').trim()).toBe(nobody[2]);
    expect(statSync(join(sandbox, 'file')).uid).toBe(Number(nobody[2]));
  });

  it('exec\'s args directly and reports a normal exit as FINISHED, a failing one as FAILED with its status', async () => {
    const { id } = await agent('t-exit');
    await api.commands.launch(id, spec('ok.1', { cmd: undefined, args: ['/bin/sh', '-c', 'exit 0'] }));
    await api.commands.launch(id, spec('fail.1', { cmd: 'exit 3' }));
    await api.commands.launch(id, spec('missing.1', { cmd: undefined, args: ['/no/such/program'] }));
    expect((await reach('ok.1', 'TASK_FINISHED')).exitCode).toBe(0);
    expect(await reach('fail.1', 'TASK_FAILED')).toMatchObject({ exitCode: 3, message: 'Command exited with status 3' });
    expect((await reach('missing.1', 'TASK_FAILED')).message).toContain('status 127');
  });

  it('answers bad input with TASK_ERROR and a message, and keeps running', async () => {
    const { proc, id } = await agent('t-bad');
    await api.commands.launch(id, spec('nocmd.1', { cmd: undefined }));
    await api.commands.launch(id, spec('nouser.1', { user: 'no-such-user-here' }));
    await api.commands.launch(id, spec('escape.1', { volumes: [{ containerPath: '../../etc', volumeId: 'v' }] }));
    await api.commands.launch(id, spec('noport.1', { resources: { cpus: 0.1, mem: 64, ports: [40000] } }));
    // The agent offers 1 cpu and 1024 MiB: a task beyond what is left is refused, not over-committed.
    await api.commands.launch(id, spec('holds.1', { resources: { cpus: 0.6, mem: 900 } }));
    pidsToReap.push((await reach('holds.1', 'TASK_RUNNING')).pid!);
    await api.commands.launch(id, spec('nomem.1', { resources: { cpus: 0.1, mem: 200 } }));
    await api.commands.launch(id, spec('nocpu.1', { resources: { cpus: 0.5, mem: 64 } }));
    expect(await reach('nocmd.1', 'TASK_ERROR')).toMatchObject({ reason: 'REASON_TASK_INVALID', message: expect.stringContaining('the task has no command') });
    expect((await reach('nouser.1', 'TASK_ERROR')).message).toBe('user "no-such-user-here" does not exist on this agent');
    expect((await reach('escape.1', 'TASK_ERROR')).message).toContain('escapes the sandbox');
    expect((await reach('noport.1', 'TASK_ERROR')).message).toContain("not among this agent's ports");
    expect(await reach('nomem.1', 'TASK_ERROR')).toMatchObject({
      reason: 'REASON_RESOURCES_UNKNOWN', message: 'the task asks for 200 MiB mem, but this agent has only 124 MiB of its 1024 MiB free',
    });
    expect((await reach('nocpu.1', 'TASK_ERROR')).message).toBe('the task asks for 0.5 cpus, but this agent has only 0.4 of its 1 free');
    for (const taskId of ['nocmd.1', 'nouser.1', 'escape.1', 'noport.1', 'nomem.1', 'nocpu.1']) expect((await api.tasks.get(taskId))?.pid).toBeNull();
    expect(existsSync(join(proc.workDir, '..', 'etc'))).toBe(false);
    await api.commands.launch(id, spec('after.1', { cmd: 'exit 0' }));
    await reach('after.1', 'TASK_FINISHED');
  });

  it('kills a task over its memory limit through the cgroup and reports REASON_CONTAINER_LIMITATION_MEMORY', async () => {
    const { proc, id } = await agent('t-oom');
    expect(proc.output()).toMatch(/isolating tasks with cgroup v1/);
    // The shell keeps the whole command substitution in memory: ~200 MB against a 32 MiB limit.
    await api.commands.launch(id, spec('hog.1', { resources: { cpus: 0.1, mem: 32 }, cmd: 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived' }));
    const failed = await reach('hog.1', 'TASK_FAILED');
    expect(failed.reason).toBe('REASON_CONTAINER_LIMITATION_MEMORY');
    expect(failed.message).toContain('32 MiB');
  });

  it('redelivers a status update the master never acknowledged, once the master is back', async () => {
    const { proc, id } = await agent('t-redeliver');
    await api.commands.launch(id, spec('waits.1', { cmd: 'while [ ! -f go ]; do sleep 0.05; done' }));
    await reach('waits.1', 'TASK_RUNNING');
    const port = Number(new URL(api.url).port);
    await api.close();
    // The task finishes while no master is there to hear it.
    await writeFile(join(proc.workDir, 'sandboxes', 'waits.1', 'go'), '');
    await waitFor('the agent to notice', () => /disconnected from master/.test(proc.output()));
    api = await startTestApi(db.url, { port });
    await waitFor('leadership', () => api.isLeader());
    const finished = await reach('waits.1', 'TASK_FINISHED');
    expect(finished.exitCode).toBe(0);
    const applied = await api.tasks.appliedUpdates('waits.1');
    expect(applied.map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
  });

  it('survives kill -9 of the agent ten times: same pids, no duplicates, re-registered and reconciled', async () => {
    let { proc, id } = await agent('t-recover');
    const workDir = proc.workDir;
    const marker = `gantry-recover-${Date.now()}`;
    for (const n of [1, 2]) await api.commands.launch(id, spec(`long.${n}`, { cmd: `exec sleep 300 # ${marker}` }));
    const pids = await Promise.all([1, 2].map(async (n) => (await reach(`long.${n}`, 'TASK_RUNNING')).pid!));
    pidsToReap.push(...pids);
    // Each task's wrapper process carries the marker in its argv: two tasks, two processes.
    const matching = () => countProcesses(marker);

    for (let round = 0; round < 10; round++) {
      await proc.kill('SIGKILL');
      agents.splice(agents.indexOf(proc), 1);
      expect(pids.every(alive)).toBe(true); // the tasks outlive the agent
      ({ proc, id } = await agent('t-recover', [], workDir));
      await waitForOutput(proc, /recovered 2 running task\(s\)/);
    }
    expect(pids.every(alive)).toBe(true);
    expect(matching()).toBe(2); // no task was started twice
    for (const [i, pid] of pids.entries()) {
      expect((await api.tasks.get(`long.${i + 1}`))).toMatchObject({ state: 'TASK_RUNNING', pid });
      // Ten re-registrations, and the master heard each task start exactly once.
      expect((await api.tasks.appliedUpdates(`long.${i + 1}`)).map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING']);
    }
    expect(proc.output()).not.toMatch(/TASK_DROPPED|discarded/);
    // The restarted agent still commands them.
    await api.commands.kill('long.1', 0);
    await reach('long.1', 'TASK_KILLED');
    expect(await state('long.2')).toBe('TASK_RUNNING');
  });

  it('reports after a kill -9 what it missed: a task that ended meanwhile, and an update never acknowledged', async () => {
    let { proc, id } = await agent('t-away');
    const workDir = proc.workDir;
    const sandbox = (taskId: string) => join(workDir, 'sandboxes', taskId);
    await api.commands.launch(id, spec('unheard.1', { cmd: 'while [ ! -f go ]; do sleep 0.05; done; exit 0' }));
    await api.commands.launch(id, spec('missed.1', { cmd: 'while [ ! -f go ]; do sleep 0.05; done; exit 7' }));
    await reach('unheard.1', 'TASK_RUNNING');
    const missedPid = (await reach('missed.1', 'TASK_RUNNING')).pid!;

    // unheard.1 finishes while no master listens: the agent checkpoints the update, cannot send it…
    const port = Number(new URL(api.url).port);
    await api.close();
    await waitForOutput(proc, /disconnected from master/);
    await writeFile(join(sandbox('unheard.1'), 'go'), '');
    await waitFor('FINISHED checkpointed, unacknowledged', () => readFileSync(join(workDir, 'meta', 'tasks', 'unheard.1.json'), 'utf8').includes('"TASK_FINISHED"'));
    // …and dies. Then missed.1 ends with nobody watching at all.
    await proc.kill('SIGKILL');
    agents.splice(agents.indexOf(proc), 1);
    await writeFile(join(sandbox('missed.1'), 'go'), '');
    await waitFor('missed.1 ended', () => !alive(missedPid));

    api = await startTestApi(db.url, { port });
    await waitFor('leadership', () => api.isLeader());
    ({ proc, id } = await agent('t-away', [], workDir));
    await waitForOutput(proc, /1 ended while the agent was away/);
    // The exit status the task's wrapper left behind, not a guess.
    expect(await reach('missed.1', 'TASK_FAILED')).toMatchObject({ exitCode: 7, message: 'Command exited with status 7' });
    expect(await reach('unheard.1', 'TASK_FINISHED')).toMatchObject({ exitCode: 0 });
    expect((await api.tasks.appliedUpdates('unheard.1')).map((u) => u.state)).toEqual(['TASK_STARTING', 'TASK_RUNNING', 'TASK_FINISHED']);
    // Acknowledged terminal updates take their checkpoints with them.
    await waitFor('checkpoints dropped', () => readdirSafe(join(workDir, 'meta', 'tasks')).length === 0);
  });

  it('refuses a checkpoint made for other resources unless a fresh identity is asked for', async () => {
    const { proc, id: oldId } = await agent('t-identity');
    await api.commands.launch(oldId, spec('old.1'));
    const oldPid = (await reach('old.1', 'TASK_RUNNING')).pid!;
    pidsToReap.push(oldPid);
    await proc.kill('SIGKILL');
    agents.splice(agents.indexOf(proc), 1);
    const changed = await startAgent({ hostname: 't-identity', masters: [api.url], workDir: proc.workDir, ports: '32000-32099' });
    agents.push(changed);
    expect(await changed.exited).toBe(1);
    expect(changed.output()).toContain('the checkpoint in');
    expect(changed.output()).toContain('ports [[31000,31099]] → [[32000,32099]]');
    expect(changed.output()).toContain('--fresh-identity');
    expect(alive(oldPid)).toBe(true); // refusing to start touches nothing
    const fresh = await startAgent({ hostname: 't-identity', masters: [api.url], workDir: proc.workDir, ports: '32000-32099', extraArgs: ['--fresh-identity'] });
    agents.push(fresh);
    const [, newId] = await waitForOutput(fresh, /registered with \S+ as (\S+)/);
    expect(newId).not.toBe(oldId);
    expect(fresh.output()).toContain(`--fresh-identity: discarded the old identity ${oldId}`);
    expect(fresh.output()).toContain('killed its 1 task(s)');
    await waitFor('the old identity\'s task killed', () => !alive(oldPid));
    // The old id's task stays as the master last heard it (its agent is gone for good): not ours to wait for.
    agentIds.delete(oldId);
  });
});

function countProcesses(marker: string): number {
  let count = 0;
  for (const name of readdirSafe('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) count++;
    } catch {
      // gone
    }
  }
  return count;
}

function readdirSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}
