/**
 * `Resources`: an immutable, normalized multiset of resource entries, with the algebra
 * the allocator and the offer protocol need — `plus`, `minus`, `contains`, `flatten`,
 * reservation filters and scalar totals.
 *
 * Normal form (invariant of every instance): at most one entry per identity key
 * (name + reservation + volume, see `resourceKey`), scalar entries > 0, ranges and
 * sets non-empty, entries sorted by key. Equality is therefore structural, and output
 * is deterministic.
 *
 * Persistent volumes are atomic (Mesos): a volume is contained, added or removed only
 * whole, never split.
 */
import type { Milli } from './quantity.js';
import { formatMilli } from './quantity.js';
import type { Range } from './ranges.js';
import { containsRanges, formatRanges, rangesSize, subtractRanges, unionRanges } from './ranges.js';
import type { Reservation, Resource } from './resource.js';
import { isAllocatableTo, isRoleWithin, resourceKey } from './resource.js';
import type { ReadonlyScalarMap, ScalarMap } from './scalars.js';

interface Entry {
  readonly key: string;
  readonly res: Resource;
}

function byKey(a: Entry, b: Entry): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

function isEmptyResource(r: Resource): boolean {
  switch (r.type) {
    case 'scalar':
      return r.milli <= 0;
    case 'ranges':
      return r.ranges.length === 0;
    case 'set':
      return r.items.length === 0;
  }
}

function merge(a: Resource, b: Resource): Resource {
  if (a.type !== b.type) throw new TypeError(`resource ${a.name} is both ${a.type} and ${b.type}`);
  if (a.volume) throw new RangeError(`persistent volume ${a.volume.id} is already present`);
  switch (a.type) {
    case 'scalar':
      return { ...a, milli: a.milli + (b as typeof a).milli };
    case 'ranges':
      return { ...a, ranges: unionRanges(a.ranges, (b as typeof a).ranges) };
    case 'set':
      return { ...a, items: [...new Set([...a.items, ...(b as typeof a).items])].sort() };
  }
}

function entryContains(outer: Resource, inner: Resource): boolean {
  if (outer.type !== inner.type) return false;
  if (outer.volume) return outer.type === 'scalar' && outer.milli === (inner as typeof outer).milli;
  switch (outer.type) {
    case 'scalar':
      return outer.milli >= (inner as typeof outer).milli;
    case 'ranges':
      return containsRanges(outer.ranges, (inner as typeof outer).ranges);
    case 'set': {
      const have = outer.items;
      return (inner as typeof outer).items.every((i) => have.includes(i));
    }
  }
}

/** `outer − inner` for one entry; the caller has checked containment. */
function entryMinus(outer: Resource, inner: Resource): Resource | undefined {
  if (outer.volume) return undefined;
  let out: Resource;
  switch (outer.type) {
    case 'scalar':
      out = { ...outer, milli: outer.milli - (inner as typeof outer).milli };
      break;
    case 'ranges':
      out = { ...outer, ranges: subtractRanges(outer.ranges, (inner as typeof outer).ranges) };
      break;
    case 'set': {
      const drop = new Set((inner as typeof outer).items);
      out = { ...outer, items: outer.items.filter((i) => !drop.has(i)) };
      break;
    }
  }
  return isEmptyResource(out) ? undefined : out;
}

export class Resources {
  static readonly EMPTY = new Resources([]);

  private readonly entries: readonly Entry[];
  private scalarTotals: ScalarMap | undefined;

  private constructor(entries: readonly Entry[]) {
    this.entries = entries;
  }

  /** Normalizes any list of entries (merging same-key entries, dropping empty ones). */
  static of(items: readonly Resource[]): Resources {
    if (items.length === 0) return Resources.EMPTY;
    const byKeyMap = new Map<string, Resource>();
    for (const r of items) {
      if (isEmptyResource(r)) continue;
      const key = resourceKey(r);
      const prev = byKeyMap.get(key);
      byKeyMap.set(key, prev ? merge(prev, r) : r);
    }
    const entries = [...byKeyMap].map(([key, res]) => ({ key, res })).sort(byKey);
    return new Resources(entries);
  }

  get items(): readonly Resource[] {
    return this.entries.map((e) => e.res);
  }

  get size(): number {
    return this.entries.length;
  }

  isEmpty(): boolean {
    return this.entries.length === 0;
  }

  plus(other: Resources): Resources {
    if (other.entries.length === 0) return this;
    if (this.entries.length === 0) return other;
    const out: Entry[] = [];
    let i = 0;
    let j = 0;
    const a = this.entries;
    const b = other.entries;
    while (i < a.length || j < b.length) {
      const x = a[i];
      const y = b[j];
      if (x && (!y || x.key < y.key)) {
        out.push(x);
        i++;
      } else if (y && (!x || y.key < x.key)) {
        out.push(y);
        j++;
      } else {
        out.push({ key: x!.key, res: merge(x!.res, y!.res) });
        i++;
        j++;
      }
    }
    return new Resources(out);
  }

  /** Whether every entry of `other` is covered by a same-key entry here. */
  contains(other: Resources): boolean {
    if (other.entries.length === 0) return true;
    const a = this.entries;
    let i = 0;
    for (const y of other.entries) {
      while (i < a.length && a[i]!.key < y.key) i++;
      const x = a[i];
      if (!x || x.key !== y.key || !entryContains(x.res, y.res)) return false;
    }
    return true;
  }

  /**
   * `this − other`. Exact: throws if `other` is not contained, because silently
   * clamping (what Mesos' `-=` does) would hide an over-commit.
   */
  minus(other: Resources): Resources {
    const result = this.tryMinus(other);
    if (!result) throw new RangeError(`cannot subtract ${other.toString()} from ${this.toString()}`);
    return result;
  }

