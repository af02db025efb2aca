/**
 * The stateful service framework's vocabulary (the dcos-commons SDK's model): what a
 * service should be (`StatefulServiceSpec`: pods of tasks with reserved resources and
 * persistent volumes, and plans), where its plans stand (`PlanState`), what each pod
 * instance holds and runs (`PodInstanceState`), and what the reconciler decides
 * (`StatefulDecision`).
 *
 * Times are epoch ms except where a name says seconds. Sizes are MiB, as in Mesos.
 * The leader's runtime loads these from Postgres, calls the pure functions of this
 * folder and carries out their decisions; nothing here is a clock or a store.
 */
import type { AgentMode } from '../allocator/types.js';
import type { Operation } from '../offers/operations.js';
import type { Constraint, PlacementRequest } from '../placement/types.js';
import type { Resources } from '../resources/resources.js';
import type { InstanceState } from '../services/types.js';

// ─── Service spec ───────────────────────────────────────────────────────────────────

/**
 * SDK `volume.type`: `ROOT` is carved out of the agent's root disk (exactly `size` MiB);
 * `MOUNT` is a whole mounted disk reserved as a unit. Gantry agents advertise no mount
 * disks yet, so a pod with a MOUNT volume is valid but its steps end in ERROR saying so.
 * Both are *local*: reserved and CREATEd on one agent, which the pod never leaves unless
 * replaced. `EXTERNAL` lives in a provider outside the agents (see `volumes.ts`): nothing
 * is reserved or created for it, and a pod with no local volume may move (Marathon's
 * external volumes; the SDK has none — Portworx's fork added them through DVDI).
 */
export type VolumeType = 'ROOT' | 'MOUNT' | 'EXTERNAL';

/** Where an external volume lives: `shared-directory` is a directory every agent mounts (e.g. NFS). */
export interface ExternalVolumeSource {
  readonly provider: 'shared-directory';
  /** The provider's name for it; each pod instance uses `<name>-<index>`. */
  readonly name: string;
}

export interface VolumeSpec {
  /** Where it is mounted, relative to the task's sandbox (`data`, `pgdata`). */
  readonly path: string;
  readonly type: VolumeType;
  /** MiB (ROOT, MOUNT); not reserved for EXTERNAL. */
  readonly size: number;
  /** EXTERNAL only (and required there). */
  readonly external?: ExternalVolumeSource;
}

export interface PortSpec {
  /** Exposed to tasks as `PORT_<NAME>` (upper-cased, `-` → `_`), as the SDK does. */
  readonly name: string;
  /** A fixed host port, or 0 for any free one (chosen once, then reserved with the pod). */
  readonly port: number;
}

/** SDK checks run a command next to the task; exit 0 passes. */
export interface CheckSpec {
  readonly cmd: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  /** Wait this long after the task starts before the first check. */
  readonly delaySeconds: number;
  /** Health only: failures ignored for this long after start. */
  readonly gracePeriodSeconds: number;
  /** Health only: this many failures in a row make the task unhealthy. */
  readonly maxConsecutiveFailures: number;
}

/** SDK goal states: `RUNNING` is kept running; `FINISHED` (the SDK's FINISH) runs to exit 0 once per deployment. */
export type TaskGoal = 'RUNNING' | 'FINISHED';

export interface StatefulTaskSpec {
  readonly name: string;
  readonly goal: TaskGoal;
  /** Run through `/bin/sh -c` in the sandbox; volumes are mounted at their `path` inside it. */
  readonly cmd: string;
  readonly env: Readonly<Record<string, string>>;
  /** This task's share of the pod's cpus/mem; a pod's only task may leave them out and gets all. */
  readonly cpus?: number;
  readonly mem?: number;
  readonly healthCheck?: CheckSpec;
  /** The step waits for it: a pod is ready, and the next step may start, once it passes. */
  readonly readinessCheck?: CheckSpec;
  readonly killGracePeriodSeconds?: number;
}

export interface PodResources {
  readonly cpus: number;
  readonly mem: number;
  /** Sandbox disk, MiB (volumes are reserved on top). */
  readonly disk: number;
}

