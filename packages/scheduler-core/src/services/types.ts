/**
 * The services framework's vocabulary (Marathon's apps): what a service should be
 * (`ServiceSpec`), what runs (`Instance`), how a deployment changes it (`DeploymentAction`s
 * in dependency-ordered steps), and what the reconciler decides (`ServiceDecision`).
 *
 * Times are epoch ms except where a name says seconds (spec fields keep Marathon's
 * `…Seconds` units). The leader's runtime loads these from Postgres, calls the pure
 * functions of this folder and carries out their decisions.
 */
import type { Constraint } from '../placement/types.js';

/** Mesos task states, as the agent reports them. */
export type InstanceState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_UNKNOWN';

export interface UpgradeStrategy {
  /** Fraction of `instances` that must stay healthy during a restart (Marathon default 1). */
  minimumHealthCapacity: number;
  /** Fraction of `instances` that may run on top of `instances` during a restart (Marathon default 1). */
  maximumOverCapacity: number;
}

export interface BackoffStrategy {
  /** Delay after the first failure (Marathon default 1). */
  backoffSeconds: number;
  /** Growth per further failure, ≥ 1 (Marathon default 1.15). */
  backoffFactor: number;
  /** Cap (Marathon default 300 — 5 minutes). */
  maxLaunchDelaySeconds: number;
}

export type UnreachableStrategy = { inactiveAfterSeconds: number; expungeAfterSeconds: number } | 'disabled';

export interface ServiceSpec {
  /** `/team-a/web`. */
  id: string;
  /** ISO time; changes on every change, scale included. */
  version: string;
  /** ISO time; changes only when the config changes (Marathon `versionInfo.lastConfigChangeAt`). */
  configVersion: string;
  instances: number;
  role: string;
  cpus: number;
  mem: number;
  disk: number;
  gpus: number;
  /** One entry per port definition: 0 = any free host port; with `requirePorts` the number itself. */
  ports: readonly number[];
  requirePorts: boolean;
  constraints: readonly Constraint[];
  acceptedResourceRoles?: readonly string[];
  upgradeStrategy: UpgradeStrategy;
  backoff: BackoffStrategy;
  killSelection: 'YOUNGEST_FIRST' | 'OLDEST_FIRST';
  /** `'disabled'`: unreachable instances are never replaced (Marathon's default for resident apps). */
  unreachableStrategy: UnreachableStrategy;
  /** Has health checks: an instance counts as healthy only when `healthy === true`. */
  healthChecked: boolean;
  /** Has readiness checks: a new instance counts as ready only when `ready === true`. */
  readinessChecked: boolean;
  /** Ids of apps (or groups: every app under the path) this one starts after. */
  dependencies: readonly string[];
}

export interface Instance {
  taskId: string;
  agentId: string;
  hostname: string;
  zone?: string;
  region?: string;
  attributes?: Readonly<Record<string, string | number>>;
  /** The spec `configVersion` it was launched with. */
  configVersion: string;
  state: InstanceState;
  /**
   * `true`/`false` once health checks have a verdict; `false` means the checks failed past
   * their grace period and `maxConsecutiveFailures` (the agent's health checker decides);
   * `null` while unknown or without health checks.
   */
  healthy: boolean | null;
  ready: boolean | null;
  /** Epoch ms. */
  stagedAt: number;
  startedAt: number | null;
  /** When the agent was seen unreachable (Mesos `unreachable_time`); required while `TASK_UNREACHABLE`. */
  unreachableSince: number | null;
  /** A kill was already sent. */
  killRequestedAt: number | null;
  /**
   * Whether the config it was launched with has health checks (Marathon's
   * `Instance.hasConfiguredHealthChecks`, which follows the instance's own run spec). An
   * old instance launched without checks counts as healthy when running. Default: the
   * spec's `healthChecked`.
   */
  healthChecked?: boolean;
}

export type DeploymentActionName = 'StartApplication' | 'ScaleApplication' | 'RestartApplication' | 'StopApplication';

export interface DeploymentAction {
  action: DeploymentActionName;
  app: string;
}

export interface DeploymentPlanSteps {
  /** Executed one after another; the actions of a step run in parallel. */
  steps: DeploymentAction[][];
}

export type DeploymentPlanError = {
  kind: 'DependencyCycle';
  /** The apps on one cycle, in dependency order, the first repeated at the end: `/a → /b → /a`. */
  cycle: string[];
  message: string;
};

/** `steps` is always present (empty when `ok` is false). */
export type DeploymentPlanResult = DeploymentPlanSteps & ({ ok: true } | { ok: false; error: DeploymentPlanError });

/** Marathon's per-(app, config version) launch delay (`RateLimiter.Delay`). */
export interface LaunchDelay {
  failures: number;
  /** Launches of `configVersion` wait until then. */
  delayUntil: number;
  configVersion: string;
  /**
   * When the delay was last set or advanced (Marathon's `referenceTimestamp`): the delay is
   * forgotten once `maxLaunchDelaySeconds` pass after it with no new failure. Default:
   * `delayUntil − currentDelay`.
   */
  referenceAt?: number;
}

/** Marathon's `KillReason`s, the ones this framework decides. */
export type KillReason = 'ScalingApp' | 'Upgrading' | 'Unhealthy' | 'Expunged' | 'StoppingApp' | 'Overdue';

export interface ServiceKill {
  taskId: string;
  reason: KillReason;
}

export interface ServiceDecision {
  /** New instances of `spec.configVersion` to place now. */
  launch: number;
  kill: ServiceKill[];
  /**
   * Unreachable instances to forget: past `expungeAfterSeconds`, or chosen to be killed while
   * unreachable (Marathon's `KillAction.Decommission`: a kill cannot reach them). Killed if
   * they return.
   */
  expunge: string[];
  /** The deployment action on this app (if any) is done. */
  actionComplete: boolean;
  /** Launches held back by the backoff until then. */
  delayedUntil: number | null;
  /** The earliest time this decision may change with no new input (timeouts, backoff, inactiveAfter). */
  wakeAt: number | null;
  /** How many of `launch` replace inactive unreachable instances (to charge to the replacement budget). */
  unreachableReplacements: number;
  /** Health-failed instances left running because the kill budget was spent (they are killed later). */
  unhealthyKillsHeld: number;
}

export interface ReconcileInput {
  spec: ServiceSpec;
  action: DeploymentActionName | null;
  instances: readonly Instance[];
  delay: LaunchDelay | null;
  now: number;
  /** Marathon's `task_launch_timeout`: STAGING/STARTING longer than this is killed as Overdue. Default 300. */
  launchTimeoutSeconds?: number;
  /** How many `Unhealthy` kills the kill rate limiter allows now (see kill-rate-limiter.ts). Default: no limit. */
  unhealthyKillBudget?: number;
  /** How many replacements of inactive unreachable instances are allowed now (see replacement-budget.ts). Default: no limit. */
  unreachableReplacementBudget?: number;
}
