import { readdir, readFile } from 'node:fs/promises';
import { parseProcStat, type ProcStat } from './proc-stat.js';

export async function readProcStat(pid: number): Promise<ProcStat | null> {
  try {
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Whether `pid` is still the process we started (same start time) and not a zombie. */
export async function stillRunning(pid: number, procStart: string | undefined): Promise<boolean> {
  const stat = await readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return procStart === undefined || stat.starttime === procStart;
}

/** Pids whose process group is `pgid` (the task's tree when cgroups are unavailable). */
export async function groupPids(pgid: number): Promise<number[]> {
  const names = await readdir('/proc').catch(() => [] as string[]);
  const pids: number[] = [];
  await Promise.all(names.filter((n) => /^\d+$/.test(n)).map(async (n) => {
    const stat = await readProcStat(Number(n));
    if (stat && stat.pgrp === pgid && stat.state !== 'Z') pids.push(stat.pid);
  }));
  return pids;
}

/** Of `pids`, those no longer in process group `pgid` (they called setsid): a signal to the group misses them. */
export async function outsideGroup(pids: readonly number[], pgid: number): Promise<number[]> {
  const stats = await Promise.all(pids.map((pid) => readProcStat(pid)));
  return pids.filter((_, i) => stats[i] !== null && stats[i]!.pgrp !== pgid);
}

/** Sends `signal` to a process group and to each pid, ignoring those already gone. */
export function signalAll(pgid: number | undefined, pids: readonly number[], signal: NodeJS.Signals): void {
  const targets = pgid ? [-pgid, ...pids] : [...pids];
  for (const target of targets) {
    try {
      process.kill(target, signal);
    } catch {
      // ESRCH: already gone
    }
  }
}
