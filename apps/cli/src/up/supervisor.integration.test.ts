import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '@gantry/api/testing/wait-for';

const cli = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

describe('gantry up supervises its agents', () => {
  it('restarts an agent killed with SIGKILL, after it has been seen unreachable, with the same identity', { timeout: 300_000 }, async () => {
    const home = await mkdtemp(join(tmpdir(), 'gantry-up-supervise-'));
    const env = { ...process.env, GANTRY_HOME: home, GANTRY_API_PORT: '18973', GANTRY_WEB_PORT: '13973', GANTRY_PG_PORT: '25973', GANTRY_HEARTBEAT_INTERVAL_MS: '500' };
    const child = spawn(process.execPath, [cli, 'up'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await waitFor('the cluster', () => output.includes('Gantry is up.'), 120_000);
      const registrations = () => [...output.matchAll(/\[agent local-a\] registered with .* as (\S+)/g)].map((m) => m[1]);
      const [firstId] = registrations();
      const [pid] = execFileSync('pgrep', ['-f', `${home}/agents/local-a`], { encoding: 'utf8' }).trim().split('\n').map(Number);
      process.kill(pid!, 'SIGKILL');
      await waitFor('the restart notice', () => /agent local-a exited \(code 128\); its node turns UNREACHABLE; restarting it in 10 s/.test(output), 20_000);
      await waitFor('local-a back', () => registrations().length === 2, 60_000);
      expect(registrations()).toEqual([firstId, firstId]);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });
});
