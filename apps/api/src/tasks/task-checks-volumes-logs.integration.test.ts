import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTerminal, type TaskSpecInput, type TaskState } from '@gantry/specs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';
import { CommandFailedError } from './agent-commands.js';

/**
 * Health and readiness checks, persistent volumes, logs and usage, with real agents
 * running real tasks against a real API and Postgres.
 */
describe('health checks, volumes, logs and usage', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  const agents: AgentProc[] = [];
  const taskPids: number[] = [];

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
    for (const task of await started()) if (!isTerminal(task.state)) taskPids.push(task.pid!);
    for (const pid of taskPids.splice(0)) {
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

  async function agent(hostname: string, extraArgs: string[] = [], workDir?: string): Promise<{ proc: AgentProc; id: string }> {
    const proc = await startAgent({ hostname, masters: [api.url], ports: '31100-31199', extraArgs: ['--status-retry-ms', '200', ...extraArgs], ...(workDir ? { workDir } : {}) });
    agents.push(proc);
    workDirs.add(proc.workDir);
    const [, id] = await waitForOutput(proc, /registered with \S+ as (\S+)/);
    await waitFor(`${hostname} reconciled`, () => api.commands.connected(id!));
    agentIds.add(id!);
    return { proc, id: id! };
  }

  const reach = (taskId: string, wanted: TaskState, extra: (t: NonNullable<Awaited<ReturnType<RunningApi['tasks']['get']>>>) => boolean = () => true) =>
    waitFor(`${taskId} ${wanted}`, async () => {
      const task = await api.tasks.get(taskId);
      return task?.state === wanted && extra(task) && task;
    });
  const spec = (taskId: string, over: Partial<TaskSpecInput> = {}): TaskSpecInput => ({ taskId, cmd: 'sleep 300', resources: { cpus: 0.1, mem: 128 }, ...over });
  const running = async (taskId: string) => {
    const task = await reach(taskId, 'TASK_RUNNING');
    taskPids.push(task.pid!);
    return task;
  };

  // A tiny HTTP server as the task: 500 on every path while the file "sick" exists in its sandbox; one "x" in "hits" per request.
  const server = `${JSON.stringify(process.execPath)} -e "require('http').createServer((q, s) => { require('fs').appendFileSync('hits', 'x'); s.statusCode = require('fs').existsSync('sick') || (q.url === '/ready' && !require('fs').existsSync('ready')) ? 500 : 200; s.end(); }).listen(process.env.PORT0)"`;
  const fast = { delaySeconds: 0, intervalSeconds: 0.1, gracePeriodSeconds: 0, timeoutSeconds: 1, maxConsecutiveFailures: 3 };

  it('reports MESOS_HTTP health to the master: healthy, then unhealthy, then the kill threshold', async () => {
    const { proc, id } = await agent('h-http');
    await api.commands.launch(id, spec('http.1', { cmd: server, resources: { cpus: 0.1, mem: 128, ports: [31101] }, healthChecks: [{ protocol: 'MESOS_HTTP', path: '/health', ...fast }] }));
    const { pid } = await running('http.1');
    await reach('http.1', 'TASK_RUNNING', (t) => t.healthy === true);
    await writeFile(join(proc.workDir, 'sandboxes', 'http.1', 'sick'), '');
    await reach('http.1', 'TASK_RUNNING', (t) => t.healthy === false);
    const threshold = await reach('http.1', 'TASK_RUNNING', (t) => /3 consecutive times/.test(t.message ?? ''));
    expect(threshold.message).toContain('HTTP 500');
    expect(threshold.healthFailures).toBe(3); // the count the master waits for before it kills
    // The agent reports; the master decides. Three more failed checks later, the agent has killed nothing.
    const hits = () => readFileSync(join(proc.workDir, 'sandboxes', 'http.1', 'hits'), 'utf8').length;
    const atThreshold = hits();
    await waitFor('three more failed checks', () => hits() >= atThreshold + 3);
    expect(readFileSync(`/proc/${pid}/stat`, 'utf8')).not.toMatch(/^\d+ \(.*\) Z/);
    expect((await api.tasks.get('http.1'))?.state).toBe('TASK_RUNNING');
  });

  it('runs MESOS_TCP and COMMAND checks, and keeps a task unready until its readiness check answers 200', async () => {
    const { proc, id } = await agent('h-tcp');
    await api.commands.launch(id, spec('tcp.1', {
      cmd: server, resources: { cpus: 0.1, mem: 128, ports: [31102] },
      healthChecks: [{ protocol: 'MESOS_TCP', ...fast }, { protocol: 'COMMAND', command: { value: 'test ! -f sick' }, ...fast }],
      readinessChecks: [{ path: '/ready', intervalSeconds: 0.1, timeoutSeconds: 1 }],
    }));
    await running('tcp.1');
    await reach('tcp.1', 'TASK_RUNNING', (t) => t.healthy === true && t.ready === false);
    await writeFile(join(proc.workDir, 'sandboxes', 'tcp.1', 'ready'), '');
    await reach('tcp.1', 'TASK_RUNNING', (t) => t.ready === true);
    await writeFile(join(proc.workDir, 'sandboxes', 'tcp.1', 'sick'), ''); // fails the COMMAND check only
    await reach('tcp.1', 'TASK_RUNNING', (t) => t.healthy === false);
  });

  it('keeps persistent volume data across a task kill and an agent restart; DESTROY only when unused', async () => {
    let { proc, id } = await agent('v-agent');
    await api.commands.createVolume(id, 'pg-data', 'role-db');
    await api.commands.createVolume(id, 'pg-data', 'role-db'); // a re-sent CREATE: harmless
    await expect(api.commands.createVolume(id, 'pg-data', 'role-web')).rejects.toThrow('volume pg-data already exists, owned by role-db');
    const volume = [{ containerPath: 'data', volumeId: 'pg-data' }];
    await api.commands.launch(id, spec('writer.1', { cmd: 'echo first >> data/log; sleep 300', volumes: volume }));
    await running('writer.1');
    await expect(api.commands.destroyVolume(id, 'pg-data')).rejects.toThrow(/in use by live task writer\.1/);
    await api.commands.kill('writer.1', 0);
    await reach('writer.1', 'TASK_KILLED');

    await proc.kill('SIGKILL');
    agents.splice(agents.indexOf(proc), 1);
    ({ proc, id } = await agent('v-agent', [], proc.workDir));
    await api.commands.launch(id, spec('reader.1', { cmd: 'cat data/log; echo second >> data/log', volumes: volume }));
    await reach('reader.1', 'TASK_FINISHED');
    let text = '';
    for await (const chunk of api.commands.streamLog('reader.1', 'stdout')) text += chunk;
    expect(text).toBe('first\n');
    expect(existsSync(join(proc.workDir, 'volumes', 'pg-data', 'log'))).toBe(true);

    await api.commands.destroyVolume(id, 'pg-data');
    expect(existsSync(join(proc.workDir, 'volumes', 'pg-data'))).toBe(false);
    await api.commands.launch(id, spec('late.1', { volumes: volume }));
    expect((await reach('late.1', 'TASK_ERROR')).message).toContain('pg-data does not exist');
  });

  it('hands a volume to the user its task runs as, and knows readiness by a command (the SDK\'s pg_isready style)', async () => {
    const { proc, id } = await agent('v-owner');
    await api.commands.createVolume(id, 'owned-data', 'role-db');
    await api.commands.launch(id, spec('owned.1', {
      user: 'nobody', volumes: [{ containerPath: 'data', volumeId: 'owned-data' }],
      readinessChecks: [{ protocol: 'COMMAND', command: { value: 'touch data/written && test -s data/go' }, intervalSeconds: 0.1, timeoutSeconds: 1 }],
    }));
    await running('owned.1');
    // The task, running as nobody, can write its volume; it is not ready until the command passes.
    await waitFor('the task wrote its volume', () => existsSync(join(proc.workDir, 'volumes', 'owned-data', 'written')));
    expect(statSync(join(proc.workDir, 'volumes', 'owned-data')).uid).toBe(Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim()));
    expect((await api.tasks.get('owned.1'))!.ready).toBe(false);
    await writeFile(join(proc.workDir, 'volumes', 'owned-data', 'go'), 'yes');
    await reach('owned.1', 'TASK_RUNNING', (t) => t.ready === true);
  });

  it('streams a task\'s log from an offset and follows it as it grows', async () => {
    const { proc, id } = await agent('l-agent', ['--log-max-bytes', '2000']);
    await api.commands.launch(id, spec('talker.1', { cmd: 'echo hello; echo oops >&2; while [ ! -f more ]; do sleep 0.05; done; echo world; sleep 300' }));
    await running('talker.1');
    await waitFor('hello', async () => (await api.commands.readLog('talker.1', 'stdout', 0)).data === 'hello\n');
    expect(await api.commands.readLog('talker.1', 'stdout', 2)).toEqual({ offset: 2, data: 'llo\n', size: 6 });
    expect((await api.commands.readLog('talker.1', 'stderr', 0)).data).toBe('oops\n');

    // The same over REST, as the console and CLI read it.
    const authorization = await bearer(api.url);
    const logUrl = `${api.url}/v1/tasks/talker.1/logs/stdout`;
    expect(await (await fetch(`${logUrl}?offset=2`, { headers: { authorization } })).json()).toEqual({ offset: 2, data: 'llo\n', size: 6 });
    expect((await fetch(logUrl)).status).toBe(401);
    expect((await fetch(`${api.url}/v1/tasks/talker.1/logs/passwd`, { headers: { authorization } })).status).toBe(404);
    const followed = await fetch(`${logUrl}?offset=6&follow=true`, { headers: { authorization } });
    const reader = followed.body!.getReader();
    let restText = '';

    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const chunk of api.commands.streamLog('talker.1', 'stdout', { offset: 6, follow: true, pollMs: 50, signal: controller.signal })) seen.push(chunk);
    })();
    await writeFile(join(proc.workDir, 'sandboxes', 'talker.1', 'more'), '');
    await waitFor('followed output', () => seen.join('') === 'world\n');
    while (restText !== 'world\n') restText += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    controller.abort();
    await following;
    await expect(api.commands.readLog('talker.1', 'stdout', 0).then(() => api.commands.readLog('no-such-task', 'stdout', 0))).rejects.toBeInstanceOf(CommandFailedError);
  });

  it('rotates a log by size', async () => {
    const { proc, id } = await agent('r-agent', ['--log-max-bytes', '1000']);
    await api.commands.launch(id, spec('chatty.1', { cmd: 'head -c 5000 /dev/zero | tr "\\0" x; echo; sleep 300' }));
    await running('chatty.1');
    await waitFor('stdout.1', () => existsSync(join(proc.workDir, 'sandboxes', 'chatty.1', 'stdout.1')));
  });

  it('reports usage per task (cpu time, rss, cgroup memory, disk) and agent totals', async () => {
    const { id } = await agent('u-agent', ['--usage-interval-ms', '100']);
    await api.commands.launch(id, spec('busy.1', { cmd: 'head -c 100000 /dev/zero > blob; while :; do :; done' }));
    await running('busy.1');
    const report = await waitFor('usage with cpu time', () => {
      const usage = api.commands.usage(id);
      const task = usage?.tasks.find((t) => t.taskId === 'busy.1');
      return usage && task && task.cpuSeconds > 0 && task.diskBytes >= 100_000 ? usage : undefined;
    });
    const task = report.tasks.find((t) => t.taskId === 'busy.1')!;
    expect(task.rssBytes).toBeGreaterThan(0);
    expect(task.cgroupMemBytes).toBeGreaterThan(0);
    expect(task.memLimitBytes).toBe(128 * 2 ** 20);
    expect(report.totals.diskBytes).toBeGreaterThanOrEqual(100_000);
  });
});
