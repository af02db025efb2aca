/** The fields of /proc/<pid>/stat the agent uses (proc(5)). */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Clock ticks of user / system cpu time. */
  utime: number;
  stime: number;
  /** Clock ticks after boot at which the process started: with the pid, a process's identity (pids are reused). */
  starttime: string;
  /** Resident set size in pages. */
  rssPages: number;
}

/** Parses /proc/<pid>/stat. The command name may hold spaces and parentheses: split after the last ')'. */
export function parseProcStat(text: string): ProcStat | null {
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const field = (n: number) => rest[n - 3];
  if (rest.length < 22) return null;
  return {
    pid, state: field(3)!, ppid: Number(field(4)), pgrp: Number(field(5)), session: Number(field(6)),
    utime: Number(field(14)), stime: Number(field(15)), starttime: field(22)!, rssPages: Number(field(24)),
  };
}
