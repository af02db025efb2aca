/**
 * The built-in redis and nginx packages' rendered commands, run for real in a sandbox as
 * their tasks would run (skipped where the host lacks the program, which is exactly what
 * `gantry.requires` tells the user to install). Redis keeps a key across a kill -9 and a
 * relaunch on the same volume (its append-only file); nginx serves the page it was given.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderPackage } from './render.js';
import { findPackage, readRepository } from './repository.js';
import { BUILTIN_DIR, readTree } from './testing/read-tree.js';

const has = (program: string) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const { index } = readRepository('builtin', readTree(BUILTIN_DIR));
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function sandbox(): string {
  const d = mkdtempSync(join(tmpdir(), 'gantry-pkg-sandbox-'));
  dirs.push(d);
  return d;
}

async function until(check: () => boolean | Promise<boolean>, tries = 200): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((res) => setTimeout(res, 50));
  }
  return false;
}

describe.skipIf(!has('redis-server') || !has('redis-cli'))('redis, run for real', () => {
  it('is ready by its readiness check and keeps a key across a kill -9 and relaunch (AOF on the volume)', async () => {
    const r = renderPackage(findPackage(index, 'redis')!, { redis: { appendfsync: 'always', password: 'pw' } }, {});
    if (!r.ok || r.kind !== 'stateful') throw new Error(JSON.stringify(r));
    const task = r.definition.pods[0]!.tasks[0]!;
    const dir = sandbox();
    mkdirSync(join(dir, r.definition.pods[0]!.volumes[0]!.path));
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...task.env, PORT_REDIS: String(await freePort()) };
    const run = () => {
      const c = spawn('/bin/sh', ['-c', task.cmd], { cwd: dir, env, stdio: 'ignore' });
      children.push(c);
      return c;
    };
    const ready = () => until(() => spawnSync('/bin/sh', ['-c', task.readinessCheck!.cmd], { cwd: dir, env }).status === 0);
    const cli = (...args: string[]) => execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', env.PORT_REDIS, ...args], { env }).toString().trim();

    const first = run();
    expect(await ready()).toBe(true);
    expect(cli('SET', 'greeting', 'kept')).toBe('OK');
    first.kill('SIGKILL');
    await new Promise((res) => first.once('exit', res));
    run();
    expect(await ready()).toBe(true);
    expect(cli('GET', 'greeting')).toBe('kept');
    expect(execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', env.PORT_REDIS, '--no-auth-warning', 'GET', 'greeting'], { env: { PATH: env.PATH } }).toString()).toMatch(/NOAUTH/);
  }, 30_000);
});

describe.skipIf(!has('nginx'))('nginx, run for real', () => {
  it('serves the page it was given on its port', async () => {
    const r = renderPackage(findPackage(index, 'nginx')!, { nginx: { index: '<h1>"Hi" from Gantry</h1>' } }, {});
    if (!r.ok || r.kind !== 'marathon') throw new Error(JSON.stringify(r));
    const dir = sandbox();
    const port = await freePort();
    const c = spawn('/bin/sh', ['-c', r.app.cmd!], { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin:/usr/sbin', ...r.app.env, PORT0: String(port) }, stdio: 'ignore' });
    children.push(c);
    let body = '';
    await until(async () => {
      body = await fetch(`http://127.0.0.1:${port}/`).then((x) => x.text()).catch(() => '');
      return body !== '';
    });
    expect(body).toBe('<h1>"Hi" from Gantry</h1>\n');
  }, 30_000);
});
