/**
 * Marathon's placement constraints evaluated incrementally, for `matchOffers`: instead of
 * scanning every placed instance per candidate (`meetsConstraint`, O(placed)), one tally
 * per field counts placed instances by value, so each check is O(1) (GROUP_BY's least-used
 * count is kept up to date as instances are added). The verdicts are exactly those of
 * `placement/constraints.ts` — a property test holds the two together.
 *
 * The operators split by what they depend on:
 *   static     LIKE, UNLIKE, IS, a CLUSTER value, a missing attribute: the candidate alone
 *   monotone   UNIQUE, MAX_PER, CLUSTER: once false, more placements never make them true
 *   balancing  GROUP_BY: true again when the other values catch up (matchOffers keeps a
 *              heap per GROUP_BY value, so a value's candidates wait instead of being dropped)
 */
import { fieldValue } from '../placement/attributes.js';
import { meetsConstraint } from '../placement/constraints.js';
import type { Constraint, PlacedInstance, PlacementCandidate } from '../placement/types.js';

function intValue(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'inf') return Number.MAX_SAFE_INTEGER;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

const DYNAMIC = new Set(['UNIQUE', 'CLUSTER', 'GROUP_BY', 'MAX_PER']);

class FieldTally {
  readonly counts = new Map<string | undefined, number>();
  private min = 0;
  private minDirty = false;

  add(value: string | undefined): void {
    const before = this.counts.get(value);
    this.counts.set(value, (before ?? 0) + 1);
    // The least-used count only moves when a value at the minimum (or a new one) changes.
    if (before === undefined || before === this.min) this.minDirty = true;
  }

  minCount(): number {
    if (this.minDirty) {
      let m = Infinity;
      for (const c of this.counts.values()) if (c < m) m = c;
      this.min = m;
      this.minDirty = false;
    }
    return this.min;
  }
}

export class ConstraintTally {
  private readonly tallies = new Map<string, FieldTally>();
  readonly monotone: readonly Constraint[];
  readonly groupBy: readonly Constraint[];

  constructor(readonly constraints: readonly Constraint[], placed: readonly PlacedInstance[]) {
    this.monotone = constraints.filter((c) => c.operator === 'UNIQUE' || c.operator === 'MAX_PER' || c.operator === 'CLUSTER');
    this.groupBy = constraints.filter((c) => c.operator === 'GROUP_BY');
    for (const c of constraints) if (DYNAMIC.has(c.operator) && !this.tallies.has(c.field)) this.tallies.set(c.field, new FieldTally());
    for (const p of placed) this.add(p);
  }

  add(p: PlacedInstance): void {
    for (const [field, t] of this.tallies) t.add(fieldValue(field, p));
  }

  /**
   * The parts that depend on the candidate alone: LIKE/UNLIKE/IS (via `meetsConstraint`
   * with nothing placed), a CLUSTER value, and "the agent has no such field".
   */
  staticOk(candidate: PlacementCandidate): boolean {
    for (const c of this.constraints) {
      if (!DYNAMIC.has(c.operator)) {
        if (!meetsConstraint(c, candidate, []).ok) return false;
        continue;
      }
      const value = fieldValue(c.field, candidate);
      if (value === undefined) return false;
      if (c.operator === 'CLUSTER' && c.value && c.value !== value) return false;
    }
    return true;
  }

  /** UNIQUE, MAX_PER and CLUSTER against the placed instances so far (static parts assumed ok). */
  monotoneOk(candidate: PlacementCandidate): boolean {
    for (const c of this.monotone) {
      const t = this.tallies.get(c.field)!;
      const value = fieldValue(c.field, candidate);
      switch (c.operator) {
        case 'UNIQUE':
          if (t.counts.has(value)) return false;
          break;
        case 'MAX_PER':
          if ((t.counts.get(value) ?? 0) >= (intValue(c.value) ?? 0)) return false;
          break;
        case 'CLUSTER':
          if (t.counts.size > 1 || (t.counts.size === 1 && !t.counts.has(value))) return false;
          break;
      }
    }
    return true;
  }

  /** GROUP_BY for a candidate whose GROUP_BY fields have `values` (in `groupBy` order). */
  groupByOk(values: readonly (string | undefined)[]): boolean {
    for (let k = 0; k < this.groupBy.length; k++) {
      const c = this.groupBy[k]!;
      const t = this.tallies.get(c.field)!;
      const mine = t.counts.get(values[k]);
      if (mine === undefined) continue;
      const minimum = Math.max(0, intValue(c.value) ?? 0);
      if (!(t.counts.size >= minimum && mine === t.minCount())) return false;
    }
    return true;
  }

  /** All constraints, as `meetsConstraint` would judge them against the placed instances. */
  ok(candidate: PlacementCandidate): boolean {
    return this.staticOk(candidate) && this.monotoneOk(candidate) && this.groupByOk(this.groupBy.map((c) => fieldValue(c.field, candidate)));
  }
}