export interface PodSpec {
  /** `[a-z][a-z0-9-]*`: pod instances are `<name>-<index>`. */
  readonly name: string;
  readonly count: number;
  readonly resources: PodResources;
  readonly ports: readonly PortSpec[];
  readonly volumes: readonly VolumeSpec[];
  /** Marathon's operators (`[["hostname","UNIQUE"]]` in JSON), evaluated against the pod's other instances. */
  readonly placement: readonly Constraint[];
  readonly tasks: readonly StatefulTaskSpec[];
  /** The system user its tasks run as (SDK `pods.<pod>.user`); the agent's default when absent. */
  readonly user?: string;
}

export type StrategyName = 'serial' | 'parallel';

export interface PhaseSpec {
  readonly name: string;
  /** The pod whose instances this phase deploys: one step per instance, launching all its tasks. */
  readonly pod: string;
  readonly strategy: StrategyName;
}

export interface PlanSpec {
  readonly strategy: StrategyName;
  readonly phases: readonly PhaseSpec[];
}

export interface StatefulBackoff {
  /** Delay after the first failure. */
  readonly backoffSeconds: number;
  readonly backoffFactor: number;
  readonly maxLaunchDelaySeconds: number;
}

export interface StatefulServiceSpec {
  /** Service name (a Marathon-style path such as `/data/postgresql`, or a plain name). */
  readonly name: string;
  /** Changes whenever the configuration changes; tasks and reservations record the one they were made for. */
  readonly configId: string;
  /** The role its resources are reserved for (SDK default: `<name>-role`). */
  readonly role: string;
  readonly principal?: string;
  readonly pods: readonly PodSpec[];
  /** `deploy` (initial deployment), `update` (configuration changes; defaults to `deploy`'s shape). */
  readonly plans: Readonly<Record<string, PlanSpec>>;
  readonly backoff: StatefulBackoff;
}

// ─── Plans ──────────────────────────────────────────────────────────────────────────

/**
 * SDK `Status`, for a step: PENDING → PREPARED → STARTING → STARTED → COMPLETE, or ERROR
 * (the step cannot be done as specified) or WAITING (blocked on something outside the
 * plan — here, the agent holding the pod's volume). Phases and plans are derived and may
 * also read IN_PROGRESS.
 *
 *   PENDING   not yet begun (or to be retried)
 *   PREPARED  chosen by its strategy; old tasks killed; waiting for a matching offer
 *   STARTING  operations accepted; its tasks are staging/starting
 *   STARTED   its tasks run but are not ready yet (readiness check)
 *   COMPLETE  its tasks run and are ready (goal RUNNING), or finished (goal FINISHED)
 */
export type StepStatus = 'PENDING' | 'PREPARED' | 'STARTING' | 'STARTED' | 'COMPLETE' | 'ERROR' | 'WAITING';
export type ElementStatus = StepStatus | 'IN_PROGRESS';

/**
 * What a step does to its pod instance:
 *   DEPLOY   bring it to the plan's config: place anew if it has no reservation, else
 *            relaunch in place (resizing the reservation on its own agent if needed)
 *   RESTART  recovery: relaunch its ended tasks in place (SDK `RecoveryType.TRANSIENT`)
 *   REPLACE  recovery after `pod replace`: kill, destroy its volumes, unreserve, and
 *            place it anew (SDK `RecoveryType.PERMANENT`) — the only way a pod with a
 *            local volume moves. A pod with none (its volumes all external, or no
 *            volume) also gets one on its own when its agent is declared unreachable
 *            or forgotten: it loses no data, so it need not wait for that agent
 */
export type StepKind = 'DEPLOY' | 'RESTART' | 'REPLACE';

export interface StepState {
  /** SDK naming: `<pod>-<index>:[<task>, …]`. */
  readonly name: string;
  readonly podInstance: string;
  readonly kind: StepKind;
  readonly status: StepStatus;
  /** The config the step launches. */
  readonly configId: string;
  /** Why it is WAITING or in ERROR, or what it is waiting for; for the console. */
  readonly message?: string;
  /** Set by `restartStep`: tasks staged before then do not count and are killed. */
  readonly notBefore?: number;
  /** REPLACE: the generation the pod instance is placed under. */
  readonly generation?: number;
}

export interface PhaseState {
  readonly name: string;
  readonly strategy: StrategyName;
  /** Paused by the operator (SDK `interrupt`). */
  readonly interrupted: boolean;
  readonly steps: readonly StepState[];
}

