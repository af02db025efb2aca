/**
 * Ordering package versions. Universe orders the versions of a package by their release
 * version — the number of the directory they sit in (`repo/packages/R/redis/3/`), which
 * Cosmos compares as an integer. Version strings are free-form there (`1.10.3`,
 * `2.3.0-3.0.16`); where they must be compared (no release version, or equal ones) we use
 * Cosmos' relaxed SemVer (`universe/v3/model/SemVer.scala`): missing minor/patch are 0, a
 * pre-release sorts before its release, numeric identifiers numerically, numbers before
 * words; a build suffix (`+…`) is ignored. Strings that are not SemVer sort after those
 * that are, by plain comparison.
 */
interface SemVer {
  readonly core: readonly [number, number, number];
  readonly pre: readonly (string | number)[];
}

const SEMVER = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.]+)?$/;

export function parseSemVer(version: string): SemVer | null {
  const m = SEMVER.exec(version);
  if (!m) return null;
  const pre = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) : [];
  return { core: [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], pre };
}

function cmp(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** < 0 when `a` is older than `b`. */
export function compareVersions(a: string, b: string): number {
  const x = parseSemVer(a);
  const y = parseSemVer(b);
  if (!x || !y) {
    if (x) return -1;
    if (y) return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i]! - y.core[i]!;
  if (x.pre.length === 0 || y.pre.length === 0) return y.pre.length - x.pre.length; // a release is newer than its pre-releases
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    if (x.pre[i] === undefined) return -1;
    if (y.pre[i] === undefined) return 1;
    const c = cmp(x.pre[i]!, y.pre[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** Universe's order: release version, then the version string. */
export function comparePackageVersions(a: { releaseVersion: number; version: string }, b: { releaseVersion: number; version: string }): number {
  return a.releaseVersion - b.releaseVersion || compareVersions(a.version, b.version);
}
