/**
 * One offer round for the services framework: pending instances of several apps placed
 * onto the round's offers, each placement shrinking what later ones see.
 *
 *   requests (round-robin, `chunkSize` per turn) ──► best feasible offer per instance ──► launches
 *                                                          └─ none left ──► unplaced + RejectionSummary
 *
 * The verdict for every instance is exactly the placement pipeline's (`placement/pipeline.ts`):
 * the same stages (agent availability, accepted roles, constraints, resources and ports),
 * the same bin-pack score, the same tie-break on offer id — the result equals calling
 * `placeInstances` for each turn in order (a property test holds them together), and the
 * resources and host ports of each launch come from the pipeline's own `fitResources`.
 *
 * What makes it fast (`placeInstances` evaluates every offer for every instance: ~14 µs an
 * offer, 70 ms an instance at 5,000 offers):
 *   - a resource fit is a few comparisons on per-offer totals of what the app's roles may
 *     use, cached per offer version (`offer-pool.ts`), instead of building `Resources`;
 *   - the offers sit in heaps, best first; a placement changes one offer, which bumps its
 *     version: a stale entry is skipped when it reaches the top, and each heap's owner
 *     re-scores the offers changed since its last turn — an instance costs O(log offers);
 *   - apps of the same shape (resources, ports, roles) and no constraints see every offer
 *     alike, so they share one heap; a constrained app keeps its own, checked against
 *     running tallies (`constraint-tally.ts`), one heap per value under GROUP_BY so that a
 *     value's offers wait while the other values catch up.
 *
 * Fairness: apps take turns in request order, each placing up to `chunkSize` instances a
 * turn, so an app with 10k pending cannot starve the others within a round (Marathon
 * matches each offer against the launch queue's apps in turn). An app that finds no offer
 * is done for the round: offers only shrink.
 *
 * Explaining failures costs a full pipeline pass (~70 ms at 5,000 offers), so only the first
 * `explainLimit` unplaced apps (in request order) get a `RejectionSummary`.
 */
import { placeOne, type RejectionSummary } from '../placement/pipeline.js';
import { acceptedRoles } from '../placement/resource-fit.js';
import type { PlacedInstance, PlacementCandidate, PlacementRequest } from '../placement/types.js';
import { toMilli } from '../resources/quantity.js';
import { rangesContainValue } from '../resources/ranges.js';
import type { Resources } from '../resources/resources.js';
import { CandidateHeap } from './candidate-heap.js';
import { ConstraintTally } from './constraint-tally.js';
import { OfferPool, rolesKey } from './offer-pool.js';
import type { ServiceSpec } from './types.js';

export interface ServicePlacementRequest {
  readonly spec: ServiceSpec;
  /** Instances to place now (`ServiceDecision.launch`). */
  readonly count: number;
  /** The app's instances already placed (live ones), for UNIQUE / MAX_PER / GROUP_BY / CLUSTER. */
  readonly placed: readonly PlacedInstance[];
}

export interface ServiceLaunch {
  readonly appId: string;
  readonly candidateId: string;
  readonly agentId: string;
  readonly hostname: string;
  /** Exactly what the instance takes from the offer (scalars and assigned host ports). */
  readonly resources: Resources;
  readonly hostPorts: readonly number[];
}

export interface MatchResult {
  /** In placement order. */
  readonly launches: ServiceLaunch[];
  /** Apps with instances left unplaced, and how many. */
  readonly unplaced: Map<string, number>;
  /** Why, for the first `explainLimit` unplaced apps: the pipeline's summary at the first failed placement. */
  readonly rejections: Map<string, RejectionSummary>;
}

export interface MatchOptions {
  /**
   * Instances an app places per turn before the next app's turn. Default 128: small enough
   * that one app cannot take a whole round, large enough that a constrained app (which
   * keeps its own heaps) rarely has to rebuild them between turns.
   */
  readonly chunkSize?: number;
  /**
   * Unplaced apps that get a `RejectionSummary`. Default 5: each costs a full pipeline pass
   * (~70 ms at 5,000 offers), so a full cluster costs at most ~350 ms a round. Rotate the
   * request order between rounds so that every stuck app is explained in turn.
   */
  readonly explainLimit?: number;
}

