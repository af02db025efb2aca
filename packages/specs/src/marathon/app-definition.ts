import { z } from 'zod';
import type { ApiError } from '../api-error.js';
import { type FetchArtifact, LegacyUri, artifactFromUri, artifactSchema } from './artifact.js';
import { AppConstraint } from './constraint.js';
import { type AppContainer, containerImageProblems, containerSchema, hasPersistentVolumes } from './container.js';
import { type AppHealthCheck, MESOS_PROTOCOLS, healthCheckSchema } from './health-check.js';
import { parentPath, resolvePathId } from './path-id.js';
import {
  AnyPort,
  DEFAULT_PORT_DEFINITIONS,
  Labels,
  type PortDefinition,
  portDefinitionProblems,
  portDefinitionSchema,
  portDefinitionsFromPorts,
} from './port-definition.js';
import { type AppReadinessCheck, readinessCheckSchema } from './readiness-check.js';
import { type Problem, type UnknownFields, apiError, describeValue, distinct, isRecord, objectSchema, parseWith, withoutNulls } from './validation.js';

/**
 * Marathon's AppDefinition as `POST /v2/apps` accepts it (app.raml), read into one
 * normalized `App`: every default filled, legacy fields (`ports`, `uris`) converted,
 * ids absolute. Parsing reports every problem at once, in Marathon's error shape.
 */

export const KILL_SELECTIONS = ['YOUNGEST_FIRST', 'OLDEST_FIRST'] as const;
export type KillSelection = (typeof KILL_SELECTIONS)[number];

export interface UpgradeStrategy {
  /** Share of `instances` that must stay healthy during a rolling upgrade, in [0, 1]. */
  minimumHealthCapacity: number;
  /** Share of `instances` that may run on top of them during the upgrade, in [0, 1]. */
  maximumOverCapacity: number;
}

/** `"disabled"`: unreachable instances are never replaced (the default for resident apps). */
export type UnreachableStrategy = 'disabled' | { inactiveAfterSeconds: number; expungeAfterSeconds: number };

/** Marathon keeps `residency` for apps with persistent volumes; it has had no effect since 1.5. */
export interface Residency {
  relaunchEscalationTimeoutSeconds: number;
  taskLostBehavior: 'WAIT_FOREVER' | 'RELAUNCH_AFTER_TIMEOUT';
}

export interface AppNetwork {
  mode: 'host';
  name?: string;
  labels?: Record<string, string>;
}

/** A normalized app definition: what Gantry stores and `/v2` returns. */
export interface App {
  id: string;
  cmd?: string;
  args?: string[];
  user?: string;
  env: Record<string, string>;
  instances: number;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  executor: string;
  constraints: AppConstraint[];
  fetch: FetchArtifact[];
  storeUrls?: string[];
  portDefinitions: PortDefinition[];
  requirePorts: boolean;
  backoffSeconds: number;
  backoffFactor: number;
  maxLaunchDelaySeconds: number;
  container?: AppContainer;
  healthChecks: AppHealthCheck[];
  readinessChecks: AppReadinessCheck[];
  dependencies: string[];
  upgradeStrategy: UpgradeStrategy;
  labels: Record<string, string>;
  acceptedResourceRoles?: string[];
  residency?: Residency;
  taskKillGracePeriodSeconds?: number;
  unreachableStrategy: UnreachableStrategy;
  killSelection: KillSelection;
  networks: AppNetwork[];
  tty?: boolean;
  role?: string;
}

export type AppResult = { ok: true; app: App } | { ok: false; error: ApiError };

export interface ParseAppOptions {
  /** The group that relative ids are resolved against; `/` by default. */
  base?: string;
  /** `create` rejects unknown fields; `update` drops them. */
  mode: 'create' | 'update';
}

// Marathon (app.raml `executor`): "" or "//cmd" is the command executor; anything else
// names a custom executor, which Gantry cannot start.
const COMMAND_EXECUTORS = new Set(['', '//cmd']);

