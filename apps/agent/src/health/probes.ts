import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export interface ProbeResult {
  ok: boolean;
  detail: string;
  status?: number;
}

/**
 * One HTTP GET against the task on this host. Mesos' HTTP check passes on 2xx and 3xx
 * (and so on any status when used for readiness, where the caller judges the code).
 */
export function httpProbe(protocol: 'http' | 'https', port: number, path: string, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = (protocol === 'https' ? httpsRequest : request)(
      { host: '127.0.0.1', port, path, method: 'GET', timeout: timeoutMs, rejectUnauthorized: false, agent: false },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve({ ok: status >= 200 && status < 400, status, detail: `HTTP ${status} from ${protocol}://127.0.0.1:${port}${path}` });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ok: false, detail: `${protocol}://127.0.0.1:${port}${path}: ${error.code ?? error.message}` }));
    req.end();
  });
}

/** Mesos' TCP check: the port accepts a connection within the timeout. */
export function tcpProbe(port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, detail: `tcp 127.0.0.1:${port}: no connection within ${timeoutMs} ms` }));
    socket.on('connect', () => done({ ok: true, detail: `tcp 127.0.0.1:${port} accepted` }));
    socket.on('error', (error: NodeJS.ErrnoException) => done({ ok: false, detail: `tcp 127.0.0.1:${port}: ${error.code ?? error.message}` }));
  });
}

/** Marathon's COMMAND check: `sh -c` in the task's sandbox and environment; exit 0 passes. */
export function commandProbe(command: string, cwd: string, env: Record<string, string>, uid: number | null, gid: number | null, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd, env, stdio: 'ignore', detached: true, ...(uid !== null ? { uid, gid: gid ?? uid } : {}),
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      resolve({ ok: false, detail: `command timed out after ${timeoutMs} ms` });
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: `command could not start: ${error.message}` });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: code === 0, detail: code !== null ? `command exited with status ${code}` : `command terminated by ${signal}` });
    });
  });
}
