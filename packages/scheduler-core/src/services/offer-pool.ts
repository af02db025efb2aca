/**
 * The round's offers for `matchOffers`, shrinking as instances are placed, with what each
 * app's roles may use of each offer cached per offer version:
 *
 *   usable(roles, offer)  = `usableResources` (placement/resource-fit.ts), plus its totals
 *                           in milli-units and its port ranges, so a fit is a few comparisons
 *   fit(request, offer)   = `fitResources` on it, computed from the cached entries: the same
 *                           walk (reserved entries first, scalars in cpus/mem/disk/gpus order,
 *                           fixed ports as asked, the lowest free dynamic ports, one ports
 *                           entry per owning range) without re-filtering and re-sorting the
 *                           offer for every placement. The property test of `matchOffers`
 *                           compares every launch's resources with the pipeline's.
 *
 * Every placement bumps the offer's version and appends to a change log that each heap
 * owner catches up on at its next turn.
 */
import { fieldValue } from '../placement/attributes.js';
import { acceptedRoles, usableResources } from '../placement/resource-fit.js';
import type { Constraint, PlacedInstance, PlacementCandidate, PlacementRequest } from '../placement/types.js';
import type { Resource } from '../resources/resource.js';
import { ranges as rangesResource, scalarMilli } from '../resources/resource.js';
import { toMilli } from '../resources/quantity.js';
import type { Range } from '../resources/ranges.js';
import { rangesContainValue, rangesOfValues } from '../resources/ranges.js';
import { Resources } from '../resources/resources.js';

/** What an app's roles may use of one offer. */
export interface Usable {
  readonly version: number;
  readonly resources: Resources;
  /** Totals in milli-units. */
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly gpus: number;
  /** All port ranges, in `fitResources`' entry order (reserved entries first). */
  readonly ranges: readonly Range[];
  readonly portCount: number;
  /** For `fit`, computed on first use. */
  layout?: { entries: readonly Resource[]; portEntries: readonly Resource[]; rangesByBegin: readonly Range[] };
}

export type Fit = { ok: true; resources: Resources; hostPorts: number[] } | { ok: false };

const SCALARS = ['cpus', 'mem', 'disk', 'gpus'] as const;

function reservedFirst(a: Resource, b: Resource): number {
  return Number(!a.reservation) - Number(!b.reservation);
}

export function rolesKey(request: PlacementRequest): string {
  return acceptedRoles(request).join('\u0000');
}

export class OfferPool {
  readonly size: number;
  readonly resources: Resources[];
  readonly version: Int32Array;
  /** Rank of each offer by id (ties by position): the pipeline's tie-break. */
  readonly idRank: Int32Array;
  /** Offer index of every placement, in order: the change log heap owners catch up on. */
  readonly log: number[] = [];
  /** Whose heaps re-scored the offer right away (the owner that placed on it). */
  readonly logOwner: number[] = [];
  private readonly usable = new Map<string, (Usable | undefined)[]>();
  private readonly groupKeys = new Map<string, ({ key: string; values: (string | undefined)[] } | undefined)[]>();
  private readonly views: (PlacementCandidate | undefined)[];
  private readonly placed: (PlacedInstance | undefined)[] = [];

  constructor(readonly candidates: readonly PlacementCandidate[]) {
    this.size = candidates.length;
    this.resources = candidates.map((c) => c.resources);
    this.version = new Int32Array(this.size);
    this.views = candidates.slice();
    const order = candidates.map((_, i) => i).sort((a, b) => (candidates[a]!.id < candidates[b]!.id ? -1 : candidates[a]!.id > candidates[b]!.id ? 1 : a - b));
    this.idRank = new Int32Array(this.size);
    order.forEach((i, rank) => (this.idRank[i] = rank));
  }

  /** The offer as the pipeline would see it now (shrunk resources). */
  view(i: number): PlacementCandidate {
    let v = this.views[i];
    if (!v) {
      v = { ...this.candidates[i]!, resources: this.resources[i]! };
      this.views[i] = v;
    }
    return v;
  }