// Marathon (Apps.LabelSingleInstanceApp): an app that must never run twice at once.
const SINGLE_INSTANCE_LABEL = 'MARATHON_SINGLE_INSTANCE_APP';

const NOT_YET_SECRETS = 'secrets are not supported yet (Gantry has no secret store)';

const fraction = z.number().min(0).max(1);

function unreachableStrategySchema(unknownFields: UnknownFields) {
  const enabled = objectSchema(unknownFields, {
    inactiveAfterSeconds: z.int().min(0).default(0),
    expungeAfterSeconds: z.int().min(0).default(0),
  });
  return z.union([z.literal('disabled'), enabled], {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `must be "disabled" or {"inactiveAfterSeconds": …, "expungeAfterSeconds": …}, not ${describeValue(issue.input)}`
        : undefined,
  });
}

// Fields Marathon knows and Gantry cannot honour yet: refused by name, in both modes,
// rather than dropped or called unknown.
const NOT_SUPPORTED_YET: Readonly<Record<string, string>> = {
  ipAddress: 'ipAddress (an IP address per task) is not supported yet: remove it; tasks use host networking',
  check: 'app checks (check) are not supported yet: use healthChecks',
  resourceLimits: 'resourceLimits are not supported yet: tasks are limited to their cpus and mem',
  executorResources: 'executorResources are not supported yet: Gantry runs no executor',
};

/** The app's fields, each parsed on its own so that one bad field hides no other problem. */
function appFields(unknownFields: UnknownFields) {
  return {
    id: z.string().min(1),
    cmd: z.string().min(1).optional(),
    args: z.array(z.string()).optional(),
    user: z.string().optional(),
    env: z.record(
      z.string().min(1),
      z.string({
        error: (issue) =>
          isRecord(issue.input) && 'secret' in issue.input
            ? `${NOT_YET_SECRETS}: give the value itself as a string`
            : `an environment variable's value is a string, not ${describeValue(issue.input)}`,
      }),
    ).default({}),
    instances: z.int().min(0).default(1),
    cpus: z.number().min(0.001).default(1),
    mem: z.number().min(0).default(128),
    disk: z.number().min(0).default(0),
    gpus: z.int().min(0).default(0),
    executor: z.string().refine((executor) => COMMAND_EXECUTORS.has(executor), {
      message: 'custom executors are not supported yet: leave executor out, or use "" or "//cmd"',
    }).default(''),
    constraints: z.array(AppConstraint).default([]),
    fetch: z.array(artifactSchema(unknownFields)).optional(),
    uris: z.array(LegacyUri).optional(),
    storeUrls: z.array(z.string()).optional(),
    ports: z.array(AnyPort).optional(),
    portDefinitions: z.array(portDefinitionSchema(unknownFields)).optional(),
    requirePorts: z.boolean().default(false),
    backoffSeconds: z.int().min(0).default(1),
    backoffFactor: z.number().min(1).default(1.15),
    maxLaunchDelaySeconds: z.int().min(0).default(300),
    container: containerSchema(unknownFields).optional(),
    healthChecks: z.array(healthCheckSchema(unknownFields)).default([]),
    readinessChecks: z.array(readinessCheckSchema(unknownFields)).default([]),
    dependencies: z.array(z.string()).default([]),
    // Each missing share takes the app's default, which depends on its volumes.
    upgradeStrategy: objectSchema(unknownFields, {
      minimumHealthCapacity: fraction.optional(),
      maximumOverCapacity: fraction.optional(),
    }).optional(),
    labels: Labels.default({}),
    acceptedResourceRoles: z.array(z.string().min(1)).min(1).optional(),
    residency: objectSchema(unknownFields, {
      relaunchEscalationTimeoutSeconds: z.int().min(0).default(3600),
      taskLostBehavior: z.enum(['WAIT_FOREVER', 'RELAUNCH_AFTER_TIMEOUT']).default('WAIT_FOREVER'),
    }).optional(),
    secrets: z.record(z.string(), z.unknown()).refine((secrets) => Object.keys(secrets).length === 0, {
      message: `${NOT_YET_SECRETS}: remove secrets and give values in env`,
    }).optional(),
    taskKillGracePeriodSeconds: z.int().min(0).optional(),
    unreachableStrategy: unreachableStrategySchema(unknownFields).optional(),
    killSelection: z.enum(KILL_SELECTIONS).default('YOUNGEST_FIRST'),
    // Marathon's network modes are host, container and container/bridge; the last two
    // need CNI networking, which Gantry does not have yet.
    networks: z.array(
      objectSchema(unknownFields, {
        mode: z.enum(['host', 'container', 'container/bridge']).default('container'),
        name: z.string().min(1).optional(),
        labels: Labels.optional(),
      }),
    ).optional(),
    tty: z.boolean().optional(),
    role: z.string().min(1).optional(),
    // Marathon: clients send back the version fields they read; the server sets them.
    version: z.unknown(),
    versionInfo: z.unknown(),
  };
}

