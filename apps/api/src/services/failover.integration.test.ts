import type { MarathonTaskView } from '@gantry/specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi, TEST_ADMIN_PASSWORD, TEST_AGENT_TOKEN } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { apiMain, run, startAgent, waitForOutput, type AgentProc, type Proc } from '../testing/processes.js';
import { alive, reapTaskProcesses } from '../testing/task-processes.js';
import { waitFor } from '../testing/wait-for.js';

/**
 * The leader dies (kill -9 of its process) while it runs services: a standby takes
 * over, re-reads everything from Postgres, reconciles with the agents, and kills nothing
 * that is healthy.
 */
describe('services across a leader failover', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let leader: Proc;
  let leaderUrl: string;
  let standby: RunningApi;
  const agents: AgentProc[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    leader = run(apiMain, [], {
      DATABASE_URL: db.url, GANTRY_API_PORT: '0', GANTRY_AGENT_TOKEN: TEST_AGENT_TOKEN, GANTRY_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      GANTRY_HEARTBEAT_INTERVAL_MS: '300', GANTRY_MISSED_HEARTBEATS: '7', GANTRY_LEADER_RETRY_MS: '100', GANTRY_REPLICA_NAME: 'doomed',
    });
    leaderUrl = (await waitForOutput(leader, /gantry api listening on (\S+)/))[1]!;
    await waitForOutput(leader, /leading the cluster with epoch/);
    standby = await startTestApi(db.url, { replicaName: 'standby', heartbeatIntervalMs: 300, missedHeartbeatsAllowed: 7, scheduler: { tickMs: 100 } });
    for (let i = 0; i < 2; i++) {
      agents.push(await startAgent({ hostname: `ha-${i}`, masters: [leaderUrl, standby.url], ports: `${29000 + i * 100}-${29099 + i * 100}`, extraArgs: ['--status-retry-ms', '200'] }));
    }
  });
  afterAll(async () => {
    await reapTaskProcesses(standby.tasks);
    await Promise.all(agents.map((a) => a.kill('SIGKILL')));
    await leader?.kill('SIGKILL');
    await standby?.close();
    await db?.drop();
  });

  it('keeps every healthy instance running through the takeover, and serves changes at once after it', async () => {
    const auth = await bearer(leaderUrl);
    const call = async <T>(base: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method, headers: { authorization: auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}),
      });
      return { status: response.status, body: (await response.json()) as T };
    };
    const healthy = (base: string) => async () => {
      const { body } = await call<{ tasks: MarathonTaskView[] }>(base, 'GET', '/v2/apps/ha/web/tasks');
      const up = body.tasks.filter((t) => t.state === 'TASK_RUNNING' && t.healthCheckResults[0]?.alive);
      return up.length === 2 && up;
    };
    // The standby takes writes too: desired state is in Postgres, any replica may change it.
    expect((await call(standby.url, 'POST', '/v2/apps', {
      id: '/ha/web', cmd: 'exec python3 -m http.server $PORT0 --bind 127.0.0.1', cpus: 0.1, mem: 64, instances: 2,
      healthChecks: [{ protocol: 'MESOS_HTTP', gracePeriodSeconds: 10, intervalSeconds: 1, timeoutSeconds: 2, maxConsecutiveFailures: 3, delaySeconds: 0 }],
    })).status).toBe(201);
    const before = await waitFor('two healthy instances', healthy(leaderUrl), 45_000);
    const pids = await Promise.all(before.map(async (t) => (await standby.tasks.get(t.id))!.pid!));

    await leader.kill('SIGKILL');
    await waitFor('the standby to lead', () => standby.isLeader(), 20_000);
    await waitFor('agents reconnected to the new leader', () => agents.every((a) => /registered with .* \(leader epoch 2\)/.test(a.output())), 20_000);
    const after = await waitFor('still two healthy instances', healthy(standby.url), 20_000);
    expect(after.map((t) => t.id).sort()).toEqual(before.map((t) => t.id).sort());
    for (const pid of pids) expect(alive(pid)).toBe(true);
    for (const task of before) {
      const states = (await standby.tasks.appliedUpdates(task.id)).map((u) => u.state);
      expect(states).not.toContain('TASK_KILLING');
    }
    const { body: leaderInfo } = await call<{ leader: string }>(standby.url, 'GET', '/v2/leader');
    expect(leaderInfo.leader).toBe(new URL(standby.url).host);

    // The new leader places at once.
    expect((await call(standby.url, 'PUT', '/v2/apps/ha/web', { instances: 3 })).status).toBe(200);
    await waitFor('a third instance', async () => {
      const { body } = await call<{ tasks: MarathonTaskView[] }>(standby.url, 'GET', '/v2/apps/ha/web/tasks');
      return body.tasks.filter((t) => t.state === 'TASK_RUNNING').length === 3;
    }, 30_000);
  });
});