  usableFor(key: string, request: PlacementRequest, i: number): Usable {
    let byOffer = this.usable.get(key);
    if (!byOffer) {
      byOffer = new Array<Usable | undefined>(this.size);
      this.usable.set(key, byOffer);
    }
    const cached = byOffer[i];
    if (cached && cached.version === this.version[i]) return cached;
    const all = this.resources[i]!;
    // An offer without reservations is usable whole by any app accepting `*`.
    const u = !all.hasReservations() && acceptedRoles(request).includes('*') ? all : usableResources(request, this.view(i));
    const reservedPorts = u.hasReservations();
    let ranges: Range[] = [];
    for (const r of u.items) {
      if (r.type !== 'ranges' || r.name !== 'ports') continue;
      if (!reservedPorts || r.reservation) ranges = ranges.length === 0 ? (r.ranges as Range[]) : [...ranges, ...r.ranges];
    }
    if (reservedPorts) for (const r of u.items) if (r.type === 'ranges' && r.name === 'ports' && !r.reservation) ranges = [...ranges, ...r.ranges];
    let portCount = 0;
    for (const [b, e] of ranges) portCount += e - b + 1;
    const fresh: Usable = { version: this.version[i]!, resources: u, cpus: u.scalar('cpus'), mem: u.scalar('mem'), disk: u.scalar('disk'), gpus: u.scalar('gpus'), ranges, portCount };
    byOffer[i] = fresh;
    return fresh;
  }

  private layout(u: Usable): NonNullable<Usable['layout']> {
    if (!u.layout) {
      // `Resources` keeps its entries sorted; only reservations move (to the front).
      const entries = u.resources.hasReservations() ? [...u.resources.items].sort(reservedFirst) : u.resources.items;
      const portEntries = entries.filter((r) => r.type === 'ranges' && r.name === 'ports');
      // One entry's ranges are in normal form, hence already by begin.
      u.layout = { entries, portEntries, rangesByBegin: portEntries.length <= 1 ? u.ranges : [...u.ranges].sort((x, y) => x[0] - y[0]) };
    }
    return u.layout;
  }

  /** `fitResources(request, usableResources(request, offer i))`, from the cached entries. */
  fit(request: PlacementRequest, key: string, i: number): Fit {
    const u = this.usableFor(key, request, i);
    const { entries, portEntries, rangesByBegin } = this.layout(u);
    const take: Resource[] = [];
    for (const kind of SCALARS) {
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
      if (left > 0) return { ok: false };
    }
    const hostPorts: number[] = [];
    const wanted = request.ports ?? [];
    if (wanted.length > 0) {
      const fixed = request.requirePorts ? wanted.filter((p) => p !== 0) : [];
      const used = new Set<number>();
      for (const p of fixed) {
        if (used.has(p) || !rangesContainValue(u.ranges, p)) return { ok: false };
        used.add(p);
      }
      const dynamicCount = wanted.length - fixed.length;
      const dynamic: number[] = [];
      outer: for (const [b, e] of rangesByBegin) {
        for (let p = b; p <= e; p++) {
          if (dynamic.length === dynamicCount) break outer;
          if (!used.has(p)) dynamic.push(p);
        }
      }
      if (dynamic.length < dynamicCount) return { ok: false };
      let d = 0;
      for (const p of wanted) hostPorts.push(request.requirePorts && p !== 0 ? p : dynamic[d++]!);
      const byOwner = new Map<Resource, number[]>();
      for (const p of hostPorts) {
        const owner = portEntries.find((r) => r.type === 'ranges' && rangesContainValue(r.ranges, p))!;
        const list = byOwner.get(owner);
        if (list) list.push(p);
        else byOwner.set(owner, [p]);
      }
      for (const [owner, ports] of byOwner) take.push(rangesResource('ports', rangesOfValues(ports), owner.reservation ? { reservation: owner.reservation } : undefined));
    }
    return { ok: true, resources: Resources.of(take), hostPorts };
  }

  /** Offer `i` as a placed instance (what constraints look at), made once. */
  placedAt(i: number): PlacedInstance {
    let p = this.placed[i];
    if (!p) {
      const c = this.candidates[i]!;
      p = {
        agentId: c.agentId,
        hostname: c.hostname,
        ...(c.region !== undefined ? { region: c.region } : {}),
        ...(c.zone !== undefined ? { zone: c.zone } : {}),
        ...(c.attributes !== undefined ? { attributes: c.attributes } : {}),
      };
      this.placed[i] = p;
    }
    return p;
  }

  /** The values of the GROUP_BY fields of `constraints` on offer `i`, and them joined as a key. */
  groupKey(constraints: readonly Constraint[], i: number): { key: string; values: (string | undefined)[] } {
    const fields = constraints.map((c) => c.field).join('\u0000');
    let byOffer = this.groupKeys.get(fields);
    if (!byOffer) {
      byOffer = new Array(this.size);
      this.groupKeys.set(fields, byOffer);
    }
    let g = byOffer[i];
    if (!g) {
      const values = constraints.map((c) => fieldValue(c.field, this.candidates[i]!));
      g = { key: values.join('\u0001'), values };
      byOffer[i] = g;
    }
    return g;
  }

  take(i: number, resources: Resources, owner: number): void {
    this.resources[i] = this.resources[i]!.minus(resources);
    this.version[i]!++;
    this.views[i] = undefined;
    this.log.push(i);
    this.logOwner.push(owner);
  }
}