export interface PlanState {
  /** `deploy`, `update`, `recovery`. */
  readonly name: string;
  readonly strategy: StrategyName;
  readonly interrupted: boolean;
  /** The config this plan rolls out (the recovery plan: the spec's, for display only). */
  readonly configId: string;
  readonly phases: readonly PhaseState[];
}

// ─── Observed state ─────────────────────────────────────────────────────────────────

export interface StatefulTask {
  readonly taskId: string;
  /** The task spec's name within the pod. */
  readonly name: string;
  readonly configId: string;
  readonly agentId: string;
  readonly state: InstanceState;
  /** `null` without a verdict or without the check. */
  readonly healthy: boolean | null;
  readonly ready: boolean | null;
  readonly stagedAt: number;
  /** When it reached a terminal state. */
  readonly endedAt: number | null;
  readonly killRequestedAt: number | null;
}

export interface CreatedVolume {
  readonly id: string;
  /** The volume spec's path. */
  readonly containerPath: string;
  readonly size: number;
}

/** What one generation of a pod instance holds on its agent: the reservation outlives its tasks. */
export interface PodReservation {
  readonly agentId: string;
  readonly hostname: string;
  readonly generation: number;
  /** Everything reserved, labelled for the pod instance (volumes included). */
  readonly resources: Resources;
  readonly volumes: readonly CreatedVolume[];
  /** Reserved host ports, in the pod spec's port order. */
  readonly ports: readonly number[];
  /** The config whose resources these are (a resize on update changes it). */
  readonly configId: string;
}

export interface PodLaunchDelay {
  readonly failures: number;
  readonly delayUntil: number;
  /** The failure last counted, so a pass never counts it twice. */
  readonly lastFailedTaskId: string;
}

export interface PodInstanceState {
  readonly pod: string;
  readonly index: number;
  /** Starts at 1; `pod replace` makes a new generation with new labels and volume ids. */
  readonly generation: number;
  /** The current generation's reservation, once accepted; null before the first placement or after a replace. */
  readonly reservation: PodReservation | null;
  /** Launches made so far; the next launch's task ids carry `launches + 1`. */
  readonly launches: number;
  /** The latest task of each task name (older ones may be left out). */
  readonly tasks: readonly StatefulTask[];
  /** Earlier generations' reservations still to be destroyed and unreserved when their agent offers them. */
  readonly retired: readonly PodReservation[];
  /** `pod restart` / `pod replace` asked at; cleared once the recovery plan holds the step. */
  readonly restartRequestedAt: number | null;
  readonly replaceRequestedAt: number | null;
  readonly delay: PodLaunchDelay | null;
}

export interface AgentLiveness {
  readonly id: string;
  readonly hostname: string;
  /** Connected and not declared unreachable: only then is anything sent to it. */
  readonly reachable: boolean;
  /**
   * Set once the master has *declared* it unreachable (heartbeats missed past the
   * allowance): when it was last heard from. Absent while it is only disconnected (an
   * agent restarting), when a pod with only external volumes still waits for it.
   */
  readonly unreachableSince?: number;
  readonly mode?: AgentMode;
}

// ─── Decisions ──────────────────────────────────────────────────────────────────────

/** What a launched task needs besides its resources: carried in `TaskLaunch.payload`. */
export interface StatefulLaunchPayload {
  readonly service: string;
  readonly podInstance: string;
  readonly task: string;
  readonly configId: string;
  readonly goal: TaskGoal;
  readonly cmd: string;
  /** The task spec's env plus `POD_INSTANCE_INDEX`, `TASK_NAME`, `FRAMEWORK_NAME`, `PORT_<NAME>`. */
  readonly env: Readonly<Record<string, string>>;
  readonly cpus: number;
  readonly mem: number;
  readonly disk: number;
  readonly ports: readonly number[];
  /** Local persistent volumes, on the agent holding the reservation. */
  readonly volumes: readonly { readonly volumeId: string; readonly containerPath: string; readonly mode: 'RW' }[];
  /** External volumes, resolved by the agent's provider wherever the task lands (`name` is the pod instance's own). */
  readonly externalVolumes: readonly { readonly provider: ExternalVolumeSource['provider']; readonly name: string; readonly containerPath: string; readonly mode: 'RW' }[];
  readonly healthCheck?: CheckSpec;
  readonly readinessCheck?: CheckSpec;
  readonly killGracePeriodSeconds?: number;
  readonly user?: string;
}

