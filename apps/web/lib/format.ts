/** Numbers with units, the same everywhere in the console. */
export function formatCpus(cpus: number): string {
  const n = Number(cpus.toFixed(2));
  return `${n} ${n === 1 ? 'core' : 'cores'}`;
}

/** Mesos counts memory and disk in MiB. */
export function formatMiB(mib: number): string {
  if (mib >= 1024 * 1024) return `${(mib / 1024 / 1024).toFixed(1)} TiB`;
  if (mib >= 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${Number(mib.toFixed(mib < 10 ? 1 : 0))} MiB`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return formatMiB(bytes / 1024 / 1024);
}

export function formatPorts(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ') || '—';
}

export function formatCount(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

export function formatPercent(part: number, whole: number): string {
  if (!whole) return '0 %';
  const p = (part / whole) * 100;
  return `${p < 10 && p > 0 ? p.toFixed(1) : Math.round(p)} %`;
}

/** "3 d 4 h", "5 min 2 s": a duration for people (uptime, age). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/** "5 min ago" relative to `now` (passed in so server and browser render the same text). */
export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const ms = now - Date.parse(iso);
  if (ms < 5_000) return 'just now';
  return `${formatDuration(ms)} ago`;
}

/** A stable, locale-independent time (server and browser agree: no hydration mismatch). */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}

/** Task states without Mesos' prefix, for people: TASK_RUNNING → Running. */
export function formatTaskState(state: string): string {
  const s = state.replace(/^TASK_/, '').toLowerCase();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `team-a_web.instance-3f2c…._app.1` → `3f2c0a1b` (enough to tell instances apart on a log line). */
export function shortTaskId(id: string): string {
  const m = /instance-([0-9a-f]{8})/.exec(id);
  return m ? m[1]! : id.length > 12 ? id.slice(-12) : id;
}
