/**
 * A repository of packages: Universe's layout read from a map of file paths to contents
 * (the runtime reads a directory or an archive; this stays pure), and the index the
 * console and the CLI search.
 *
 *   packages/<L>/<name>/<releaseVersion>/{package.json, config.json, <template>, resource.json}
 *
 * `<L>` is the name's first letter upper-cased (Universe shards by it); the directory name
 * must match the package.json name. A package version that fails validation is left out
 * of the index and reported, so one broken package does not hide the others.
 */
import { formatPackageError, type CatalogPackage, type PackageError } from './package-files.js';
import { validatePackage } from './validate-package.js';
import { comparePackageVersions } from './versions.js';

export interface RepositoryEntry {
  readonly name: string;
  /** Oldest first (Universe order). */
  readonly versions: readonly CatalogPackage[];
}

export interface RepositoryIndex {
  readonly name: string;
  /** By name. */
  readonly packages: readonly RepositoryEntry[];
}

export interface RepositoryProblem {
  readonly location: string;
  readonly errors: readonly PackageError[];
}

const LAYOUT = /^(?:.*\/)?packages\/([A-Z0-9])\/([^/]+)\/(\d+)\/([^/]+)$/;

export function readRepository(name: string, files: Readonly<Record<string, string>>): { index: RepositoryIndex; problems: RepositoryProblem[] } {
  const versions = new Map<string, { letter: string; pkg: string; release: number; files: Record<string, string> }>();
  for (const [path, content] of Object.entries(files)) {
    const m = LAYOUT.exec(path);
    if (!m) continue;
    const [, letter, pkg, release, file] = m as unknown as [string, string, string, string, string];
    const key = `${pkg}/${release}`;
    const entry = versions.get(key) ?? { letter, pkg, release: Number(release), files: {} };
    entry.files[file] = content;
    versions.set(key, entry);
  }
  const problems: RepositoryProblem[] = [];
  const byName = new Map<string, CatalogPackage[]>();
  for (const v of [...versions.values()].sort((a, b) => (a.pkg < b.pkg ? -1 : a.pkg > b.pkg ? 1 : a.release - b.release))) {
    const location = `packages/${v.letter}/${v.pkg}/${v.release}`;
    const result = validatePackage(v.files, v.release);
    if (!result.ok) {
      problems.push({ location, errors: result.errors });
      continue;
    }
    const errors: PackageError[] = [];
    if (result.package.name !== v.pkg) errors.push({ file: 'package.json', path: '/name', message: `"${result.package.name}" does not match its directory ${location}` });
    if (v.letter !== v.pkg[0]!.toUpperCase()) errors.push({ file: 'package.json', path: '/name', message: `belongs under packages/${v.pkg[0]!.toUpperCase()}/` });
    if (errors.length > 0) {
      problems.push({ location, errors });
      continue;
    }
    byName.set(v.pkg, [...(byName.get(v.pkg) ?? []), result.package]);
  }
  const packages = [...byName].map(([n, list]) => ({ name: n, versions: [...list].sort(comparePackageVersions) }));
  return { index: { name, packages }, problems };
}

export function describeProblems(problems: readonly RepositoryProblem[]): string[] {
  return problems.flatMap((p) => p.errors.map((e) => `${p.location}/${formatPackageError(e)}`));
}

/** The newest version, or a given one (by version string). */
export function findPackage(index: RepositoryIndex, name: string, version?: string): CatalogPackage | undefined {
  const entry = index.packages.find((p) => p.name === name);
  if (!entry) return undefined;
  if (version === undefined) return entry.versions[entry.versions.length - 1];
  return entry.versions.find((v) => v.version === version);
}

export interface PackageSummary {
  readonly name: string;
  readonly version: string;
  readonly versions: readonly string[];
  readonly description: string;
  readonly tags: readonly string[];
  readonly selected: boolean;
  readonly framework: boolean;
  readonly kind: CatalogPackage['template']['kind'];
}

/**
 * Cosmos' search: a query matches a name, description or tag (case-insensitive, `*`
 * as a wildcard); selected packages first, then by name.
 */
export function searchPackages(index: RepositoryIndex, query = ''): PackageSummary[] {
  const q = query.trim().toLowerCase();
  const re = q.includes('*') ? new RegExp(`^${q.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`) : null;
  const matches = (s: string) => (re ? re.test(s.toLowerCase()) : s.toLowerCase().includes(q));
  return index.packages
    .map((e) => ({ e, latest: e.versions[e.versions.length - 1]! }))
    .filter(({ latest }) => q === '' || matches(latest.name) || matches(latest.description) || latest.tags.some(matches))
    .sort((a, b) => Number(b.latest.selected) - Number(a.latest.selected) || (a.e.name < b.e.name ? -1 : a.e.name > b.e.name ? 1 : 0))
    .map(({ e, latest }) => ({
      name: e.name,
      version: latest.version,
      versions: e.versions.map((v) => v.version),
      description: latest.description,
      tags: latest.tags,
      selected: latest.selected,
      framework: latest.framework,
      kind: latest.template.kind,
    }));
}
