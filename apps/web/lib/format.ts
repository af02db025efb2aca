/** Numbers with units, the same everywhere in the console. */
export function formatCpus(cpus: number): string {
  return `${Number(cpus.toFixed(2))} ${cpus === 1 ? 'core' : 'cores'}`;
}

export function formatMiB(mib: number): string {
  if (mib >= 1024 * 1024) return `${(mib / 1024 / 1024).toFixed(1)} TiB`;
  if (mib >= 1024) return `${(mib / 1024).toFixed(1)} GiB`;
  return `${mib} MiB`;
}

export function formatPorts(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ') || '—';
}