type Fields = ReturnType<typeof appFields>;
type FieldName = keyof Fields;
type Parsed = { [K in FieldName]?: z.output<Fields[K]> };

const FIELDS: Record<UnknownFields, Fields> = { reject: appFields('reject'), ignore: appFields('ignore') };

/** The fields that parsed, and the names of those that did not (their problems are already reported). */
interface FieldValues {
  values: Parsed;
  failed: ReadonlySet<FieldName>;
}

function parseFields(json: Record<string, unknown>, unknownFields: UnknownFields, problems: Problem[]): FieldValues {
  const fields = FIELDS[unknownFields];
  for (const [key, message] of Object.entries(NOT_SUPPORTED_YET)) {
    if (json[key] != null) problems.push({ path: [key], message });
  }
  if (unknownFields === 'reject') {
    for (const key of Object.keys(json)) {
      if (!Object.hasOwn(fields, key) && !Object.hasOwn(NOT_SUPPORTED_YET, key)) {
        problems.push({ path: [key], message: 'is not a field of a Marathon app definition: check its spelling, or remove it' });
      }
    }
  }
  const values: Record<string, unknown> = {};
  const failed = new Set<FieldName>();
  for (const name of Object.keys(fields) as FieldName[]) {
    const result = parseWith(fields[name], json[name], [name]);
    if (result.ok) values[name] = result.value;
    else {
      failed.add(name);
      problems.push(...result.problems);
    }
  }
  return { values: values as Parsed, failed };
}

function resolveId(id: string | undefined, base: string, problems: Problem[]): string | undefined {
  if (id === undefined) return undefined;
  const resolved = resolvePathId(id, base);
  if (!resolved.ok) {
    problems.push({ path: ['id'], message: resolved.error });
    return undefined;
  }
  if (resolved.id === '/') {
    problems.push({ path: ['id'], message: 'an app id must name the app, not the root group (e.g. /team-a/web)' });
    return undefined;
  }
  return resolved.id;
}

/**
 * Marathon resolves relative dependencies against the group the request is about,
 * which for an app inside a group is its parent; we always use the app's parent, so
 * `db` next to `/shop/web` means `/shop/db` however the app was posted.
 */
function resolveDependencies(dependencies: readonly string[], group: string, problems: Problem[]): string[] {
  const resolved: string[] = [];
  dependencies.forEach((dependency, i) => {
    const result = resolvePathId(dependency, group);
    if (!result.ok) problems.push({ path: ['dependencies', i], message: result.error });
    else if (result.id === '/') problems.push({ path: ['dependencies', i], message: 'an app cannot depend on the root group: name an app or a group' });
    else resolved.push(result.id);
  });
  return distinct(resolved);
}

