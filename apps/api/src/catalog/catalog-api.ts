import { authorize, type PermissionRequest } from '@gantry/auth';
import {
  compareVersions, deepMerge, describeProblems, extractDefaults, findPackage, isJsonObject, missingPrograms, readRepository, renderPackage, resolveOptions,
  searchPackages, type CatalogPackage, type JsonObject, type MissingProgram, type PackageSummary, type RenderError, type Rendered, type RepositoryIndex,
} from '@gantry/catalog';
import type { Principal } from '../iam/authenticator.js';
import { ServiceProblem, type ServicesApi } from '../services/services-api.js';
import type { StatefulApi, StatefulServiceView } from '../stateful/api.js';
import type { HostProbe } from './host-probe.js';
import type { CatalogRepository, InstallKind, StoredInstall } from './repository.js';
import { readSource, SourceError, sourceKind } from './sources.js';

/**
 * The package catalog (DC/OS's Cosmos) for REST (`/v1/packages`, `/v1/package-repositories`)
 * and tRPC alike. Packages come from repositories in Universe's layout: the built-in one
 * shipped with Gantry (`@gantry/catalog`'s `builtin/`, read at start, always first) and
 * those operators add by URI (see sources.ts), stored in `package_repositories` and read
 * again at most every REFRESH_MS by each replica.
 *
 * Install (Cosmos `PackageDefinitionRenderer`, then Marathon):
 *   1. the package (first repository holding it, or the one named) and version (newest, or named)
 *   2. the host has what it needs (`gantry.requires` on PATH, `gantry.binaries` located)
 *      — else 422 naming each program and how to install it
 *   3. renderPackage: options = defaults ⊕ user's, validated (422 with a path per option);
 *      mustache; JSON (an invalid result names package, version and line); a valid service
 *   4. the service it renders: a Marathon app through ServicesApi (with Cosmos'
 *      DCOS_PACKAGE_* labels) or a stateful service through StatefulApi, and the install
 *      recorded in `package_installs` (the user's options, as Cosmos keeps them)
 *
 * Permissions: `gantry:package` — read (repositories, search, describe), create
 * (install), update (update), delete (uninstall); `gantry:package:repository` create /
 * delete to change the repository list. What an install creates or changes is also
 * authorized on its service path (`gantry:service:<id>`) by ServicesApi / StatefulApi,
 * and lists of installs hold only services the principal may read.
 */

export const BUILTIN_REPOSITORY = 'builtin';
const REFRESH_MS = 60_000;

export const packagePermission = (action: PermissionRequest['action']): PermissionRequest => ({ resource: 'gantry:package', action });
export const repositoryPermission = (action: PermissionRequest['action']): PermissionRequest => ({ resource: 'gantry:package:repository', action });

export interface RepositoryView {
  name: string;
  uri: string;
  builtin: boolean;
  packages: number;
  /** Package versions left out of the index, each naming its file and field. */
  problems: string[];
  /** Why the repository could not be read at all (it then offers no packages). */
  error: string | null;
}

export interface PackageDescription {
  name: string;
  version: string;
  releaseVersion: number;
  repository: string;
  /** Every version the repository holds, oldest first. */
  versions: string[];
  kind: CatalogPackage['template']['kind'];
  description: string;
  maintainer: string;
  tags: string[];
  selected: boolean;
  framework: boolean;
  website: string | null;
  licenses: { name: string; url: string }[];
  preInstallNotes: string | null;
  postInstallNotes: string | null;
  postUninstallNotes: string | null;
  /** config.json: the JSON Schema of the options (null: the package takes none). */
  config: JsonObject | null;
  /** The options an install without any takes (the schema's defaults, as Cosmos reads them). */
  defaults: JsonObject;
  resource: CatalogPackage['resource'];
  requires: string[];
  binaries: string[];
  /** What this host lacks for it now, with how to get each. */
  missing: MissingProgram[];
}

