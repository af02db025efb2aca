import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Runs the real `gantry up` and returns its exit code and output. */
function gantryUp(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'up'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('exit', (code) => resolve({ code, output: output.trim() }));
  });
}

async function holdPort(): Promise<{ port: number; release: () => void }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, release: () => server.close() };
}

describe('gantry up refuses bad setups with one clear line', () => {
  it('when the API port is taken', async () => {
    const held = await holdPort();
    try {
      const home = await mkdtemp(join(tmpdir(), 'gantry-up-'));
      const result = await gantryUp({ GANTRY_HOME: home, GANTRY_API_PORT: String(held.port) });
      expect(result).toEqual({
        code: 1,
        output: `gantry: port ${held.port} (API) is already in use — stop what holds it or set GANTRY_API_PORT to a free port`,
      });
    } finally {
      held.release();
    }
  });

  it('when the console port is taken', async () => {
    const held = await holdPort();
    try {
      const home = await mkdtemp(join(tmpdir(), 'gantry-up-'));
      const result = await gantryUp({ GANTRY_HOME: home, GANTRY_API_PORT: '18999', GANTRY_WEB_PORT: String(held.port) });
      expect(result.code).toBe(1);
      expect(result.output).toBe(`gantry: port ${held.port} (console) is already in use — stop what holds it or set GANTRY_WEB_PORT to a free port`);
    } finally {
      held.release();
    }
  });

  it('when GANTRY_HOME is not a directory', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'gantry-up-')), 'a-file');
    await writeFile(file, 'not a directory');
    const result = await gantryUp({ GANTRY_HOME: file });
    expect(result).toEqual({ code: 1, output: `gantry: GANTRY_HOME ${file} is not a usable directory (EEXIST) — point GANTRY_HOME at a writable directory` });
  });

  it('when the Postgres data directory is unusable', async () => {
    const home = await mkdtemp(join(tmpdir(), 'gantry-up-'));
    const data = join(home, 'postgres', 'data');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'PG_VERSION'), '9\n'); // someone else's, older cluster
    const result = await gantryUp({ GANTRY_HOME: home, GANTRY_API_PORT: '18998', GANTRY_WEB_PORT: '13998', GANTRY_PG_PORT: '25998' });
    expect(result.code).toBe(1);
    expect(result.output.split('\n')).toHaveLength(1);
    expect(result.output).toMatch(new RegExp(`^gantry: .*${data.replace(/[/.]/g, '\\$&')}.* — .+`));
  });
});
