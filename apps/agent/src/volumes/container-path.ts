import { isAbsolute, normalize, sep } from 'node:path';

export type ContainerPath = { ok: true; relative: string } | { ok: false; error: string };

/**
 * Where a volume appears inside the sandbox. Mesos (no container image) takes a
 * relative `containerPath` under the sandbox; we refuse anything that would land
 * outside it — absolute paths, `..` climbing out, the sandbox root itself — so a task
 * spec can never make the agent link or write outside the task's own directory.
 */
export function containerPath(path: string): ContainerPath {
  if (path.includes('\0')) return { ok: false, error: 'containerPath contains a NUL byte' };
  if (isAbsolute(path)) return { ok: false, error: `containerPath "${path}" must be relative to the sandbox (e.g. "data")` };
  const relative = normalize(path).replace(/\/+$/, '');
  if (relative === '.' || relative === '' ) return { ok: false, error: `containerPath "${path}" is the sandbox itself; name a directory inside it` };
  if (relative === '..' || relative.startsWith(`..${sep}`)) return { ok: false, error: `containerPath "${path}" escapes the sandbox` };
  if (relative.split(sep)[0] === '.gantry') return { ok: false, error: `containerPath "${path}" is reserved for the agent` };
  return { ok: true, relative };
}
