import { describe, expect, it } from 'vitest';
import type { AppSummaryRow, DeploymentRow, TaskCountRow } from './console-repository.js';
import { appRows, servicePage, type ServiceQuery } from './service-index.js';

const at = new Date('2025-01-01T00:00:00Z');
const app = (id: string, over: Partial<AppSummaryRow> = {}): AppSummaryRow => ({
  id, instances: 2, cpus: 0.5, mem: 128, disk: 0, cmd: 'sleep 1000', labels: {}, healthChecks: 1, constraints: 0,
  version: at, lastConfigChangeAt: at, lastScalingAt: at, ...over,
});
const running = (appId: string, count: number, healthy: boolean | null = true): TaskCountRow => ({ appId, state: 'TASK_RUNNING', healthy, count });
const deployment = (apps: string[]): DeploymentRow => ({
  id: `d-${apps.join('+')}`, version: at, status: 'ACTIVE', affectedApps: apps, steps: [], currentStep: 0, createdAt: at, finishedAt: null,
});
const query = (over: Partial<ServiceQuery> = {}): ServiceQuery => ({ group: '/', sort: 'name', dir: 'asc', offset: 0, limit: 100, ...over });

describe('appRows: each app’s status and health', () => {
  const now = at.getTime();
  it.each([
    ['running and healthy', [running('/a', 2)], [], [], 'running', 'healthy'],
    ['a task failing its check', [running('/a', 1), running('/a', 1, false)], [], [], 'running', 'unhealthy'],
    ['no verdict yet for one instance', [running('/a', 1), running('/a', 1, null)], [], [], 'running', 'unknown'],
    ['in a deployment', [running('/a', 1)], [deployment(['/a'])], [], 'deploying', 'unknown'],
    ['offers refused', [], [deployment(['/a'])], [{ appId: '/a', count: 2, delayedUntil: null, rejected: true }], 'waiting', 'none'],
    ['held back by the backoff', [], [deployment(['/a'])], [{ appId: '/a', count: 2, delayedUntil: now + 5000, rejected: true }], 'delayed', 'none'],
    ['a backoff that has run out', [], [deployment(['/a'])], [{ appId: '/a', count: 2, delayedUntil: now - 1, rejected: false }], 'deploying', 'none'],
  ] as const)('%s', (_, counts, deployments, queue, status, health) => {
    const [row] = appRows([app('/a')], counts, deployments, queue, now);
    expect(row).toMatchObject({ status, health });
  });

  it('calls an app scaled to 0 with nothing left running suspended, and sums what it asks of the cluster', () => {
    const [suspended, web] = appRows([app('/off', { instances: 0 }), app('/web', { instances: 3, cpus: 0.1, mem: 64 })], [running('/web', 3)], [], [], now);
    expect(suspended).toMatchObject({ status: 'suspended', health: 'none', cpus: 0, mem: 0 });
    expect(web).toMatchObject({ status: 'running', running: 3, healthy: 3, cpus: 0.3, mem: 192 });
  });
});

describe('servicePage: the tree, search and paging', () => {
  const rows = appRows(
    [app('/team-a/web'), app('/team-a/db/pg', { instances: 1 }), app('/team-b/api', { cmd: 'python3 -m http.server', labels: { tier: 'edge' } }), app('/solo')],
    [running('/team-a/web', 2), running('/team-a/db/pg', 1, false), running('/team-b/api', 2)], [], [], at.getTime(),
  );

  it('lists a level’s groups first, each with the sums and the worst health of its apps', () => {
    const page = servicePage(rows, [], query());
    expect(page.rows.map((r) => [r.kind, r.id])).toEqual([['group', '/team-a'], ['group', '/team-b'], ['app', '/solo']]);
    expect(page.rows[0]).toMatchObject({ apps: 2, instances: 3, running: 3, health: 'unhealthy', cpus: 1.5 });
    const inside = servicePage(rows, [], query({ group: '/team-a' }));
    expect(inside.rows.map((r) => r.id)).toEqual(['/team-a/db', '/team-a/web']);
  });

  it('searches ids, commands and labels at every depth, flat', () => {
    expect(servicePage(rows, [], query({ search: 'http.server' })).rows.map((r) => r.name)).toEqual(['/team-b/api']);
    expect(servicePage(rows, [], query({ search: 'TIER:EDGE' })).rows.map((r) => r.id)).toEqual(['/team-b/api']);
    expect(servicePage(rows, [], query({ health: 'unhealthy' })).rows.map((r) => r.id)).toEqual(['/team-a/db/pg']);
  });

  it('keeps empty explicit groups, and says when a group holds nothing visible', () => {
    expect(servicePage(rows, ['/team-c'], query()).rows.map((r) => r.id)).toContain('/team-c');
    expect(servicePage(rows, [], query({ group: '/nope' })).exists).toBe(false);
    expect(servicePage(rows, [], query({ group: '/team-ab' })).exists).toBe(false); // segment-bounded, not a prefix
  });

  it('pages a stable order', () => {
    const many = appRows(Array.from({ length: 250 }, (_, i) => app(`/g/app-${String(i).padStart(3, '0')}`)), [], [], [], at.getTime());
    const first = servicePage(many, [], query({ group: '/g', limit: 100 }));
    const third = servicePage(many, [], query({ group: '/g', offset: 200, limit: 100 }));
    expect(first.total).toBe(250);
    expect(first.rows[0]!.id).toBe('/g/app-000');
    expect(third.rows.map((r) => r.id)).toHaveLength(50);
    const desc = servicePage(many, [], query({ group: '/g', sort: 'name', dir: 'desc', limit: 1 }));
    expect(desc.rows[0]!.id).toBe('/g/app-249');
  });
});
