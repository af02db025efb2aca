/**
 * Value ranges (e.g. host ports) as sorted, coalesced lists of inclusive `[begin, end]`
 * intervals. Every function takes and returns the normal form: sorted by `begin`,
 * non-overlapping and non-adjacent (`[1-2],[3-4]` is stored as `[1-4]`), so equality
 * is structural and `contains` is a single merge walk.
 */
export type Range = readonly [begin: number, end: number];

/** Sorts and coalesces arbitrary intervals; drops empty ones (`end < begin`). */
export function normalizeRanges(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r[1] >= r[0]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const [b, e] of sorted) {
    const last = out[out.length - 1];
    if (last && b <= last[1] + 1) {
      if (e > last[1]) last[1] = e;
    } else {
      out.push([b, e]);
    }
  }
  return out;
}

export function unionRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  if (a.length === 0) return b.slice();
  if (b.length === 0) return a.slice();
  return normalizeRanges([...a, ...b]);
}

/** `a − b`: the values of `a` not in `b`. */
export function subtractRanges(a: readonly Range[], b: readonly Range[]): Range[] {
  if (b.length === 0) return a.slice();
  const out: Range[] = [];
  let j = 0;
  for (const [begin, end] of a) {
    let cur = begin;
    while (j < b.length && b[j]![1] < cur) j++;
    let k = j;
    while (cur <= end) {
      const cut = b[k];
      if (!cut || cut[0] > end) {
        out.push([cur, end]);
        break;
      }
      if (cut[0] > cur) out.push([cur, cut[0] - 1]);
      cur = Math.max(cur, cut[1] + 1);
      k++;
    }
  }
  return out;
}

/** Whether every value of `inner` lies in `outer`. */
export function containsRanges(outer: readonly Range[], inner: readonly Range[]): boolean {
  let i = 0;
  for (const [b, e] of inner) {
    while (i < outer.length && outer[i]![1] < b) i++;
    const o = outer[i];
    if (!o || o[0] > b || o[1] < e) return false;
  }
  return true;
}

export function rangesSize(ranges: readonly Range[]): number {
  let n = 0;
  for (const [b, e] of ranges) n += e - b + 1;
  return n;
}

export function rangesContainValue(ranges: readonly Range[], value: number): boolean {
  return ranges.some(([b, e]) => value >= b && value <= e);
}

/** The lowest `count` values of `ranges`, in order, or `undefined` if there are fewer. */
export function lowestValues(ranges: readonly Range[], count: number): number[] | undefined {
  const out: number[] = [];
  for (const [b, e] of ranges) {
    for (let v = b; v <= e && out.length < count; v++) out.push(v);
    if (out.length === count) return out;
  }
  return out.length === count ? out : undefined;
}

/** Builds normal-form ranges from individual values (e.g. assigned host ports). */
export function rangesOfValues(values: readonly number[]): Range[] {
  return normalizeRanges(values.map((v) => [v, v] as const));
}

export function formatRanges(ranges: readonly Range[]): string {
  return `[${ranges.map(([b, e]) => `${b}-${e}`).join(',')}]`;
}
