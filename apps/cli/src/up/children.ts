import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * The processes `gantry up` starts. Each gets fd 3, a pipe from this process: if
 * `gantry up` dies however it dies (even SIGKILL), the pipe closes and the child exits
 * on its own (GANTRY_PARENT_PIPE=3), so nothing is left behind as an orphan.
 */
export interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  /** The last lines it printed, for error reports. */
  tail: () => string[];
  stop: (graceMs?: number) => Promise<void>;
}

export function startChild(name: string, command: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; echo: (line: string) => void }): Child {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...options.env, GANTRY_PARENT_PIPE: '3' },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 40) lines.shift();
      options.echo(`[${name}] ${line}`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return {
    name,
    process: child,
    exited,
    tail: () => [...lines],
    stop: async (graceMs = 5000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