/**
 * Marathon (AppNormalization.migratePortDefinitions, AppValidation.validateOldAppAPI):
 * `portDefinitions` wins; the legacy `ports` is read when it is missing, and may only
 * accompany it when it says the same; an app with neither gets the default port.
 */
function effectivePortDefinitions(values: Parsed, problems: Problem[]): PortDefinition[] {
  const { ports, portDefinitions } = values;
  if (ports !== undefined) {
    const seen = new Map<number, number>();
    ports.forEach((port, i) => {
      const first = seen.get(port);
      if (port !== 0 && first !== undefined) problems.push({ path: ['ports', i], message: `port ${port} is already given at ports/${first}: fixed ports must be unique (use 0 for any free port)` });
      else seen.set(port, i);
    });
  }
  if (portDefinitions !== undefined) {
    problems.push(...portDefinitionProblems(portDefinitions, ['portDefinitions']));
    if (ports !== undefined && JSON.stringify(ports) !== JSON.stringify(portDefinitions.map((d) => d.port))) {
      problems.push({ path: ['ports'], message: 'give portDefinitions or the legacy ports, not both' });
    }
    return portDefinitions;
  }
  return ports !== undefined ? portDefinitionsFromPorts(ports) : [...DEFAULT_PORT_DEFINITIONS];
}

/** Marathon (AppNormalization.Artifacts): `uris` becomes `fetch`; both at once is an error. */
function effectiveFetch(values: Parsed, problems: Problem[]): FetchArtifact[] {
  const { fetch = [], uris = [] } = values;
  if (uris.length > 0 && fetch.length > 0) problems.push({ path: ['uris'], message: 'give fetch or the legacy uris, not both' });
  return fetch.length > 0 ? fetch : uris.map(artifactFromUri);
}

function commandProblems(values: Parsed, imageRefused: boolean): Problem[] {
  const hasArgs = (values.args ?? []).length > 0;
  if (values.cmd !== undefined && hasArgs) {
    return [{ path: ['args'], message: 'give cmd (run by a shell) or args (a program and its arguments), not both' }];
  }
  // An app with an image may run the image's entry point; it is refused for its image already.
  if (values.cmd === undefined && !hasArgs && !imageRefused) {
    return [{ path: [], message: 'an app needs cmd (a shell command, e.g. "python3 -m http.server $PORT0") or args (a program and its arguments)' }];
  }
  return [];
}

function networkProblems(values: Parsed): Problem[] {
  return (values.networks ?? []).flatMap((network, i): Problem[] =>
    network.mode === 'host'
      ? []
      : [{ path: ['networks', i, 'mode'], message: `${network.mode} networking is not supported yet: use {"mode": "host"} or leave networks out` }],
  );
}

/** Marathon (Apps.DefaultNetworks): no networks means host networking. Other modes were refused already. */
function hostNetworks(networks: Parsed['networks']): AppNetwork[] {
  if (networks === undefined || networks.length === 0) return [{ mode: 'host' }];
  return networks.map(({ name, labels }) => ({ mode: 'host', ...(name !== undefined && { name }), ...(labels !== undefined && { labels }) }));
}

/**
 * Marathon (AppValidation.portIndexIsValid, haveAtMostOneMesosHealthCheck,
 * complyWithIpProtocolRules). Marathon checks the port index of its own HTTP, HTTPS and
 * TCP checks only; we check every check's, since an agent-side check with a missing
 * port fails on every task just the same.
 */