/** The placement request of a service's instance (bin-pack; the role's and `*` resources unless `acceptedResourceRoles`). */
export function placementRequestFor(spec: ServiceSpec): PlacementRequest {
  return {
    runSpecId: spec.id,
    cpus: spec.cpus,
    mem: spec.mem,
    disk: spec.disk,
    gpus: spec.gpus,
    ports: spec.ports,
    requirePorts: spec.requirePorts,
    constraints: spec.constraints,
    role: spec.role,
    ...(spec.acceptedResourceRoles ? { acceptedResourceRoles: spec.acceptedResourceRoles } : {}),
    ranking: 'binpack',
  };
}

/** Requests with the same resource needs and roles score every offer the same. */
class Shape {
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly gpus: number;
  readonly fixedPorts: readonly number[];
  readonly dynamicPorts: number;
  readonly duplicateFixed: boolean;
  readonly rolesKey: string;
  private readonly score: Float64Array;
  private readonly scoredAt: Int32Array;
  /** Shared by the shape's apps without constraints. */
  readonly heaps: OfferHeaps;

  constructor(
    readonly request: PlacementRequest,
    private readonly pool: OfferPool,
    owner: number,
  ) {
    this.cpus = toMilli(request.cpus);
    this.mem = toMilli(request.mem);
    this.disk = toMilli(request.disk ?? 0);
    this.gpus = toMilli(request.gpus ?? 0);
    const wanted = request.ports ?? [];
    this.fixedPorts = request.requirePorts ? wanted.filter((p) => p !== 0) : [];
    this.dynamicPorts = wanted.length - this.fixedPorts.length;
    this.duplicateFixed = new Set(this.fixedPorts).size !== this.fixedPorts.length;
    this.rolesKey = rolesKey(request);
    this.score = new Float64Array(pool.size);
    this.scoredAt = new Int32Array(pool.size).fill(-1);
    this.heaps = new OfferHeaps(owner, pool, (i) => this.scoreOf(i), null, null);
  }

  static key(request: PlacementRequest): string {
    return JSON.stringify([request.cpus, request.mem, request.disk ?? 0, request.gpus ?? 0, request.ports ?? [], !!request.requirePorts, acceptedRoles(request)]);
  }

  /** The bin-pack score of offer `i` for this shape, or NaN if its resources do not fit (nor ever will: offers only shrink). */
  scoreOf(i: number): number {
    const pool = this.pool;
    if (this.scoredAt[i] === pool.version[i]) return this.score[i]!;
    const s = this.compute(i);
    this.score[i] = s;
    this.scoredAt[i] = pool.version[i]!;
    return s;
  }

  private compute(i: number): number {
    const pool = this.pool;
    const candidate = pool.candidates[i]!;
    // Stage 1, agent availability.
    if (candidate.mode && candidate.mode !== 'UP') return NaN;
    const u = pool.usableFor(this.rolesKey, this.request, i);
    // Stage 2, accepted roles: the offer holds cpus or mem of a role the app accepts.
    if (!(u.cpus > 0 || u.mem > 0)) return NaN;
    // Stage 5, resources (fitResources' arithmetic on the totals).
    if (u.cpus < this.cpus || u.mem < this.mem || u.disk < this.disk || u.gpus < this.gpus) return NaN;
    if (this.fixedPorts.length + this.dynamicPorts > 0) {
      if (this.duplicateFixed) return NaN;
      let free = u.portCount;
      for (const p of this.fixedPorts) {
        if (!rangesContainValue(u.ranges, p)) return NaN;
        for (const [b, e] of u.ranges) if (p >= b && p <= e) free--;
      }
      if (free < this.dynamicPorts) return NaN;
    }
    // Rank: binpackScore — free fractions after placement of the agent's total.
    const now = pool.resources[i]!;
    const total = candidate.agentTotal ?? now;
    const tc = total.scalar('cpus');
    const tm = total.scalar('mem');
    const fc = tc > 0 ? Math.max(0, Math.min(1, (now.scalar('cpus') - this.cpus) / tc)) : 0;
    const fm = tm > 0 ? Math.max(0, Math.min(1, (now.scalar('mem') - this.mem) / tm)) : 0;
    return (20 - (Math.pow(10, fc) + Math.pow(10, fm))) / 18;
  }
}

/**
 * An owner's heaps of feasible offers, best first: a shape's (shared by all its apps
 * without constraints, which see every offer alike) or a constrained app's own. With
 * GROUP_BY there is one heap per value, so that a value's offers wait while the other
 * values catch up.
 */
