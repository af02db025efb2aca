/**
 * Parses the Mesos agent `--resources` text form:
 *   `cpus:24;mem:4096;disk:4096;ports:[31000-32000];zones:{a,b};cpus(web):2`
 * A `name(role)` entry is statically reserved for `role` (how Mesos agents declare
 * static reservations). Errors are values: the caller decides how to report them.
 */
import type { Resource } from './resource.js';
import { ranges, scalar, set, staticReservation } from './resource.js';
import { Resources } from './resources.js';
import type { Range } from './ranges.js';

export type ParseResult = { ok: true; resources: Resources } | { ok: false; error: string };

const ENTRY = /^([A-Za-z_][\w.-]*)(?:\(([^)]+)\))?:(.+)$/;

export function parseResources(text: string): ParseResult {
  const items: Resource[] = [];
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = ENTRY.exec(part);
    if (!m) return { ok: false, error: `malformed resource "${part}"` };
    const [, name, role, value] = m as unknown as [string, string, string | undefined, string];
    const options = role && role !== '*' ? { reservation: staticReservation(role) } : undefined;
    const v = value.trim();
    if (v.startsWith('[')) {
      if (!v.endsWith(']')) return { ok: false, error: `malformed ranges in "${part}"` };
      const list: Range[] = [];
      for (const r of v.slice(1, -1).split(',')) {
        if (r.trim() === '') continue;
        const rm = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(r);
        if (!rm) return { ok: false, error: `malformed range "${r}" in "${part}"` };
        const b = Number(rm[1]);
        const e = Number(rm[2]);
        if (e < b) return { ok: false, error: `range "${r}" ends before it begins` };
        list.push([b, e]);
      }
      items.push(ranges(name, list, options));
    } else if (v.startsWith('{')) {
      if (!v.endsWith('}')) return { ok: false, error: `malformed set in "${part}"` };
      items.push(set(name, v.slice(1, -1).split(',').map((s) => s.trim()).filter((s) => s !== ''), options));
    } else {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0 || v === '') return { ok: false, error: `"${name}" must be a non-negative number, got "${v}"` };
      items.push(scalar(name, n, options));
    }
  }
  return { ok: true, resources: Resources.of(items) };
}

/** Like `parseResources` but throws: for literals in tests, builders and benchmarks. */
export function res(text: string): Resources {
  const parsed = parseResources(text);
  if (!parsed.ok) throw new SyntaxError(parsed.error);
  return parsed.resources;
}
