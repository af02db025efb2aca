import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@gantry/api/testing/wait-for';

const cli = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Processes whose command line mentions `home`: everything `gantry up` started there. */
function processesUsing(home: string): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-f', home], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Three free loopback ports (API, console, Postgres), so parallel runs never collide. */
async function freePorts(): Promise<number[]> {
  const servers = [createServer(), createServer(), createServer()];
  await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))));
  const found = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return found;
}

let ports: number[] = [];
const ADMIN_PASSWORD = 'lifecycle-admin-password';

/** Deploys `count` sleeping instances through /v2 and waits until they run; returns their pids' host view. */
async function deploySleepers(id: string, count: number): Promise<void> {
  const base = `http://127.0.0.1:${ports[0]}`;
  const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'admin', password: ADMIN_PASSWORD }) });
  const auth = `Bearer ${((await login.json()) as { token: string }).token}`;
  const created = await fetch(`${base}/v2/apps`, {
    method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' },
    body: JSON.stringify({ id, cmd: 'sleep 600', cpus: 0.1, mem: 32, instances: count, portDefinitions: [] }),
  });
  expect(created.status).toBe(201);
  await waitFor(`${count} instances of ${id} running`, async () => {
    const { tasks } = (await (await fetch(`${base}/v2/apps${id}/tasks`, { headers: { authorization: auth } })).json()) as { tasks: { state: string }[] };
    return tasks.filter((t) => t.state === 'TASK_RUNNING').length === count;
  }, 60_000);
}
beforeAll(async () => {
  ports = await freePorts();
});

function startUp(home: string) {
  const [api, web, postgres] = ports.map(String);
  const env = { ...process.env, GANTRY_HOME: home, GANTRY_API_PORT: api, GANTRY_WEB_PORT: web, GANTRY_PG_PORT: postgres, GANTRY_HEARTBEAT_INTERVAL_MS: '500', GANTRY_ADMIN_PASSWORD: ADMIN_PASSWORD };
  const child = spawn(process.execPath, [cli, 'up'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let done = false;
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => ((done = true), resolve(code))));
  /** Waits for "Gantry is up.", failing at once with its output if it exits first. */
  const ready = () =>
    waitFor('the cluster', () => {
      if (done) throw new Error(`gantry up exited early:\n${output}`);
      return output.includes('Gantry is up.');
    }, 120_000);
  const stop = async () => {
    if (!done) child.kill('SIGINT');
    return exited;
  };
  return { child, exited, ready, stop, output: () => output };
}

/** Ports of this cluster that still accept connections (API, console, Postgres). */
async function portsListening(): Promise<number[]> {
  const open = await Promise.all(ports.map((port) => new Promise<boolean>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  })));
  return ports.filter((_, i) => open[i]);
}

const stoppedEverything = async (home: string) => processesUsing(home).length === 0 && (await portsListening()).length === 0;

const agentIds = (output: string) => [...output.matchAll(/\[agent (local-\w)\] registered with .* as (\S+)/g)].map((m) => `${m[1]}=${m[2]}`).sort();

describe('gantry up', () => {
  it('starts everything, stops everything on Ctrl-C, and finds its data again', { timeout: 300_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'gantry-up-life-'));

    const first = startUp(home);
    let ids: string[];
    try {
      await first.ready();
      expect(first.output()).toContain(`Console   http://localhost:${ports[1]}`);
      ids = agentIds(first.output());
      expect(ids.map((i) => i.split('=')[0])).toEqual(['local-a', 'local-b', 'local-c']);
      expect(processesUsing(home).filter((p) => p.includes('/agents/local-'))).toHaveLength(3);
      expect(await portsListening()).toEqual(ports);
      // Tasks too: stopping the cluster stops what it runs (nothing keeps holding ports).
      await deploySleepers('/lifecycle/sleepers', 3);
      expect(processesUsing(home).filter((p) => p.includes('/sandboxes/')).length).toBeGreaterThanOrEqual(3);
    } finally {
      expect(await first.stop()).toBe(0);
    }
    await waitFor('no process left behind', () => stoppedEverything(home), 20_000);

    const second = startUp(home);
    try {
      await second.ready();
      expect(agentIds(second.output())).toEqual(ids);
    } finally {
      expect(await second.stop()).toBe(0);
    }
    await waitFor('no process left behind', () => stoppedEverything(home), 20_000);
  });

  it('leaves nothing behind but its database even when killed outright, and the next start takes that over', { timeout: 300_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'gantry-up-kill-'));
    const first = startUp(home);
    await first.ready().catch(async (error) => {
      await first.stop();
      throw error;
    });
    first.child.kill('SIGKILL');
    await first.exited;
    // API, console and agents notice their parent is gone (fd 3 closes) and exit.
    await waitFor('only Postgres left', async () => processesUsing(home).every((p) => /postgres/.test(p)) && (await portsListening()).join() === String(ports[2]), 20_000);

    const second = startUp(home);
    try {
      await second.ready();
      expect(second.output()).toMatch(/stopping the Postgres \(pid \d+\) left running by an earlier gantry up/);
    } finally {
      await second.stop();
    }
    await waitFor('no process left behind', () => stoppedEverything(home), 20_000);
  });

  // In this file, not its own: two whole clusters starting at once on two cores starve each other.
  it('restarts an agent killed with SIGKILL, after it has been seen unreachable, with the same identity', { timeout: 300_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'gantry-up-supervise-'));
    const up = startUp(home);
    try {
      await up.ready();
      const registrations = () => [...up.output().matchAll(/\[agent local-a\] registered with .* as (\S+)/g)].map((m) => m[1]);
      const [firstId] = registrations();
      const [pid] = execFileSync('pgrep', ['-f', `${home}/agents/local-a`], { encoding: 'utf8' }).trim().split('\n').map(Number);
      process.kill(pid!, 'SIGKILL');
      await waitFor('the restart notice', () => /agent local-a exited \(code 128\); its node turns UNREACHABLE; restarting it in 10 s/.test(up.output()), 20_000);
      await waitFor('local-a back', () => registrations().length === 2, 60_000);
      expect(registrations()).toEqual([firstId, firstId]);
    } finally {
      await up.stop();
    }
    await waitFor('no process left behind', () => stoppedEverything(home), 20_000);
  });
});