export interface InstallView {
  id: string;
  name: string;
  version: string;
  repository: string;
  kind: InstallKind;
  options: JsonObject;
  createdAt: string;
  updatedAt: string;
  /** The service's state in a word (Marathon: running/deploying/…; stateful: its status); null when it is gone. */
  status: string | null;
  /** The newest version its repository offers, when newer than the installed one. */
  newerVersion: string | null;
}

export interface InstallResult {
  id: string;
  kind: InstallKind;
  name: string;
  version: string;
  repository: string;
  options: JsonObject;
  postInstallNotes: string | null;
  /** Marathon: the deployment rolling it out. */
  deploymentId?: string;
  /** Stateful: the service with its plans. */
  service?: StatefulServiceView;
}

interface Loaded {
  name: string;
  uri: string;
  builtin: boolean;
  index: RepositoryIndex;
  problems: string[];
  error: string | null;
  loadedAt: number;
}

const EMPTY = (name: string): RepositoryIndex => ({ name, packages: [] });
const RepoName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class CatalogApi {
  private builtin: Loaded | null = null;
  private readonly loaded = new Map<string, Promise<Loaded>>();

  constructor(
    private readonly store: CatalogRepository,
    private readonly builtinDir: string,
    private readonly services: ServicesApi,
    private readonly stateful: StatefulApi,
    private readonly host: HostProbe,
    private readonly now: () => Date,
  ) {}

  /** Reads the built-in repository (at start: a broken built-in package shows in its problems, never stops the API). */
  async start(): Promise<void> {
    this.builtin = await this.load(BUILTIN_REPOSITORY, this.builtinDir, true);
    for (const p of this.builtin.problems) console.error(`built-in package repository: ${p}`);
  }

  // ── repositories ──────────────────────────────────────────────────────────

  async repositories(principal: Principal): Promise<RepositoryView[]> {
    this.require(principal, packagePermission('read'));
    return (await this.all()).map(repositoryView);
  }

  /** Cosmos `package repo add <name> <uri> [--index]`: read and checked before it is stored. */
  async addRepository(principal: Principal, input: { name: string; uri: string; index?: number }): Promise<RepositoryView> {
    this.require(principal, repositoryPermission('create'));
    const details: { path: string; errors: string[] }[] = [];
    if (!RepoName.test(input.name ?? '')) details.push({ path: '/name', errors: ['letters, digits, ".", "_" and "-", at most 64'] });
    else if (input.name === BUILTIN_REPOSITORY) details.push({ path: '/name', errors: [`"${BUILTIN_REPOSITORY}" is the built-in repository's name`] });
    const kind = sourceKind(input.uri ?? '');
    if (!kind.ok) details.push({ path: '/uri', errors: [kind.error] });
    if (input.index !== undefined && !(Number.isInteger(input.index) && input.index >= 0)) details.push({ path: '/index', errors: ['a position, 0 or more'] });
    if (details.length) throw new ServiceProblem(422, { message: 'Object is not valid', details });
    const loaded = await this.load(input.name, input.uri, false);
    if (loaded.error) throw new ServiceProblem(422, { message: `the repository cannot be read: ${loaded.error}`, details: [{ path: '/uri', errors: [loaded.error] }] });
    if (loaded.index.packages.length === 0) {
      const why = loaded.problems.length ? `every package in it is invalid: ${loaded.problems.slice(0, 5).join('; ')}` : 'no packages/<L>/<name>/<n>/package.json in it';
      throw new ServiceProblem(422, { message: `${input.uri} is not a package repository: ${why}`, details: [{ path: '/uri', errors: [why] }] });
    }
    if (!(await this.store.addRepository(input.name, input.uri, input.index, this.now()))) {
      throw new ServiceProblem(409, { message: `a repository named ${input.name} exists already` });
    }
    this.loaded.set(key(input.name, input.uri), Promise.resolve(loaded));
    return repositoryView(loaded);
  }

  async removeRepository(principal: Principal, name: string): Promise<void> {
    this.require(principal, repositoryPermission('delete'));
    if (name === BUILTIN_REPOSITORY) throw new ServiceProblem(409, { message: 'the built-in repository ships with Gantry and cannot be removed' });
    if (!(await this.store.removeRepository(name))) throw new ServiceProblem(404, { message: `no repository named ${name}` });
  }

  // ── packages ──────────────────────────────────────────────────────────────

  /** Cosmos `package search`: each package once (from the first repository holding it), with its repository. */
  async search(principal: Principal, query = ''): Promise<(PackageSummary & { repository: string })[]> {
    this.require(principal, packagePermission('read'));
    const seen = new Set<string>();
    const out: (PackageSummary & { repository: string })[] = [];
    for (const repo of await this.all()) {
      for (const summary of searchPackages(repo.index, query)) {
        if (seen.has(summary.name)) continue;
        seen.add(summary.name);
        out.push({ ...summary, repository: repo.name });
      }
    }
    return out.sort((a, b) => Number(b.selected) - Number(a.selected) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Cosmos `package describe`. */
  async describe(principal: Principal, name: string, version?: string, repository?: string): Promise<PackageDescription> {
    this.require(principal, packagePermission('read'));
    const { pkg, repo } = await this.find(name, version, repository);
    return this.description(pkg, repo);
  }

  /** The install form's check: the same validation an install does (options only), with a path per error. */
  async checkOptions(principal: Principal, input: { name: string; version?: string; repository?: string; options?: JsonObject }): Promise<{ ok: boolean; options: JsonObject; details: { path: string; errors: string[] }[] }> {
    this.require(principal, packagePermission('read'));
    const { pkg } = await this.find(input.name, input.version, input.repository);
    const resolved = resolveOptions(pkg, input.options ?? {});
    if (resolved.ok) return { ok: true, options: resolved.options, details: [] };
    return { ok: false, options: {}, details: renderDetails(resolved.error) };
  }

  async install(principal: Principal, input: { name: string; version?: string; repository?: string; options?: JsonObject }): Promise<InstallResult> {
    this.require(principal, packagePermission('create'));
    const { pkg, repo } = await this.find(input.name, input.version, input.repository);
    const options = input.options ?? {};
    const rendered = this.render(pkg, repo, options);
    const id = this.serviceId(rendered);
    const kind: InstallKind = rendered.kind === 'marathon' ? 'MARATHON' : 'STATEFUL';
    const record = { serviceId: id, packageName: pkg.name, packageVersion: pkg.version, repository: repo.name, kind, options };
    const base = { id, kind, name: pkg.name, version: pkg.version, repository: repo.name, options, postInstallNotes: pkg.postInstallNotes ?? null };
    const taken = () => new ServiceProblem(409, { message: `${id} is installed already (a package installs one service per name: choose another service name in the options)` });

    if (rendered.kind === 'stateful') {
      const service = await this.stateful.create(principal, rendered.definition, {
        alsoInTransaction: async (tx) => {
          if (!(await this.store.recordInstall(record, this.now(), tx))) throw taken();
        },
      });
      return { ...base, service };
    }
    this.services.require(principal, id, 'create');
    if (await this.stateful.exists(id)) throw new ServiceProblem(409, { message: `A stateful service with id [${id}] already exists.` });
    // The install row claims the name first; a refused app gives it back.
    if (!(await this.store.recordInstall(record, this.now()))) throw taken();
    try {
      const { deployed } = await this.services.createApp(principal, rendered.json);
      return { ...base, deploymentId: deployed.deploymentId };
    } catch (error) {
      await this.store.removeInstall(id);
      throw error;
    }
  }

  /**
   * Cosmos `package update` / the SDK's `update start`: a new version, new options, or
   * both. Options given are merged over the installed ones (`replace`: instead of them),
   * then rendered as an install is; the service's name cannot change. A Marathon app
   * being deployed refuses with 409 naming the deployment, unless `force`.
   */
  async update(principal: Principal, id: string, input: { version?: string; options?: JsonObject; replace?: boolean; force?: boolean }): Promise<InstallResult & { changed: boolean }> {
    this.require(principal, packagePermission('update'));
    const installed = await this.installed(principal, id);
    const { pkg, repo } = await this.find(installed.packageName, input.version ?? installed.packageVersion, input.version === undefined ? installed.repository : undefined);
    if (pkg.version !== installed.packageVersion && pkg.upgradesFrom && !pkg.upgradesFrom.includes('*') && !pkg.upgradesFrom.includes(installed.packageVersion)) {
      throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/version', errors: [`${pkg.name} ${pkg.version} does not upgrade from ${installed.packageVersion} (it upgrades from ${pkg.upgradesFrom.join(', ') || 'no version'})`] }] });
    }
    const options = input.replace ? (input.options ?? {}) : deepMerge(installed.options, input.options ?? {});
    const rendered = this.render(pkg, repo, options);
    if (this.serviceId(rendered) !== id) {
      throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/service/name', errors: [`the service's name cannot change on update (${id} → ${this.serviceId(rendered)}): install it anew under the new name`] }] });
    }
    const change = { packageVersion: pkg.version, repository: repo.name, options };
    const base = { id, kind: installed.kind, name: pkg.name, version: pkg.version, repository: repo.name, options, postInstallNotes: pkg.postInstallNotes ?? null };
    if (rendered.kind === 'stateful') {
      if (installed.kind !== 'STATEFUL') throw new ServiceProblem(409, { message: `${id} was installed as a Marathon app; ${pkg.name} ${pkg.version} is a stateful service: uninstall it first` });
      const { service, changed } = await this.stateful.update(principal, id, rendered.definition, { alsoInTransaction: (tx) => this.store.updateInstall(id, change, this.now(), tx) });
      return { ...base, service, changed };
    }
    if (installed.kind !== 'MARATHON') throw new ServiceProblem(409, { message: `${id} was installed as a stateful service; ${pkg.name} ${pkg.version} is a Marathon app: uninstall it first` });
    // Marathon: 409 while another deployment of the app is at work, unless forced.
    const { deployed } = await this.services.putApp(principal, id, rendered.json, { partial: false, force: input.force ?? false });
    await this.store.updateInstall(id, change, this.now());
    return { ...base, deploymentId: deployed.deploymentId, changed: true };
  }

  /** Cosmos `package uninstall`; a stateful service's volumes and reservations go only with `destroyData`. */
  async uninstall(principal: Principal, id: string, options: { destroyData?: boolean } = {}): Promise<{ id: string; message: string; postUninstallNotes: string | null }> {
    this.require(principal, packagePermission('delete'));
    const installed = await this.installed(principal, id);
    const pkg = (await this.find(installed.packageName, installed.packageVersion, installed.repository).catch(() => null))?.pkg;
    const notes = pkg?.postUninstallNotes ?? null;
    if (installed.kind === 'STATEFUL') {
      try {
        const result = await this.stateful.uninstall(principal, id, options.destroyData ?? false, { alsoInTransaction: (tx) => this.store.removeInstall(id, tx) });
        return { id, message: result.message, postUninstallNotes: notes };
      } catch (error) {
        if (!(error instanceof ServiceProblem && error.status === 404)) throw error;
        await this.store.removeInstall(id);
        return { id, message: `${id} was gone already; its install record is removed`, postUninstallNotes: notes };
      }
    }
    try {
      // Cosmos deletes the app with force=true: an uninstall does not wait for a deployment at work.
      await this.services.deleteApp(principal, id, { force: true });
    } catch (error) {
      if (!(error instanceof ServiceProblem && error.status === 404)) throw error;
    }
    await this.store.removeInstall(id);
    return { id, message: `${id} is being removed`, postUninstallNotes: notes };
  }

  /** Installed packages whose services the principal may read, with their state in a word. */
  async installs(principal: Principal): Promise<InstallView[]> {
    this.require(principal, packagePermission('read'));
    const readable = (await this.store.installs()).filter((i) => mayReadService(principal, i.serviceId));
    if (readable.length === 0) return [];
    const [apps, statefuls, repos] = await Promise.all([
      readable.some((i) => i.kind === 'MARATHON') ? this.services.listApps(principal) : Promise.resolve([]),
      readable.some((i) => i.kind === 'STATEFUL') ? this.stateful.list(principal) : Promise.resolve([]),
      this.all(),
    ]);
    const appById = new Map(apps.map((a) => [a.id, a]));
    const statefulById = new Map(statefuls.map((s) => [s.id, s]));
    return readable.map((i) => {
      let status: string | null = null;
      if (i.kind === 'STATEFUL') status = statefulById.get(i.serviceId)?.status ?? null;
      else {
        const app = appById.get(i.serviceId);
        if (app) status = app.deployments.length > 0 ? 'DEPLOYING' : app.instances === 0 ? 'SUSPENDED' : app.tasksRunning >= app.instances ? 'RUNNING' : 'WAITING';
      }
      const repo = repos.find((r) => r.name === i.repository);
      const versions = repo?.index.packages.find((p) => p.name === i.packageName)?.versions ?? [];
      const newest = versions[versions.length - 1]?.version ?? null;
      return {
        id: i.serviceId, name: i.packageName, version: i.packageVersion, repository: i.repository, kind: i.kind, options: i.options,
        createdAt: i.createdAt.toISOString(), updatedAt: i.updatedAt.toISOString(), status,
        newerVersion: newest !== null && newest !== i.packageVersion && compareVersions(newest, i.packageVersion) > 0 ? newest : null,
      };
    });
  }

  // ── helpers ───────────────────────────────────────────────────────────────

  require(principal: Principal, permission: PermissionRequest): void {
    const verdict = authorize(principal.grants, permission);
    if (!verdict.allowed) throw new ServiceProblem(403, { message: `forbidden: ${verdict.reason}` });
  }

  private async installed(principal: Principal, raw: string): Promise<StoredInstall> {
    const id = this.stateful.id(raw);
    // Another team's service answers as one that does not exist would: 403 first.
    this.services.require(principal, id, 'read');
    const installed = await this.store.install(id);
    if (!installed) throw new ServiceProblem(404, { message: `${id} was not installed from the catalog` });
    return installed;
  }

  private serviceId(rendered: Rendered): string {
    return rendered.kind === 'marathon' ? rendered.app.id : this.stateful.id(rendered.definition.name);
  }

  /** Steps 2-3 of an install: what the host lacks, then the package rendered; every refusal a 422 saying what to fix. */
  private render(pkg: CatalogPackage, repo: Loaded, options: JsonObject): Rendered {
    const binaries: Record<string, string> = {};
    for (const p of pkg.gantry.binaries) {
      const dir = this.host.binaries(p);
      if (dir !== undefined) binaries[p] = dir;
    }
    const missing = missingPrograms(pkg, (p) => this.host.program(p), binaries);
    if (missing.length > 0) {
      throw new ServiceProblem(422, {
        message: `${pkg.name} ${pkg.version} cannot be installed here: ${missing.map((m) => m.message).join('; ')}`,
        kind: 'MissingPrograms',
        missing,
        details: [],
      });
    }
    if (!isJsonObject(options)) throw new ServiceProblem(422, { message: 'Object is not valid', details: [{ path: '/options', errors: ['options are a JSON object'] }] });
    const result = renderPackage(pkg, options, { gantry: { binaries }, source: repo.name });
    if (!result.ok) throw renderProblem(result.error);
    return result;
  }

  private async find(name: string, version: string | undefined, repository: string | undefined): Promise<{ pkg: CatalogPackage; repo: Loaded }> {
    const repos = (await this.all()).filter((r) => repository === undefined || r.name === repository);
    if (repository !== undefined && repos.length === 0) throw new ServiceProblem(404, { message: `no repository named ${repository}` });
    for (const repo of repos) {
      if (!repo.index.packages.some((p) => p.name === name)) continue;
      const pkg = findPackage(repo.index, name, version);
      if (!pkg) {
        const versions = repo.index.packages.find((p) => p.name === name)!.versions.map((v) => v.version);
        throw new ServiceProblem(404, { message: `${name} has no version ${version} in ${repo.name} (it has ${versions.join(', ')})` });
      }
      return { pkg, repo };
    }
    throw new ServiceProblem(404, { message: `no package named ${name}${repository ? ` in ${repository}` : ' in any repository'}` });
  }

  private description(pkg: CatalogPackage, repo: Loaded): PackageDescription {
    const binaries: Record<string, string> = {};
    for (const p of pkg.gantry.binaries) {
      const dir = this.host.binaries(p);
      if (dir !== undefined) binaries[p] = dir;
    }
    return {
      name: pkg.name,
      version: pkg.version,
      releaseVersion: pkg.releaseVersion,
      repository: repo.name,
      versions: repo.index.packages.find((p) => p.name === pkg.name)?.versions.map((v) => v.version) ?? [pkg.version],
      kind: pkg.template.kind,
      description: pkg.description,
      maintainer: pkg.maintainer,
      tags: pkg.tags,
      selected: pkg.selected,
      framework: pkg.framework,
      website: pkg.website ?? null,
      licenses: pkg.licenses ?? [],
      preInstallNotes: pkg.preInstallNotes ?? null,
      postInstallNotes: pkg.postInstallNotes ?? null,
      postUninstallNotes: pkg.postUninstallNotes ?? null,
      config: pkg.config,
      defaults: extractDefaults(pkg.config),
      resource: pkg.resource,
      requires: pkg.gantry.requires,
      binaries: pkg.gantry.binaries,
      missing: missingPrograms(pkg, (p) => this.host.program(p), binaries),
    };
  }

  /** The built-in repository, then the stored ones in their order, each read at most every REFRESH_MS. */
  private async all(): Promise<Loaded[]> {
    const stored = await this.store.repositories();
    const names = new Set(stored.map((r) => key(r.name, r.uri)));
    for (const k of this.loaded.keys()) if (!names.has(k)) this.loaded.delete(k);
    const loaded = await Promise.all(stored.map((r) => {
      const k = key(r.name, r.uri);
      const cached = this.loaded.get(k);
      const fresh = cached?.then((l) => this.now().getTime() - l.loadedAt < REFRESH_MS);
      return (async () => {
        if (cached && (await fresh)) return cached;
        const next = this.load(r.name, r.uri, false);
        this.loaded.set(k, next);
        return next;
      })();
    }));
    return [this.builtin ?? (await this.load(BUILTIN_REPOSITORY, this.builtinDir, true)), ...loaded];
  }

  private async load(name: string, uri: string, builtin: boolean): Promise<Loaded> {
    const loadedAt = this.now().getTime();
    try {
      const { index, problems } = readRepository(name, await readSource(uri));
      return { name, uri, builtin, index, problems: describeProblems(problems), error: null, loadedAt };
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      return { name, uri, builtin, index: EMPTY(name), problems: [], error: error.message, loadedAt };
    }
  }
}

const key = (name: string, uri: string) => `${name}\u0000${uri}`;

function repositoryView(r: Loaded): RepositoryView {
  return { name: r.name, uri: r.builtin ? 'builtin' : r.uri, builtin: r.builtin, packages: r.index.packages.length, problems: r.problems, error: r.error };
}

function mayReadService(principal: Principal, id: string): boolean {
  return authorize(principal.grants, { resource: `gantry:service:${id}`, action: 'read' }).allowed;
}

function renderDetails(error: RenderError): { path: string; errors: string[] }[] {
  switch (error.kind) {
    case 'InvalidOptions':
      return error.details.length ? error.details : [{ path: '/', errors: [error.message] }];
    case 'InvalidServiceDefinition':
      return error.details;
    default:
      return [{ path: '/', errors: [error.message] }];
  }
}

/** A render's refusal as the API answers it: 422 with what is wrong, and the kind of wrong for the console. */
function renderProblem(error: RenderError): ServiceProblem {
  const body: Record<string, unknown> = { kind: error.kind };
  if (error.kind === 'InvalidTemplateOutput') {
    if (error.line !== undefined) body.line = error.line;
    if (error.column !== undefined) body.column = error.column;
  }
  if (error.kind === 'MissingPrograms') body.missing = error.missing;
  const details = error.kind === 'InvalidOptions' || error.kind === 'InvalidServiceDefinition' || error.kind === 'OptionsNotAllowed' ? renderDetails(error) : [];
  return new ServiceProblem(422, { ...body, message: error.message, details });
}
