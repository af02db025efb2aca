import type { Health, NodeList } from '@gantry/specs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRepository } from '../agents/repository.js';
import { createDb } from '../db/prisma.js';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi, TEST_AGENT_TOKEN } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { run, apiMain, startAgent, waitForOutput, type AgentProc } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';
import { DeposedError } from './elector.js';

const health = async (api: RunningApi): Promise<Health> => (await fetch(`${api.url}/health`)).json() as Promise<Health>;
const nodes = async (api: RunningApi) =>
  ((await (await fetch(`${api.url}/v1/nodes`, { headers: { authorization: await bearer(api.url) } })).json()) as NodeList).nodes;

describe('a highly available master', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('elects one leader; a standby redirects agents to it; the standby takes over with a higher epoch when the leader dies', async () => {
    const first = await startTestApi(db.url, { replicaName: 'first' });
    await waitFor('first to lead', () => first.isLeader());
    const second = await startTestApi(db.url, { replicaName: 'second' });
    let agent: AgentProc | undefined;
    try {
      const [h1, h2] = [await health(first), await health(second)];
      expect(h1).toMatchObject({ status: 'ok', leader: true, database: 'reachable' });
      expect(h2).toMatchObject({ status: 'ok', leader: false, epoch: null, database: 'reachable' });

      // The agent knows only the standby (listed first) and the leader.
      agent = await startAgent({ hostname: 'ha-1', masters: [second.url, first.url] });
      await waitForOutput(agent, new RegExp(`registered with ${first.url.replace(/[.]/g, '\\.')} as `));
      expect(agent.output()).toContain(`${second.url} is a standby; the leader is ${first.url}`);

      await first.close();
      const promoted = await waitFor('the standby to lead', async () => (await health(second)).leader && health(second));
      expect(promoted.epoch).toBe(h1.epoch! + 1);
      await waitForOutput(agent, new RegExp(`registered with ${second.url.replace(/[.]/g, '\\.')} as .* \\(leader epoch ${promoted.epoch}\\)`));
      const [n] = await nodes(second);
      expect(n).toMatchObject({ hostname: 'ha-1', state: 'ACTIVE' });
    } finally {
      await agent?.kill('SIGKILL');
      await first.close().catch(() => undefined);
      await second.close();
    }
  });

  it('keeps agents retrying while the API is down, and loses nothing', async () => {
    let api = await startTestApi(db.url, { replicaName: 'only' });
    const port = Number(new URL(api.url).port);
    const agent = await startAgent({ hostname: 'patient', masters: [api.url] });
    try {
      await waitFor('registration', async () => (await nodes(api)).some((n) => n.hostname === 'patient' && n.state === 'ACTIVE'));
      const before = (await nodes(api)).find((n) => n.hostname === 'patient')!;
      await api.close();
      await waitForOutput(agent, /disconnected from master .*; retrying in \d+ ms/);
      await waitForOutput(agent, /connection refused\); retrying/);

      api = await startTestApi(db.url, { replicaName: 'only', port });
      await waitFor('re-registration', () => agent.output().match(/registered with/g)?.length === 2);
      const after = (await nodes(api)).find((n) => n.hostname === 'patient')!;
      expect(after).toMatchObject({ id: before.id, registeredAt: before.registeredAt, state: 'ACTIVE' });
    } finally {
      await agent.kill('SIGKILL');
      await api.close();
    }
  });

  it('fences a deposed leader: its late writes fail and change nothing', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ epoch: number }>('SELECT epoch FROM leadership WHERE id = 1');
    const current = rows[0]!.epoch;
    await client.end();
    const prisma = createDb(db.url);
    const agents = new AgentRepository(prisma);
    try {
      const write = agents.register(current - 1, {
        id: 'ghost-agent-0001', hostname: 'ghost', address: '127.0.0.1', resources: { cpus: 1, mem: 1, disk: 0, ports: [] },
        attributes: {}, agentVersion: 'x',
      }, new Date());
      await expect(write).rejects.toBeInstanceOf(DeposedError);
      expect(await agents.list()).not.toContainEqual(expect.objectContaining({ hostname: 'ghost' }));
    } finally {
      await prisma.$disconnect();
    }
  });

  it('stops with one clear line when its port is taken', async () => {
    const holder = await startTestApi(db.url, { replicaName: 'holder' });
    try {
      const port = new URL(holder.url).port;
      const second = run(apiMain, [], { DATABASE_URL: db.url, GANTRY_API_PORT: port, GANTRY_AGENT_TOKEN: TEST_AGENT_TOKEN });
      expect(await second.exited).toBe(1);
      expect(second.output().trim().split('\n').at(-1)).toBe(
        `gantry api: port ${port} on 127.0.0.1 is already in use — stop what holds it or set GANTRY_API_PORT`,
      );
    } finally {
      await holder.close();
    }
  });

  it('stops with one clear line when Postgres cannot be reached', async () => {
    const api = run(apiMain, [], { DATABASE_URL: 'postgresql://gantry:x@127.0.0.1:1/gantry', GANTRY_API_PORT: '0', GANTRY_AGENT_TOKEN: TEST_AGENT_TOKEN });
    expect(await api.exited).toBe(1);
    expect(api.output().trim()).toBe('gantry api: cannot reach Postgres at DATABASE_URL (connection refused) — start it or fix the URL');
  });
});
