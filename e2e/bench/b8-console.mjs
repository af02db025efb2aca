#!/usr/bin/env node
// Benchmark B8 (shared/design/BENCHMARKS.md): the console at scale. 5,000 agents,
// 1,000 apps and 50,000 tasks seeded into Postgres (scripts/seed-b8.mjs); Debian's
// Chromium with 4× CPU throttling (CDP Emulation.setCPUThrottlingRate), as a
// mid-range laptop sees it. Targets: LCP ≤ 1.5 s, INP ≤ 100 ms, memory flat while
// scrolling. One JSON line per result on stdout.
//
//   npm run bench -- b8 [--runs=5] [--throttle=4] [--agents=5000 --apps=1000 --tasks=50000] [--log]
import { chromium } from '@playwright/test';
import { startWorld } from './b8-world.mjs';

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? 'true']));
const RUNS = Number(args.runs ?? 5);
const THROTTLE = Number(args.throttle ?? 4);
const seed = { agents: Number(args.agents ?? 5000), apps: Number(args.apps ?? 1000), tasks: Number(args.tasks ?? 50000) };

const out = (name, params, value, unit, extra = {}) =>
  console.log(JSON.stringify({ bench: 'b8', params: { ...seed, throttle: THROTTLE, name, ...params }, value: Math.round(value * 10) / 10, unit, ...extra }));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

// Records LCP and every interaction's Event Timing entry from the first paint on (runs in the page).
/* global PerformanceObserver */
const OBSERVE = () => {
  window.__b8 = { lcp: 0, events: [] };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__b8.lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.interactionId) window.__b8.events.push({ id: e.interactionId, name: e.name, duration: e.duration });
  }).observe({ type: 'event', buffered: true, durationThreshold: 16 });
};

/** INP as Chromium computes it for few interactions: the longest one (each interaction's longest event). */
function inp(events) {
  const byInteraction = new Map();
  for (const e of events) byInteraction.set(e.id, Math.max(byInteraction.get(e.id) ?? 0, e.duration));
  const all = [...byInteraction.values()].sort((a, b) => b - a);
  return { inp: all[0] ?? 0, count: all.length };
}

