/**
 * Quota arithmetic, as formulas (Mesos' hierarchical allocator, 1.9+):
 *
 *   consumed(role)         = Σ over the role's subtree of (reservations + unreserved allocations)
 *   unsatisfied(role)      = max(guarantee(role) − consumed(role), 0)            per kind
 *   requiredHeadroom       = Σ over quota roots of unsatisfied(root)              per kind
 *   availableHeadroom      = Σ over schedulable agents of unallocated unreserved  per kind
 *   surplusHeadroom        = availableHeadroom − requiredHeadroom
 *   limitRoom(role)        = min over the role and its ancestors of (limit − consumed)
 *
 * A "quota root" is a role with a guarantee and no ancestor with one: children's
 * guarantees are nested inside their parent's (validated below), so summing roots only
 * never double-counts.
 */
import type { ReadonlyScalarMap, ScalarMap } from '../resources/scalars.js';
import { formatScalars } from '../resources/scalars.js';
import type { Quota, Result } from './types.js';
import { OK, fail } from './types.js';

export function ancestorsOf(role: string): string[] {
  const out: string[] = [];
  let i = role.lastIndexOf('/');
  while (i > 0) {
    out.push(role.slice(0, i));
    i = role.lastIndexOf('/', i - 1);
  }
  return out;
}

/** `role` and each ancestor, innermost first. */
export function selfAndAncestors(role: string): string[] {
  return [role, ...ancestorsOf(role)];
}

export function isValidRoleName(role: string): boolean {
  // Mesos role rules: no empty segments, no `.`/`..` segments, no whitespace, not `*`.
  if (role === '' || role === '*') return false;
  return role.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..' && !/\s/.test(seg) && !seg.startsWith('-'));
}

/**
 * Checks a new quota for `role` against the others: guarantee ≤ limit; a child's
 * guarantees fit in what its parent guarantees beside its other children, and a child's
 * limit does not exceed its parent's (Mesos' hierarchical quota validation).
 */
export function validateQuota(role: string, quota: Quota, others: ReadonlyMap<string, Quota>): Result {
  for (const [kind, g] of quota.guarantee) {
    if (g < 0) return fail(`guarantee of ${kind} is negative`);
    const l = quota.limit.get(kind);
    if (l !== undefined && g > l) return fail(`guarantee ${formatScalars(quota.guarantee)} exceeds limit ${formatScalars(quota.limit)}`);
  }
  // Only the families touching `role` can change: its parent (with its children) and
  // the role itself as a parent of its own children. Checking just those keeps
  // setting n quotas O(n²) at worst instead of O(n³).
  const all = new Map(others);
  all.set(role, quota);
  const parent = ancestorsOf(role)[0];
  for (const p of parent !== undefined ? [parent, role] : [role]) {
    const pq = all.get(p);
    if (!pq) continue;
    const children = [...all].filter(([r]) => ancestorsOf(r)[0] === p);
    for (const [kind, pg] of pq.guarantee) {
      const sum = children.reduce((acc, [, cq]) => acc + (cq.guarantee.get(kind) ?? 0), 0);
      if (sum > pg) return fail(`guarantees of ${p}'s children exceed its guarantee of ${kind}`);
    }
    for (const [child, cq] of children) {
      for (const [kind, pl] of pq.limit) {
        const cl = cq.limit.get(kind);
        if (cl === undefined || cl > pl) return fail(`limit of ${child} on ${kind} exceeds the limit of its parent ${p}`);
      }
    }
  }
  return OK;
}

/** The unsatisfied part of a guarantee: `max(guarantee − consumed, 0)` per guaranteed kind. */
export function unsatisfied(quota: Quota, consumed: ReadonlyScalarMap | undefined): ScalarMap {
  const out: ScalarMap = new Map();
  for (const [kind, g] of quota.guarantee) {
    const d = g - (consumed?.get(kind) ?? 0);
    if (d > 0) out.set(kind, d);
  }
  return out;
}
