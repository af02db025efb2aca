/**
 * Resource fit: which of a candidate's resources an instance may use (accepted roles,
 * its own reservation) and exactly which it would take — scalars and host ports.
 *
 * Reserved resources are taken before unreserved ones, so that what was set aside for
 * a role is used before the shared pool. Dynamic host ports are the lowest free ones
 * (deterministic; Marathon picks randomly — a seeded caller can shuffle candidates
 * instead). Fixed ports must be offered, and are never handed out twice.
 */
import type { Resource } from '../resources/resource.js';
import { ranges as rangesResource, scalarMilli } from '../resources/resource.js';
import { Resources } from '../resources/resources.js';
import { toMilli } from '../resources/quantity.js';
import { rangesContainValue, rangesOfValues } from '../resources/ranges.js';
import type { NoMatchReason, PlacementCandidate, PlacementRequest, Rejection } from './types.js';

const SCALARS: ReadonlyArray<[kind: 'cpus' | 'mem' | 'disk' | 'gpus', reason: NoMatchReason]> = [
  ['cpus', 'InsufficientCpus'],
  ['mem', 'InsufficientMemory'],
  ['disk', 'InsufficientDisk'],
  ['gpus', 'InsufficientGpus'],
];

export function acceptedRoles(request: PlacementRequest): readonly string[] {
  return request.acceptedResourceRoles ?? (request.role ? ['*', request.role] : ['*']);
}

function labelsMatch(have: Readonly<Record<string, string>> | undefined, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => have?.[k] === v);
}

/** The candidate's resources this request may use at all. */
export function usableResources(request: PlacementRequest, candidate: PlacementCandidate): Resources {
  const roles = acceptedRoles(request);
  const resident = request.reservationLabels;
  return candidate.resources.filter((r) => {
    if (!r.reservation) return roles.includes('*');
    if (!roles.includes(r.reservation.role)) return false;
    if (resident) return labelsMatch(r.reservation.labels, resident);
    // Labelled reservations and volumes belong to resident instances, never to others.
    return !r.volume && !r.reservation.labels;
  });
}

export type FitResult = { ok: true; resources: Resources; hostPorts: number[] } | { ok: false; rejections: Rejection[] };

function reservedFirst(a: Resource, b: Resource): number {
  return Number(!a.reservation) - Number(!b.reservation);
}

export function fitResources(request: PlacementRequest, usable: Resources): FitResult {
  const rejections: Rejection[] = [];
  const take: Resource[] = [];
  const entries = [...usable.items].sort(reservedFirst);

  for (const [kind, reason] of SCALARS) {
    const need = toMilli(request[kind] ?? 0);
    if (need <= 0) continue;
    let left = need;
    for (const r of entries) {
      if (left === 0) break;
      if (r.type !== 'scalar' || r.name !== kind || r.volume) continue;
      const n = Math.min(left, r.milli);
      take.push(scalarMilli(kind, n, r.reservation ? { reservation: r.reservation } : undefined));
      left -= n;
    }
    if (left > 0) rejections.push({ reason, detail: `needs ${kind} ${need / 1000}, has ${(need - left) / 1000}` });
  }
  // A resident instance takes its volumes along.
  if (request.reservationLabels) for (const r of entries) if (r.volume) take.push(r);

  const hostPorts: number[] = [];
  const wanted = request.ports ?? [];
  if (wanted.length > 0) {
    const portEntries = entries.filter((r) => r.type === 'ranges' && r.name === 'ports');
    const all = portEntries.flatMap((r) => (r.type === 'ranges' ? r.ranges : []));
    const fixed = request.requirePorts ? wanted.filter((p) => p !== 0) : [];
    const used = new Set<number>();
    let ok = true;
    for (const p of fixed) {
      if (used.has(p) || !rangesContainValue(all, p)) {
        rejections.push({ reason: 'InsufficientPorts', detail: `host port ${p} is not offered` });
        ok = false;
        break;
      }
      used.add(p);
    }
    const dynamicCount = wanted.length - fixed.length;
    const dynamic: number[] = [];
    if (ok) {
      outer: for (const [b, e] of [...all].sort((x, y) => x[0] - y[0])) {
        for (let p = b; p <= e; p++) {
          if (dynamic.length === dynamicCount) break outer;
          if (!used.has(p)) dynamic.push(p);
        }
      }
      if (dynamic.length < dynamicCount) {
        rejections.push({ reason: 'InsufficientPorts', detail: `needs ${dynamicCount} dynamic ports, ${dynamic.length} free` });
        ok = false;
      }
    }
    if (ok) {
      // Assign in request order: fixed ports where asked, dynamic ones for the rest.
      let d = 0;
      for (const p of wanted) hostPorts.push(request.requirePorts && p !== 0 ? p : dynamic[d++]!);
      // One ports entry per owning (reserved or unreserved) range entry.
      const byOwner = new Map<Resource, number[]>();
      for (const p of hostPorts) {
        const owner = portEntries.find((r) => r.type === 'ranges' && rangesContainValue(r.ranges, p))!;
        const list = byOwner.get(owner);
        if (list) list.push(p);
        else byOwner.set(owner, [p]);
      }
      for (const [owner, ports] of byOwner) {
        take.push(rangesResource('ports', rangesOfValues(ports), owner.reservation ? { reservation: owner.reservation } : undefined));
      }
    }
  }
  if (rejections.length > 0) return { ok: false, rejections };
  return { ok: true, resources: Resources.of(take), hostPorts };
}
