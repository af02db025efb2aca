/**
 * Scalar vectors: `name → milli-units`, the only part of resources that DRF shares,
 * quotas and headroom count (Mesos does the same: ranges and sets carry no share).
 * Mutating helpers (`addInto`, `subtractInto`) exist for the allocator's hot path.
 */
import type { Milli } from './quantity.js';
import { formatMilli, toMilli } from './quantity.js';

export type ScalarMap = Map<string, Milli>;
export type ReadonlyScalarMap = ReadonlyMap<string, Milli>;

/** Builds a scalar vector from decimal quantities: `scalars({ cpus: 1, mem: 512 })`. */
export function scalars(values: Readonly<Record<string, number>>): ScalarMap {
  const out: ScalarMap = new Map();
  for (const name of Object.keys(values).sort()) {
    const milli = toMilli(values[name]!);
    if (milli !== 0) out.set(name, milli);
  }
  return out;
}

export function addInto(target: ScalarMap, delta: ReadonlyScalarMap): void {
  for (const [name, milli] of delta) target.set(name, (target.get(name) ?? 0) + milli);
}

/** Subtracts and drops entries that reach zero, so empty vectors stay empty. */
export function subtractInto(target: ScalarMap, delta: ReadonlyScalarMap): void {
  for (const [name, milli] of delta) {
    const next = (target.get(name) ?? 0) - milli;
    if (next === 0) target.delete(name);
    else target.set(name, next);
  }
}

export function addScalars(a: ReadonlyScalarMap, b: ReadonlyScalarMap): ScalarMap {
  const out = new Map(a);
  addInto(out, b);
  return out;
}

/** `max(a − b, 0)` per name: e.g. unsatisfied guarantee = guarantee − consumed, floored. */
export function positiveDifference(a: ReadonlyScalarMap, b: ReadonlyScalarMap): ScalarMap {
  const out: ScalarMap = new Map();
  for (const [name, milli] of a) {
    const d = milli - (b.get(name) ?? 0);
    if (d > 0) out.set(name, d);
  }
  return out;
}

/** Whether `a ≥ b` for every name in `b`. */
export function scalarsContain(a: ReadonlyScalarMap, b: ReadonlyScalarMap): boolean {
  for (const [name, milli] of b) if ((a.get(name) ?? 0) < milli) return false;
  return true;
}

export function scalarsEqual(a: ReadonlyScalarMap, b: ReadonlyScalarMap): boolean {
  if (a.size !== b.size) return false;
  for (const [name, milli] of a) if (b.get(name) !== milli) return false;
  return true;
}

export function isZero(a: ReadonlyScalarMap): boolean {
  for (const v of a.values()) if (v !== 0) return false;
  return true;
}

export function formatScalars(a: ReadonlyScalarMap): string {
  return [...a.keys()]
    .sort()
    .map((name) => `${name}:${formatMilli(a.get(name)!)}`)
    .join(';');
}