function healthCheckProblems(checks: readonly AppHealthCheck[], portCount: number | undefined): Problem[] {
  const problems: Problem[] = [];
  checks.forEach((check, i) => {
    if (portCount !== undefined && check.portIndex !== undefined && check.portIndex >= portCount) {
      problems.push({
        path: ['healthChecks', i, 'portIndex'],
        message:
          portCount === 0
            ? 'the app has no port definitions to point at: add one, or give a fixed port'
            : `points at port definition ${check.portIndex}, but the app has ${portCount} (counted from 0)`,
      });
    }
    // Marathon allows IPv6 only for agent-side checks of Docker containers, which Gantry does not run.
    if (check.ipProtocol === 'IPv6') {
      problems.push({ path: ['healthChecks', i, 'ipProtocol'], message: 'IPv6 health checks need a Docker container, which is not supported yet: use IPv4' });
    }
  });
  if (checks.filter((check) => MESOS_PROTOCOLS.has(check.protocol)).length > 1) {
    problems.push({ path: ['healthChecks'], message: 'an app has at most one MESOS_HTTP, MESOS_HTTPS or MESOS_TCP health check' });
  }
  return problems;
}

/** Marathon (AppValidation.complyWithReadinessCheckRules): at most one, on a named port. */
function readinessCheckProblems(checks: readonly AppReadinessCheck[], ports: readonly PortDefinition[] | undefined): Problem[] {
  const problems: Problem[] = [];
  if (checks.length > 1) problems.push({ path: ['readinessChecks'], message: 'an app has at most one readiness check' });
  if (ports === undefined) return problems;
  const names = ports.flatMap((port) => (port.name === undefined ? [] : [port.name]));
  checks.forEach((check, i) => {
    if (!names.includes(check.portName)) {
      problems.push({
        path: ['readinessChecks', i, 'portName'],
        message:
          `no port definition is named "${check.portName}": ` +
          (names.length === 0 ? 'give one a name in portDefinitions' : `use one of ${names.map((n) => `"${n}"`).join(', ')}`),
      });
    }
  });
  return problems;
}

/**
 * Marathon (UpgradeStrategyConverter, SchedulingValidation): the default is 1/1, and
 * 0.5/0 for apps with persistent volumes, whose new task can only start once the old
 * one has let go of its volume; a single-instance app never runs two at once.
 */
function upgradeStrategyOf(values: Parsed, resident: boolean, problems: Problem[]): UpgradeStrategy {
  const fallback = resident ? { minimumHealthCapacity: 0.5, maximumOverCapacity: 0 } : { minimumHealthCapacity: 1, maximumOverCapacity: 1 };
  const strategy = {
    minimumHealthCapacity: values.upgradeStrategy?.minimumHealthCapacity ?? fallback.minimumHealthCapacity,
    maximumOverCapacity: values.upgradeStrategy?.maximumOverCapacity ?? fallback.maximumOverCapacity,
  };
  if (resident && strategy.maximumOverCapacity !== 0) {
    problems.push({
      path: ['upgradeStrategy', 'maximumOverCapacity'],
      message: 'must be 0 for an app with persistent volumes: a new instance can only start where the old one freed its volume',
    });
  }
  if (values.labels?.[SINGLE_INSTANCE_LABEL] === 'true') {
    if (strategy.minimumHealthCapacity !== 0 || strategy.maximumOverCapacity !== 0) {
      problems.push({ path: ['upgradeStrategy'], message: `a ${SINGLE_INSTANCE_LABEL} app upgrades with minimumHealthCapacity 0 and maximumOverCapacity 0` });
    }
    if ((values.instances ?? 0) > 1) problems.push({ path: ['instances'], message: `a ${SINGLE_INSTANCE_LABEL} app runs at most 1 instance` });
  }
  return strategy;
}

/**
 * Marathon (UnreachableStrategy.default, requireUnreachableDisabledForResidentTasks):
 * `{inactiveAfterSeconds: 0, expungeAfterSeconds: 0}` since 1.5 (1.4 had 300/600),
 * and "disabled" for resident apps, whose tasks cannot move off their volume.
 */