const world = await startWorld({ ...seed, log: args.log === 'true' });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.addInitScript(OBSERVE);
  const login = await context.newPage();
  await login.goto(`${world.consoleUrl}/login`);
  await login.getByLabel('User').fill('admin');
  await login.getByLabel('Password').fill(world.adminPassword);
  await login.getByRole('button', { name: 'Sign in' }).click();
  await login.waitForURL((u) => !u.pathname.startsWith('/login'));
  await login.close();

  const throttled = async () => {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: THROTTLE });
    return { page, cdp };
  };
  const settle = (page) => page.waitForLoadState('networkidle').catch(() => undefined).then(() => page.waitForTimeout(500));

  // ── LCP: cold loads of each page (a new tab, the session cookie kept) ──
  const pages = [['dashboard', '/'], ['services', '/services'], ['services group', '/services?group=%2Fteam-03%2Fapi'], ['tasks', '/tasks'], ['nodes', '/nodes'],
    ['service detail', '/services/app/team-03/api/svc-0263']];
  for (const [label, path] of pages) {
    const lcps = [];
    for (let i = 0; i < RUNS; i++) {
      const { page } = await throttled();
      await page.goto(`${world.consoleUrl}${path}`, { waitUntil: 'load' });
      await settle(page);
      lcps.push(await page.evaluate(() => window.__b8.lcp));
      await page.close();
    }
    out('lcp', { page: path, label, runs: RUNS, worst: Math.round(Math.max(...lcps)) }, median(lcps), 'ms', { ratio: median(lcps) / 1500 });
  }

  // ── INP: the interactions people make on the big lists ──
  const interactions = [
    ['/services', 'sort, search, filter and open a group', async (page) => {
      await page.getByRole('button', { name: /^CPU/ }).click();
      await page.waitForTimeout(400);
      await page.getByRole('button', { name: /^Memory/ }).click();
      await page.waitForTimeout(400);
      await page.getByLabel('Search services').pressSequentially('svc-02', { delay: 60 });
      await page.waitForTimeout(600);
      await page.getByLabel('Search services').fill('');
      await page.waitForTimeout(600);
      await page.getByRole('link', { name: /team-05/ }).first().click();
      await page.waitForTimeout(600);
    }],
    ['/tasks', 'sort, search and keyboard through 50,000 tasks', async (page) => {
      await page.getByRole('button', { name: /^Host/ }).click();
      await page.waitForTimeout(500);
      await page.getByRole('rowgroup', { name: /Tasks: use the arrow keys/ }).focus();
      for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('PageDown');
      await page.keyboard.press('End');
      await page.waitForTimeout(600);
      await page.getByLabel('Search tasks').pressSequentially('team-07', { delay: 60 });
      await page.waitForTimeout(600);
    }],
    ['/nodes', 'sort by tasks, switch to the grid and back', async (page) => {
      await page.getByRole('button', { name: /^Tasks/ }).click();
      await page.waitForTimeout(500);
      await page.getByText('Grid', { exact: true }).click();
      await page.waitForTimeout(600);
      await page.getByText('List', { exact: true }).click();
      await page.waitForTimeout(600);
    }],
    ['/services/app/team-03/api/svc-0263', 'switch between the service’s tabs', async (page) => {
      for (const name of ['Configuration', 'Versions', 'Deployments', 'Debug', 'Tasks']) {
        await page.getByRole('navigation', { name: 'Service sections' }).getByRole('link', { name, exact: true }).click();
        await page.waitForTimeout(500);
      }
    }],
  ];
  for (const [path, what, act] of interactions) {
    const results = [];
    for (let i = 0; i < Math.max(1, Math.ceil(RUNS / 2)); i++) {
      const { page } = await throttled();
      await page.goto(`${world.consoleUrl}${path}`);
      await settle(page);
      await act(page);
      await settle(page);
      results.push(inp(await page.evaluate(() => window.__b8.events)));
      await page.close();
    }
    out('inp', { page: path, interactions: what, count: results[0].count, worst: Math.round(Math.max(...results.map((r) => r.inp))) }, median(results.map((r) => r.inp)), 'ms', { ratio: median(results.map((r) => r.inp)) / 100 });
  }

  // ── memory while scrolling 50,000 tasks (garbage collected before each reading) ──
  {
    const { page, cdp } = await throttled();
    await page.goto(`${world.consoleUrl}/tasks`);
    await settle(page);
    const heap = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const { nodes } = await cdp.send('Memory.getDOMCounters');
      return { mib: usedSize / 2 ** 20, nodes };
    };
    const before = await heap();
    const readings = [];
    const body = page.getByRole('rowgroup', { name: /Tasks: use the arrow keys/ });
    const rowsToScroll = Number(args.scroll ?? 20_000);
    for (let scrolled = 0; scrolled < rowsToScroll; scrolled += 400) {
      await body.evaluate((el, px) => el.scrollBy(0, px), 400 * 40);
      await page.waitForTimeout(120);
      if (scrolled % 4000 === 0) readings.push(await heap());
    }
    await page.waitForTimeout(20_000); // past the pages' gcTime: what scrolled by is dropped
    const after = await heap();
    out('memory', { page: '/tasks', rowsScrolled: rowsToScroll, before: Math.round(before.mib * 10) / 10, peak: Math.round(Math.max(...readings.map((r) => r.mib)) * 10) / 10 }, after.mib, 'MiB', { ratio: after.mib / before.mib });
    out('dom-nodes', { page: '/tasks', rowsScrolled: rowsToScroll, before: before.nodes, peak: Math.max(...readings.map((r) => r.nodes)) }, after.nodes, 'nodes', { ratio: after.nodes / before.nodes });
    await page.close();
  }
} finally {
  await browser.close();
  await world.stop();
}