class OfferHeaps {
  /** Log entries already seen. */
  private cursor = 0;
  private built = false;
  private single: CandidateHeap | null = null;
  private readonly groups = new Map<string, { values: (string | undefined)[]; heap: CandidateHeap }>();

  constructor(
    readonly owner: number,
    private readonly pool: OfferPool,
    /** Score of offer `i`, or NaN when it does not fit and never will (offers only shrink). */
    private readonly score: (i: number) => number,
    /** Re-checked when an offer reaches the top: the monotone constraints. */
    private readonly stillOk: ((i: number) => boolean) | null,
    /** For GROUP_BY. */
    private readonly tally: ConstraintTally | null,
  ) {}

  private heapFor(i: number): CandidateHeap {
    if (!this.tally || this.tally.groupBy.length === 0) {
      if (!this.single) this.single = new CandidateHeap(this.pool.idRank, this.pool.size);
      return this.single;
    }
    const { key, values } = this.pool.groupKey(this.tally.groupBy, i);
    let g = this.groups.get(key);
    if (!g) {
      g = { values, heap: new CandidateHeap(this.pool.idRank, 16) };
      this.groups.set(key, g);
    }
    return g.heap;
  }

  /** Scores offer `i` again (it changed) and pushes it if it still fits. */
  rescore(i: number): void {
    const s = this.score(i);
    if (!Number.isNaN(s)) this.heapFor(i).push(s, i, this.pool.version[i]!);
  }

  private rebuild(): void {
    this.single?.clear();
    for (const g of this.groups.values()) g.heap.clear();
    const version = this.pool.version;
    for (let i = 0; i < this.pool.size; i++) {
      const s = this.score(i);
      if (!Number.isNaN(s)) this.heapFor(i).append(s, i, version[i]!);
    }
    this.single?.heapify();
    for (const g of this.groups.values()) g.heap.heapify();
    this.cursor = this.pool.log.length;
    this.built = true;
  }

  /** Re-scores the offers others changed since this owner's last turn (or rebuilds, if that is most of them). */
  catchUp(stamp: Int32Array, turn: number): void {
    const { log, logOwner } = this.pool;
    if (!this.built || log.length - this.cursor > this.pool.size / 2) return this.rebuild();
    // Newest first: an offer whose latest change is this owner's own was re-scored then.
    for (let k = log.length - 1; k >= this.cursor; k--) {
      const i = log[k]!;
      if (stamp[i] === turn) continue;
      stamp[i] = turn;
      if (logOwner[k] !== this.owner) this.rescore(i);
    }
    this.cursor = log.length;
  }

  /** Drops stale and no-longer-feasible tops; returns the heap's valid top offer, or −1. */
  private validTop(heap: CandidateHeap): number {
    while (heap.size > 0) {
      const i = heap.topCandidate();
      if (heap.topVersion() === this.pool.version[i] && (!this.stillOk || this.stillOk(i))) return i;
      heap.pop();
    }
    return -1;
  }

  /** The best feasible offer now, or −1. */
  best(): number {
    if (this.single) return this.validTop(this.single);
    let best = -1;
    let bestScore = -Infinity;
    for (const g of this.groups.values()) {
      if (!this.tally!.groupByOk(g.values)) continue;
      const i = this.validTop(g.heap);
      if (i < 0) continue;
      const s = g.heap.topScore();
      if (best < 0 || s > bestScore || (s === bestScore && this.pool.idRank[i]! < this.pool.idRank[best]!)) {
        best = i;
        bestScore = s;
      }
    }
    return best;
  }
}

/** One app's side of the round: where it looks for offers, and its placements so far. */
class AppMatcher {
  readonly tally: ConstraintTally;
  readonly placed: PlacedInstance[];
  readonly heaps: OfferHeaps;
  readonly rolesKey: string;
  remaining: number;
  /** Static constraint verdict per offer: 0 unknown, 1 ok, 2 fails (shared by apps with the same constraints). */
  private readonly staticOk: Uint8Array | null;