function unreachableStrategyOf(values: Parsed, resident: boolean, problems: Problem[]): UnreachableStrategy {
  const strategy = values.unreachableStrategy ?? (resident ? 'disabled' : { inactiveAfterSeconds: 0, expungeAfterSeconds: 0 });
  if (strategy !== 'disabled' && strategy.inactiveAfterSeconds > strategy.expungeAfterSeconds) {
    problems.push({
      path: ['unreachableStrategy', 'inactiveAfterSeconds'],
      message: `must be at most expungeAfterSeconds (${strategy.expungeAfterSeconds}): an instance is replaced before it is expunged`,
    });
  }
  if (resident && strategy !== 'disabled') {
    problems.push({ path: ['unreachableStrategy'], message: 'must be "disabled" for an app with persistent volumes: its instances cannot move off their volumes' });
  }
  return strategy;
}

/** The parsed fields, checked together and normalized; undefined when anything is wrong. */
function normalize({ values, failed }: FieldValues, base: string, problems: Problem[]): App | undefined {
  const ok = (...names: FieldName[]) => names.every((name) => !failed.has(name));
  const id = resolveId(values.id, base, problems);
  const dependencies = resolveDependencies(values.dependencies ?? [], id !== undefined ? parentPath(id) : base, problems);
  const portDefinitions = ok('ports', 'portDefinitions') ? effectivePortDefinitions(values, problems) : undefined;
  const fetch = ok('fetch', 'uris') ? effectiveFetch(values, problems) : undefined;
  const imageProblems = values.container === undefined ? [] : containerImageProblems(values.container);
  problems.push(...imageProblems);
  if (ok('cmd', 'args', 'container')) problems.push(...commandProblems(values, imageProblems.length > 0));
  problems.push(...networkProblems(values));
  const healthChecks = distinct(values.healthChecks ?? []);
  problems.push(...healthCheckProblems(healthChecks, portDefinitions?.length));
  problems.push(...readinessCheckProblems(values.readinessChecks ?? [], portDefinitions));
  const resident = hasPersistentVolumes(values.container);
  const residency = values.residency ?? (resident ? { relaunchEscalationTimeoutSeconds: 3600, taskLostBehavior: 'WAIT_FOREVER' as const } : undefined);
  const upgradeStrategy = ok('upgradeStrategy', 'labels', 'instances', 'container', 'residency') ? upgradeStrategyOf(values, residency !== undefined, problems) : undefined;
  const unreachableStrategy = ok('unreachableStrategy', 'container', 'residency') ? unreachableStrategyOf(values, residency !== undefined, problems) : undefined;

  if (problems.length > 0 || failed.size > 0 || !id || !portDefinitions || !fetch || !upgradeStrategy || !unreachableStrategy) return undefined;
  const v = values as { [K in FieldName]: z.output<Fields[K]> };
  const args = v.args ?? [];
  return {
    id,
    ...(v.cmd !== undefined && { cmd: v.cmd }),
    ...(args.length > 0 && { args }),
    ...(v.user !== undefined && { user: v.user }),
    env: v.env,
    instances: v.instances,
    cpus: v.cpus,
    mem: v.mem,
    disk: v.disk,
    gpus: v.gpus,
    executor: v.executor,
    constraints: distinct(v.constraints),
    fetch,
    ...(v.storeUrls !== undefined && { storeUrls: v.storeUrls }),
    portDefinitions,
    requirePorts: v.requirePorts,
    backoffSeconds: v.backoffSeconds,
    backoffFactor: v.backoffFactor,
    maxLaunchDelaySeconds: v.maxLaunchDelaySeconds,
    ...(v.container !== undefined && { container: v.container }),
    healthChecks,
    readinessChecks: v.readinessChecks,
    dependencies,
    upgradeStrategy,
    labels: v.labels,
    ...(v.acceptedResourceRoles !== undefined && { acceptedResourceRoles: distinct(v.acceptedResourceRoles) }),
    ...(residency !== undefined && { residency }),
    ...(v.taskKillGracePeriodSeconds !== undefined && { taskKillGracePeriodSeconds: v.taskKillGracePeriodSeconds }),
    unreachableStrategy,
    killSelection: v.killSelection,
    networks: hostNetworks(v.networks),
    ...(v.tty !== undefined && { tty: v.tty }),
    ...(v.role !== undefined && { role: v.role }),
  };
}

