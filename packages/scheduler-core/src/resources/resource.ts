/**
 * One resource entry: a named quantity (scalar, ranges or set), optionally reserved
 * for a role and optionally carrying a persistent volume.
 *
 * Two entries are the same *kind* (and merge when added) when their name, reservation
 * and volume are identical — Mesos' "addable" rule. The identity is precomputed as a
 * string key so that the algebra in `resources.ts` compares keys, not structures.
 */
import type { Milli } from './quantity.js';
import { toMilli } from './quantity.js';
import type { Range } from './ranges.js';
import { normalizeRanges } from './ranges.js';

/**
 * A reservation ties resources to one role. Static reservations come from the agent's
 * configuration and can never be unreserved through the offer protocol; dynamic ones
 * are made by a framework with `RESERVE` and undone with `UNRESERVE` (Mesos semantics).
 */
export interface Reservation {
  readonly role: string;
  readonly type: 'static' | 'dynamic';
  readonly principal?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/** A persistent volume lives on reserved disk and survives the tasks that use it. */
export interface PersistentVolume {
  readonly id: string;
  readonly containerPath: string;
  readonly mode: 'RW' | 'RO';
  readonly principal?: string;
}

interface ResourceBase {
  readonly name: string;
  readonly reservation?: Reservation;
  readonly volume?: PersistentVolume;
}

export interface ScalarResource extends ResourceBase {
  readonly type: 'scalar';
  /** Quantity in milli-units (see `quantity.ts`). Always > 0 in a normalized `Resources`. */
  readonly milli: Milli;
}

export interface RangesResource extends ResourceBase {
  readonly type: 'ranges';
  readonly ranges: readonly Range[];
}

export interface SetResource extends ResourceBase {
  readonly type: 'set';
  readonly items: readonly string[];
}

export type Resource = ScalarResource | RangesResource | SetResource;

export interface ResourceOptions {
  reservation?: Reservation;
  volume?: PersistentVolume;
}

function withOptions<T extends Resource>(base: T, options: ResourceOptions | undefined): T {
  if (!options) return base;
  return {
    ...base,
    ...(options.reservation ? { reservation: options.reservation } : {}),
    ...(options.volume ? { volume: options.volume } : {}),
  };
}

/** A scalar entry from a decimal quantity (`scalar('cpus', 0.5)` is 500 milli-cpus). */
export function scalar(name: string, value: number, options?: ResourceOptions): ScalarResource {
  return withOptions({ name, type: 'scalar', milli: toMilli(value) }, options);
}

export function scalarMilli(name: string, milli: Milli, options?: ResourceOptions): ScalarResource {
  return withOptions({ name, type: 'scalar', milli }, options);
}

export function ranges(name: string, values: readonly Range[], options?: ResourceOptions): RangesResource {
  return withOptions({ name, type: 'ranges', ranges: normalizeRanges(values) }, options);
}

export function set(name: string, items: readonly string[], options?: ResourceOptions): SetResource {
  return withOptions({ name, type: 'set', items: [...new Set(items)].sort() }, options);
}

export function staticReservation(role: string): Reservation {
  return { role, type: 'static' };
}

export function dynamicReservation(role: string, principal?: string, labels?: Record<string, string>): Reservation {
  return { role, type: 'dynamic', ...(principal !== undefined ? { principal } : {}), ...(labels ? { labels } : {}) };
}

function labelsKey(labels: Readonly<Record<string, string>> | undefined): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

export function reservationKey(r: Reservation | undefined): string {
  if (!r) return '';
  return `${r.role}|${r.type}|${r.principal ?? ''}|${labelsKey(r.labels)}`;
}

/** The identity under which entries merge: name + reservation + volume id. */
export function resourceKey(r: Resource): string {
  if (!r.reservation && !r.volume) return r.name;
  return `${r.name}#${reservationKey(r.reservation)}#${r.volume ? r.volume.id : ''}`;
}

/**
 * Whether resources reserved for `reservedRole` may be allocated to `role`. Mesos
 * (hierarchical roles): a reservation made for `a` may be used by `a` and by any
 * descendant such as `a/b`, never by a sibling or an ancestor.
 */
export function isRoleWithin(role: string, ancestorOrSelf: string): boolean {
  return role === ancestorOrSelf || (role.length > ancestorOrSelf.length && role.startsWith(ancestorOrSelf) && role[ancestorOrSelf.length] === '/');
}

export function isAllocatableTo(r: Resource, role: string): boolean {
  return !r.reservation || isRoleWithin(role, r.reservation.role);
}
