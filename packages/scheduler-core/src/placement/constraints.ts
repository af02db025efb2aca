/**
 * Marathon's placement constraints, evaluated for one candidate against the instances of
 * the same run spec already placed.
 *
 *   UNIQUE       no placed instance has the candidate's value
 *   CLUSTER [v]  candidate's value is v (if given) and every placed instance shares it
 *   GROUP_BY [n] spread evenly: a value not yet used is always fine; a used value only if
 *                at least n values are in use and it is one of the least used
 *   MAX_PER n    fewer than n placed instances share the candidate's value
 *   LIKE re      the value fully matches the regex (implicit ^…$)
 *   UNLIKE re    the value does not fully match — and a missing attribute passes
 *   IS v         the value equals v (scalars compared to the thousandth)
 *
 * A candidate without the attribute fails every operator but UNLIKE (Marathon).
 */
import { fieldValue, formatScalarAttribute } from './attributes.js';
import type { Constraint, PlacedInstance, PlacementCandidate } from './types.js';

export type ConstraintVerdict = { ok: true } | { ok: false; detail: string };

const regexCache = new Map<string, RegExp | null>();

function fullRegex(pattern: string): RegExp | null {
  let re = regexCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    regexCache.set(pattern, re);
  }
  return re;
}

function intValue(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'inf') return Number.MAX_SAFE_INTEGER;
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Problems with a constraint itself (shown when the app is submitted, not at placement). */
export function validateConstraint(c: Constraint): string | undefined {
  if (c.field.trim() === '') return 'constraint field must not be empty';
  switch (c.operator) {
    case 'UNIQUE':
      return c.value ? 'UNIQUE takes no value' : undefined;
    case 'CLUSTER':
      return undefined;
    case 'GROUP_BY':
      return c.value !== undefined && c.value !== '' && intValue(c.value) === undefined ? 'GROUP_BY value must be an integer' : undefined;
    case 'MAX_PER':
      return (intValue(c.value) ?? 0) < 1 ? 'MAX_PER value must be a positive integer' : undefined;
    case 'LIKE':
    case 'UNLIKE':
      if (!c.value) return `${c.operator} requires a regular expression`;
      return fullRegex(c.value) ? undefined : `${c.operator} value "${c.value}" is not a valid regular expression`;
    case 'IS':
      return c.value ? undefined : 'IS requires a value';
    default:
      return `unknown operator ${String((c as Constraint).operator)}`;
  }
}

function describe(c: Constraint): string {
  return `${c.field} ${c.operator}${c.value !== undefined && c.value !== '' ? ` ${c.value}` : ''}`;
}

function countByValue(field: string, placed: readonly PlacedInstance[]): Map<string | undefined, number> {
  const counts = new Map<string | undefined, number>();
  for (const p of placed) {
    const v = fieldValue(field, p);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  return counts;
}

export function meetsConstraint(c: Constraint, candidate: PlacementCandidate, placed: readonly PlacedInstance[]): ConstraintVerdict {
  const value = fieldValue(c.field, candidate);
  const fail = (why: string): ConstraintVerdict => ({ ok: false, detail: `${describe(c)}: ${why}` });
  if (value === undefined) return c.operator === 'UNLIKE' ? { ok: true } : fail(`agent has no ${c.field}`);

  switch (c.operator) {
    case 'UNIQUE':
      return placed.some((p) => fieldValue(c.field, p) === value) ? fail(`an instance already runs where ${c.field}=${value}`) : { ok: true };
    case 'CLUSTER': {
      if (c.value && c.value !== value) return fail(`${c.field}=${value}`);
      const other = placed.find((p) => fieldValue(c.field, p) !== value);
      return other ? fail(`instances are clustered on ${c.field}=${fieldValue(c.field, other) ?? '(none)'}`) : { ok: true };
    }
    case 'GROUP_BY': {
      const minimum = Math.max(0, intValue(c.value) ?? 0);
      const counts = countByValue(c.field, placed);
      const mine = counts.get(value);
      if (mine === undefined) return { ok: true };
      const minCount = Math.min(...counts.values());
      if (counts.size >= minimum && mine === minCount) return { ok: true };
      return fail(counts.size < minimum ? `only ${counts.size} of ${minimum} ${c.field} values used yet` : `${c.field}=${value} has ${mine} instances, the least used has ${minCount}`);
    }
    case 'MAX_PER': {
      const max = intValue(c.value) ?? 0;
      const mine = countByValue(c.field, placed).get(value) ?? 0;
      return mine < max ? { ok: true } : fail(`${c.field}=${value} already has ${mine}`);
    }
    case 'LIKE': {
      const re = c.value ? fullRegex(c.value) : null;
      return re && re.test(value) ? { ok: true } : fail(`${c.field}=${value} does not match`);
    }
    case 'UNLIKE': {
      const re = c.value ? fullRegex(c.value) : null;
      return re && !re.test(value) ? { ok: true } : fail(`${c.field}=${value} matches`);
    }
    case 'IS': {
      const want = c.value ?? '';
      const n = Number(want);
      const wanted = want !== '' && Number.isFinite(n) && /^[\d.]+$/.test(value) ? formatScalarAttribute(n) : want;
      return value === wanted ? { ok: true } : fail(`${c.field}=${value}`);
    }
  }
}