/** The app, or every problem found in it: the building block of app and group parsing. */
export type AppReading = { app: App; problems: [] } | { app: undefined; problems: Problem[] };

export function readApp(json: unknown, options: ParseAppOptions): AppReading {
  if (!isRecord(json)) return { app: undefined, problems: [{ path: [], message: `an app definition is a JSON object, not ${describeValue(json)}` }] };
  const problems: Problem[] = [];
  const fields = parseFields(withoutNulls(json) as Record<string, unknown>, options.mode === 'create' ? 'reject' : 'ignore', problems);
  const app = normalize(fields, options.base ?? '/', problems);
  return app !== undefined ? { app, problems: [] } : { app: undefined, problems };
}

/**
 * Reads a Marathon app definition (`POST /v2/apps`, or the full body of `PUT
 * /v2/apps/{id}`; the handler puts the path's id in when the body has none).
 */
export function parseAppDefinition(json: unknown, options: ParseAppOptions): AppResult {
  const { app, problems } = readApp(json, options);
  return app !== undefined ? { ok: true, app } : { ok: false, error: apiError(problems) };
}

/**
 * The same reading as a zod schema (create mode, ids relative to the root), for tRPC
 * procedures: its issues carry the paths and messages `parseAppDefinition` reports.
 */
export const AppDefinition = z.unknown().transform((json, ctx): App => {
  const { app, problems } = readApp(json, { mode: 'create' });
  for (const { path, message } of problems) ctx.issues.push({ code: 'custom', path, message, input: json });
  return app ?? z.NEVER;
});

/**
 * Applies a partial update (`PATCH /v2/apps/{id}`, or `PUT` with `partialUpdate=true`)
 * to a stored app.
 *
 * Marathon (AppConversion.appUpdateRamlReader): every field the patch gives replaces
 * the app's, and every field it leaves out (or sets to null) keeps the app's value; a
 * legacy `ports` or `uris` in the patch replaces `portDefinitions` or `fetch`. The id
 * stays: a patch may repeat it, never change it. (A `version` alone is Marathon's
 * rollback, which the handler serves before any merge; here it is ignored.)
 */
export function mergeAppUpdate(existing: App, patch: unknown): AppResult {
  if (!isRecord(patch)) {
    return { ok: false, error: apiError([{ path: [], message: `an app update is a JSON object, not ${describeValue(patch)}` }]) };
  }
  const group = parentPath(existing.id);
  if (typeof patch.id === 'string') {
    const resolved = resolvePathId(patch.id, group);
    if (resolved.ok && resolved.id !== existing.id) {
      return { ok: false, error: apiError([{ path: ['id'], message: `an update keeps the app's id ${existing.id}: leave id out, or create ${resolved.id} as a new app` }]) };
    }
  }
  const merged: Record<string, unknown> = { ...existing };
  for (const [key, value] of Object.entries(patch)) {
    if (value !== null && value !== undefined) merged[key] = value;
  }
  if (patch.ports != null && patch.portDefinitions == null) delete merged.portDefinitions;
  if (patch.uris != null && patch.fetch == null) delete merged.fetch;
  return parseAppDefinition(merged, { base: group, mode: 'update' });
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  return keys.length === Object.keys(b).filter((key) => b[key] !== undefined).length && keys.every((key) => deepEqual(a[key], b[key]));
}

/**
 * Whether going from `a` to `b` restarts the app's tasks. Marathon: a change of
 * `instances` alone is a ScaleApplication; any other change is a RestartApplication.
 * (Version fields are not part of `App`.)
 */
export function configChanged(a: App, b: App): boolean {
  return !deepEqual({ ...a, instances: 0 }, { ...b, instances: 0 });
}