  constructor(
    readonly appId: string,
    readonly request: PlacementRequest,
    shape: Shape,
    private readonly pool: OfferPool,
    placed: readonly PlacedInstance[],
    count: number,
    owner: number,
    staticVerdicts: Map<string, Uint8Array>,
  ) {
    this.tally = new ConstraintTally(request.constraints ?? [], placed);
    this.placed = placed.slice();
    this.remaining = count;
    this.rolesKey = shape.rolesKey;
    if ((request.constraints ?? []).length === 0) {
      this.staticOk = null;
      this.heaps = shape.heaps;
    } else {
      const key = JSON.stringify(request.constraints);
      let verdicts = staticVerdicts.get(key);
      if (!verdicts) {
        verdicts = new Uint8Array(pool.size);
        staticVerdicts.set(key, verdicts);
      }
      this.staticOk = verdicts;
      this.heaps = new OfferHeaps(owner, pool, (i) => this.feasibleScore(shape, i), (i) => this.tally.monotoneOk(pool.candidates[i]!), this.tally);
    }
  }

  private feasibleScore(shape: Shape, i: number): number {
    const s = shape.scoreOf(i);
    if (Number.isNaN(s)) return s;
    let st = this.staticOk![i]!;
    if (st === 0) {
      st = this.tally.staticOk(this.pool.candidates[i]!) ? 1 : 2;
      this.staticOk![i] = st;
    }
    return st === 2 || !this.tally.monotoneOk(this.pool.candidates[i]!) ? NaN : s;
  }

  /** Records a placement on offer `i` (already taken from the pool) and re-scores that offer. */
  placedOn(i: number): void {
    const p = this.pool.placedAt(i);
    this.placed.push(p);
    this.tally.add(p);
    this.remaining--;
    this.heaps.rescore(i);
  }
}

export function matchOffers(
  requests: readonly ServicePlacementRequest[],
  candidates: readonly PlacementCandidate[],
  options: MatchOptions = {},
): MatchResult {
  const chunkSize = Math.max(1, options.chunkSize ?? 128);
  let explainLeft = options.explainLimit ?? 5;
  const pool = new OfferPool(candidates);
  const shapes = new Map<string, Shape>();
  const staticVerdicts = new Map<string, Uint8Array>();
  let owners = 0;

  // One matcher per app (a repeated app's counts add up; its first spec wins).
  const byApp = new Map<string, { spec: ServiceSpec; count: number; placed: PlacedInstance[] }>();
  for (const r of requests) {
    const prev = byApp.get(r.spec.id);
    if (prev) {
      prev.count += r.count;
      prev.placed.push(...r.placed);
    } else byApp.set(r.spec.id, { spec: r.spec, count: r.count, placed: r.placed.slice() });
  }
  const matchers: AppMatcher[] = [];
  for (const { spec, count, placed } of byApp.values()) {
    if (count <= 0) continue;
    const request = placementRequestFor(spec);
    const key = Shape.key(request);
    let shape = shapes.get(key);
    if (!shape) {
      shape = new Shape(request, pool, owners++);
      shapes.set(key, shape);
    }
    matchers.push(new AppMatcher(spec.id, request, shape, pool, placed, count, owners++, staticVerdicts));
  }

  const launches: ServiceLaunch[] = [];
  const unplaced = new Map<string, number>();
  const rejections = new Map<string, RejectionSummary>();
  const stamp = new Int32Array(pool.size).fill(-1);
  let turn = 0;
  let active = matchers;
  while (active.length > 0) {
    const next: AppMatcher[] = [];
    for (const m of active) {
      m.heaps.catchUp(stamp, turn++);
      for (let k = 0; k < chunkSize && m.remaining > 0; k++) {
        const i = m.heaps.best();
        if (i < 0) {
          unplaced.set(m.appId, m.remaining);
          if (explainLeft > 0) {
            explainLeft--;
            const views = Array.from({ length: pool.size }, (_, j) => pool.view(j));
            rejections.set(m.appId, placeOne(m.request, views, m.placed).summary);
          }
          m.remaining = 0;
          break;
        }
        const offer = pool.candidates[i]!;
        const fit = pool.fit(m.request, m.rolesKey, i);
        if (!fit.ok) throw new Error(`matchOffers: offer ${offer.id} scored feasible for ${m.appId} but does not fit`);
        launches.push({ appId: m.appId, candidateId: offer.id, agentId: offer.agentId, hostname: offer.hostname, resources: fit.resources, hostPorts: fit.hostPorts });
        pool.take(i, fit.resources, m.heaps.owner);
        m.placedOn(i);
      }
      if (m.remaining > 0) next.push(m);
    }
    active = next;
  }
  return { launches, unplaced, rejections };
}