export interface TaskToLaunch {
  readonly taskId: string;
  readonly name: string;
}

/**
 * One pod instance's business with the offer cycle, in order: on a new placement
 * `RESERVE` → `CREATE` → `LAUNCH` on one agent; in place `LAUNCH` (after `UNRESERVE` /
 * `RESERVE` of the difference when an update resizes it); cleanup `DESTROY` → `UNRESERVE`.
 * `resolveOfferOperations` turns it into the concrete `Operation`s for one offer.
 */
export interface OfferNeed {
  readonly podInstance: string;
  readonly purpose: 'PLACE' | 'RELAUNCH' | 'CLEANUP';
  /** Plan and step driving it (none for cleanup and uninstall). */
  readonly plan: string | null;
  readonly step: string | null;
  /** The agent it must use (in place, cleanup), or null: anywhere the placement pipeline allows. */
  readonly agentId: string | null;
  readonly operations: readonly Operation['type'][];
  readonly role: string;
  readonly principal?: string;
  /** The labels its reservation carries (and is recognised by in later offers). */
  readonly labels: Readonly<Record<string, string>>;
  /** PLACE / RELAUNCH: the pipeline's view of it (with `reservationLabels` when in place). */
  readonly request?: PlacementRequest;
  /** PLACE: instances of the same pod already placed (for UNIQUE, MAX_PER, GROUP_BY). */
  readonly placed?: readonly { agentId: string; hostname: string }[];
  readonly configId: string;
  readonly generation: number;
  readonly service: string;
  /** PLACE / RELAUNCH: the pod as configured in `configId`. */
  readonly pod?: PodSpec;
  readonly tasks: readonly TaskToLaunch[];
  /** RELAUNCH: the reservation it relaunches on; CLEANUP: the one to destroy and unreserve. */
  readonly reservation?: PodReservation;
}

export type StatefulKillReason = 'ConfigUpdate' | 'PodRestart' | 'PodReplace' | 'StepRestart' | 'Uninstall';

export interface StatefulKill {
  readonly taskId: string;
  readonly podInstance: string;
  readonly reason: StatefulKillReason;
}

/** Per pod instance, in words and data, for the console: what it is doing and why. */
export type PodInstanceAction = 'NONE' | 'PLACE' | 'RELAUNCH' | 'KILL' | 'WAIT' | 'DELAYED' | 'ERROR';

export interface PodInstanceDecision {
  readonly podInstance: string;
  readonly action: PodInstanceAction;
  readonly plan: string | null;
  readonly step: string | null;
  /** Its agent (the one holding its reservation), if it has one. */
  readonly agentId: string | null;
  readonly reason: string;
  /** WAIT on an unreachable agent: the operator's way out, with what it costs. */
  readonly remedy?: string;
  readonly delayedUntil?: number;
}

export interface StatefulDecision {
  /** The plans after this pass (deploy / update / recovery), to persist. */
  readonly plans: readonly PlanState[];
  /** The pod instances after this pass (generation bumps, cleared requests, delays), to persist. */
  readonly instances: readonly PodInstanceState[];
  readonly needs: readonly OfferNeed[];
  readonly kills: readonly StatefulKill[];
  /** Tasks on unreachable agents to forget (`pod replace`): killed if they come back. */
  readonly expunge: readonly string[];
  readonly pods: readonly PodInstanceDecision[];
  /** The earliest time the decision may change with no new input (backoff). */
  readonly wakeAt: number | null;
  /** Uninstall: nothing runs and (when asked) nothing is reserved any more. */
  readonly uninstalled: boolean;
}

export interface StatefulReconcileInput {
  readonly spec: StatefulServiceSpec;
  /** Earlier configs by `configId`, so recovery relaunches a pod into its own config (SDK). */
  readonly pastSpecs?: readonly StatefulServiceSpec[];
  /** As persisted after the previous pass; empty on the first. */
  readonly plans: readonly PlanState[];
  readonly instances: readonly PodInstanceState[];
  readonly agents: readonly AgentLiveness[];
  readonly now: number;
  /** Tear the service down: kill everything; with `destroyData`, destroy volumes and unreserve too. */
  readonly uninstall?: { readonly destroyData: boolean };
}