  /** `this − other`, or `undefined` if `other` is not contained. */
  tryMinus(other: Resources): Resources | undefined {
    if (other.entries.length === 0) return this;
    const out: Entry[] = [];
    const a = this.entries;
    let i = 0;
    for (const y of other.entries) {
      while (i < a.length && a[i]!.key < y.key) out.push(a[i++]!);
      const x = a[i];
      if (!x || x.key !== y.key || !entryContains(x.res, y.res)) return undefined;
      const rest = entryMinus(x.res, y.res);
      if (rest) out.push({ key: x.key, res: rest });
      i++;
    }
    while (i < a.length) out.push(a[i++]!);
    return new Resources(out);
  }

  filter(predicate: (r: Resource) => boolean): Resources {
    let all = true;
    const kept: Entry[] = [];
    for (const e of this.entries) {
      if (predicate(e.res)) kept.push(e);
      else all = false;
    }
    return all ? this : kept.length === 0 ? Resources.EMPTY : new Resources(kept);
  }

  unreserved(): Resources {
    return this.filter((r) => !r.reservation);
  }

  /** Reserved entries; for a given role, only those reserved exactly for it. */
  reserved(role?: string): Resources {
    return this.filter((r) => !!r.reservation && (role === undefined || r.reservation.role === role));
  }

  /** Unreserved entries plus those reserved for `role` or one of its ancestors. */
  allocatableTo(role: string): Resources {
    return this.filter((r) => isAllocatableTo(r, role));
  }

  /** Entries reserved for `role` or any of its descendants (what counts toward its quota). */
  reservedWithin(role: string): Resources {
    return this.filter((r) => !!r.reservation && isRoleWithin(r.reservation.role, role));
  }

  hasReservations(): boolean {
    return this.entries.some((e) => !!e.res.reservation);
  }

  volumes(): Resources {
    return this.filter((r) => !!r.volume);
  }

  /** Strips reservations and volumes: the same quantities, unreserved (Mesos `flatten()`). */
  flatten(): Resources {
    return Resources.of(this.entries.map((e) => stripReservation(e.res)));
  }

  /** The same quantities, all reserved with `reservation` (volumes are dropped). */
  reservedAs(reservation: Reservation): Resources {
    return Resources.of(this.entries.map((e) => ({ ...stripReservation(e.res), reservation })));
  }

  /** Total milli-units of scalar `name` across reservations and volumes. */
  scalar(name: string): Milli {
    return this.scalars().get(name) ?? 0;
  }

  /** Scalar totals by name (cached: instances are immutable). Do not mutate the result. */
  scalars(): ReadonlyScalarMap {
    if (!this.scalarTotals) {
      const totals: ScalarMap = new Map();
      for (const { res } of this.entries) {
        if (res.type === 'scalar') totals.set(res.name, (totals.get(res.name) ?? 0) + res.milli);
      }
      this.scalarTotals = totals;
    }
    return this.scalarTotals;
  }

  /** Union of range entries named `name` across reservations. */
  ranges(name: string): Range[] {
    let out: Range[] = [];
    for (const { res } of this.entries) if (res.type === 'ranges' && res.name === name) out = unionRanges(out, res.ranges);
    return out;
  }

  /**
   * Keeps scalar entries within `limit[name]` (taking unreserved entries last, so that
   * reserved quantities are kept first). Names absent from `limit`, and non-scalar
   * entries, are untouched. Used to shrink offers to quota
   * limits and to the headroom surplus.
   */
  shrinkScalars(limit: ReadonlyScalarMap): Resources {
    if (limit.size === 0) return this;
    const remaining = new Map(limit);
    const out: Resource[] = [];
    const ordered = [...this.entries].sort((x, y) => Number(!x.res.reservation) - Number(!y.res.reservation));
    for (const { res } of ordered) {
      if (res.type !== 'scalar' || !remaining.has(res.name)) {
        out.push(res);
        continue;
      }
      const room = remaining.get(res.name)!;
      if (room <= 0) continue;
      if (res.volume) {
        if (res.milli <= room) {
          out.push(res);
          remaining.set(res.name, room - res.milli);
        }
        continue;
      }
      const take = Math.min(room, res.milli);
      out.push({ ...res, milli: take });
      remaining.set(res.name, room - take);
    }
    return Resources.of(out);
  }

  equals(other: Resources): boolean {
    return this.contains(other) && other.contains(this);
  }

  /** Mesos text form: `cpus:2;mem(web):512;ports:[31000-32000]`. */
  toString(): string {
    return this.entries.map(({ res }) => formatResource(res)).join(';');
  }

  toJSON(): Resource[] {
    return this.items.slice();
  }
}

function stripReservation(r: Resource): Resource {
  const { reservation: _r, volume: _v, ...rest } = r;
  return rest as Resource;
}

export function formatResource(r: Resource): string {
  const role = r.reservation ? `(${r.reservation.role}${r.reservation.type === 'dynamic' ? ',dynamic' : ''})` : '';
  const vol = r.volume ? `[${r.volume.id}:${r.volume.containerPath}]` : '';
  switch (r.type) {
    case 'scalar':
      return `${r.name}${role}${vol}:${formatMilli(r.milli)}`;
    case 'ranges':
      return `${r.name}${role}:${formatRanges(r.ranges)}`;
    case 'set':
      return `${r.name}${role}:{${r.items.join(',')}}`;
  }
}

/** Count of range values (e.g. free ports) of `name`. */
export function rangeCount(resources: Resources, name: string): number {
  return rangesSize(resources.ranges(name));
}
