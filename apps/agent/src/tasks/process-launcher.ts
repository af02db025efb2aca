import { spawn, type ChildProcess } from 'node:child_process';

/**
 * The first process of every task is this small `/bin/sh` wrapper. It joins the task's
 * cgroups *before* running anything of the task (no window in which a fast memory
 * hog runs unlimited), then runs the task and records its exit status in a file, so
 * that an agent restarted in between (no longer the parent, so no wait(2)) still
 * learns how the task ended. Its pid is the task's pid; it leads the task's session
 * and process group.
 */
const WRAPPER = [
  // A kill sends SIGTERM to the whole process group, this wrapper included. Were it to
  // die at once, the agent would take the task for ended and SIGKILL what is left,
  // cutting the grace period to nothing. A handler (not an ignore, which "$@" would
  // inherit) keeps it waiting for the task, which gets SIGTERM with default handling.
  "trap ':' TERM",
  'exit_file=$1; shift',
  'for f in $GANTRY_CGROUP_PROCS; do echo $$ > "$f" || { echo "gantry: cannot join cgroup $f" >&2; exit 125; }; done',
  'unset GANTRY_CGROUP_PROCS',
  '"$@"',
  's=$?',
  'echo "$s" > "$exit_file"',
  'exit "$s"',
].join('\n');

export interface ProcessSpec {
  /** argv of the task: `['/bin/sh','-c',cmd]` or the exec'd args. */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  uid: number | null;
  gid: number | null;
  stdout: number;
  stderr: number;
  cgroupProcs: string[];
  exitFile: string;
}

/**
 * Starts the task. `detached` makes it a session leader (setsid): its own session and
 * process group, no controlling terminal, untouched by signals sent to the agent's
 * group, and still running when the agent is killed. stdout/stderr are files the
 * task holds itself. Resolves once the kernel has the process (or rejects).
 */
export interface LaunchedProcess {
  child: ChildProcess;
  /** Settles when the process ends; listened to from the start, so a fast exit is never missed. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function launchProcess(spec: ProcessSpec): Promise<LaunchedProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', WRAPPER, 'gantry-task', spec.exitFile, ...spec.argv], {
      cwd: spec.cwd,
      env: { ...spec.env, GANTRY_CGROUP_PROCS: spec.cgroupProcs.join(' ') },
      detached: true,
      stdio: ['ignore', spec.stdout, spec.stderr],
      ...(spec.uid !== null ? { uid: spec.uid, gid: spec.gid ?? spec.uid } : {}),
    });
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
    child.once('error', reject);
    child.once('spawn', () => {
      child.off('error', reject);
      child.unref();
      resolve({ child, exit });
    });
  });
}
