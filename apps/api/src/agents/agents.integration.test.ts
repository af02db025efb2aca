import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from '@trpc/client';
import type { NodeList, NodeView } from '@gantry/specs';
import { EventSource } from 'eventsource';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi, TEST_AGENT_TOKEN } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent, type AgentProc } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';
import type { AppRouter } from '../trpc/router.js';

/** Real API (in this process), real Postgres, real agent processes. */
describe('agents register, heartbeat and turn unreachable', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let authorization: string;
  const agents: AgentProc[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
    authorization = await bearer(api.url);
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.kill('SIGKILL')));
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  const nodes = async (): Promise<NodeView[]> => ((await (await fetch(`${api.url}/v1/nodes`, { headers: { authorization } })).json()) as NodeList).nodes;
  const node = async (hostname: string) => (await nodes()).find((n) => n.hostname === hostname);

  it('lists a registered agent with its resources and attributes, over REST and tRPC alike', async () => {
    const agent = await startAgent({ hostname: 'node-1', masters: [api.url], attributes: 'zone:b,rack:r7', ports: '31000-31099,32000-32009' });
    agents.push(agent);
    const registered = await waitFor('node-1 ACTIVE', async () => (await node('node-1'))?.state === 'ACTIVE' && node('node-1'));
    expect(registered).toMatchObject({
      hostname: 'node-1',
      address: '127.0.0.1',
      state: 'ACTIVE',
      resources: { cpus: 1, mem: 1024, disk: 2048, ports: [[31000, 31099], [32000, 32009]] },
      used: { cpus: 0, mem: 0, disk: 0, ports: [] },
      attributes: { zone: 'b', rack: 'r7' },
    });
    const trpc = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${api.url}/trpc`, headers: { authorization } })] });
    expect((await trpc.nodes.list.query()).nodes).toEqual(await nodes());
  });

  it('keeps heartbeats flowing: lastHeartbeatAt advances while the agent lives', async () => {
    const agent = await startAgent({ hostname: 'node-2', masters: [api.url] });
    agents.push(agent);
    const first = await waitFor('node-2', () => node('node-2'));
    await waitFor('a later heartbeat', async () => (await node('node-2'))!.lastHeartbeatAt > first.lastHeartbeatAt);
    expect((await node('node-2'))!.state).toBe('ACTIVE');
  });

  it('marks a killed agent UNREACHABLE, announces it on the event stream, and takes it back with the same id', async () => {
    const agent = await startAgent({ hostname: 'node-3', masters: [api.url] });
    agents.push(agent);
    const before = await waitFor('node-3 ACTIVE', async () => (await node('node-3'))?.state === 'ACTIVE' && node('node-3'));

    const events: unknown[] = [];
    const trpc = createTRPCClient<AppRouter>({
      links: [splitLink({ condition: (op) => op.type === 'subscription', true: httpSubscriptionLink({
          url: `${api.url}/trpc`, EventSource,
          eventSourceOptions: { fetch: (input, init) => fetch(input, { ...init, headers: { ...init.headers, authorization } }) },
        }),
        false: httpBatchLink({ url: `${api.url}/trpc`, headers: { authorization } }),
      })],
    });
    const subscription = trpc.nodes.changes.subscribe(undefined, { onData: (e) => events.push(e) });
    try {
      await agent.kill('SIGKILL');
      await waitFor('node-3 UNREACHABLE', async () => (await node('node-3'))?.state === 'UNREACHABLE');
      await waitFor('the UNREACHABLE event', () => events.some((e) => JSON.stringify(e) === JSON.stringify({ type: 'node', nodeId: before.id, state: 'UNREACHABLE' })));

      const again = await startAgent({ hostname: 'node-3', masters: [api.url], workDir: agent.workDir });
      agents.push(again);
      const back = await waitFor('node-3 ACTIVE again', async () => (await node('node-3'))?.state === 'ACTIVE' && node('node-3'));
      expect(back.id).toBe(before.id);
      expect(back.registeredAt).toBe(before.registeredAt);
      expect((await nodes()).filter((n) => n.hostname === 'node-3')).toHaveLength(1);
    } finally {
      subscription.unsubscribe();
    }
  });

  it('closes a connection that sends an invalid message, naming the field', async () => {
    const ws = new WebSocket(`${api.url.replace('http', 'ws')}/agent/v1`, { headers: { authorization: `Bearer ${TEST_AGENT_TOKEN}` } });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'register', id: 'x', protocolVersion: 1, agentId: null, hostname: 'bad host', address: '127.0.0.1', resources: { cpus: 1, mem: 1, disk: 0, ports: [] }, attributes: {}, agentVersion: '1' }));
    const [code, reason] = await new Promise<[number, string]>((resolve) => ws.once('close', (c, r) => resolve([c, r.toString()])));
    expect(code).toBe(4003);
    expect(reason).toMatch(/^invalid message: \/hostname: hostname must be a DNS name/);
  });

  it('answers unknown endpoints with a JSON 404 and wrong methods with 405', async () => {
    const missing = await fetch(`${api.url}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'no such endpoint: /v1/nope' });
    const wrongMethod = await fetch(`${api.url}/v1/nodes`, { method: 'DELETE', headers: { authorization } });
    expect(wrongMethod.status).toBe(405);
  });
});

describe('an agent pointed at something that is not Gantry', () => {
  it('stops with one clear line and a non-zero exit', async () => {
    const { createServer } = await import('node:http');
    const other = createServer((_req, res) => res.writeHead(404).end('not here'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as { port: number }).port;
    try {
      const agent = await startAgent({ hostname: 'lost', masters: [`http://127.0.0.1:${port}`] });
      expect(await agent.exited).toBe(1);
      expect(agent.output().trim()).toMatch(/gantry agent: http:\/\/127\.0\.0\.1:\d+ answered HTTP 404 instead of the agent protocol: it is not a Gantry API server \(check --master\)$/);
    } finally {
      other.close();
    }
  });

  it('rejects a master URL that is not a URL before connecting anywhere', async () => {
    const agent = await startAgent({ hostname: 'lost', masters: ['localhost:8080'] });
    expect(await agent.exited).toBe(1);
    expect(agent.output()).toContain('--master "localhost:8080" must be an http:// or https:// URL');
  });
});

