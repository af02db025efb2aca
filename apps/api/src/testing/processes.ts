import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_AGENT_TOKEN } from './api.js';
import { waitFor } from './wait-for.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const agentMain = join(root, 'apps/agent/dist/main.js');
export const apiMain = join(root, 'apps/api/dist/main.js');

/** A real child process with its output captured, for tests. */
export interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** `prefix` runs node under another program (e.g. `unshare -m …`), which must exec it in the same process. */
export function run(script: string, args: string[], env: NodeJS.ProcessEnv = {}, prefix: string[] = []): Proc {
  const [command, ...before] = [...prefix, process.execPath];
  const child = spawn(command!, [...before, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    kill: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface AgentProc extends Proc {
  workDir: string;
}

export async function startAgent(options: {
  hostname: string; masters: string[]; workDir?: string; attributes?: string; ports?: string; token?: string; extraArgs?: string[];
  /** Runs the agent under this command line (see `run`). */
  prefix?: string[];
}): Promise<AgentProc> {
  const workDir = options.workDir ?? (await mkdtemp(join(tmpdir(), `gantry-agent-${options.hostname}-`)));
  const args = [
    ...options.masters.flatMap((m) => ['--master', m]),
    '--hostname', options.hostname, '--work-dir', workDir,
    '--cpus', '1', '--mem', '1024', '--disk', '2048', '--ports', options.ports ?? '31000-31099',
    '--attributes', options.attributes ?? 'zone:a',
    ...(options.extraArgs ?? []),
  ];
  return { ...run(agentMain, args, { GANTRY_AGENT_TOKEN: options.token ?? TEST_AGENT_TOKEN }, options.prefix), workDir };
}

/** Waits for a line in a process's output. */
export function waitForOutput(proc: Proc, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return waitFor(`output matching ${pattern}`, () => proc.output().match(pattern) ?? undefined, timeoutMs);
}
