/**
 * Placement vocabulary: what to place (a run spec's resource and constraint needs),
 * where it could go (candidates: offers or agent views), what is already placed, and
 * why a candidate was rejected.
 */
import type { AgentMode } from '../allocator/types.js';
import type { Resources } from '../resources/resources.js';

export type ConstraintOperator = 'UNIQUE' | 'CLUSTER' | 'GROUP_BY' | 'LIKE' | 'UNLIKE' | 'MAX_PER' | 'IS';

/** Marathon's `[field, operator, value?]`. Field: `hostname`/`@hostname`, `@region`, `@zone`, or an attribute. */
export interface Constraint {
  readonly field: string;
  readonly operator: ConstraintOperator;
  readonly value?: string;
}

export type AttributeValue = string | number;

/** Where an instance could go: an offer (or, for what-if views, an agent's free resources). */
export interface PlacementCandidate {
  /** Offer id (or agent id for agent views). */
  readonly id: string;
  readonly agentId: string;
  readonly hostname: string;
  readonly region?: string;
  readonly zone?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
  /** The role the resources were offered under. */
  readonly role: string;
  readonly resources: Resources;
  /** The agent's total, for utilisation-based ranking; defaults to `resources`. */
  readonly agentTotal?: Resources;
  readonly mode?: AgentMode;
}

/** An instance of the same run spec already placed (running, staging, or just placed). */
export interface PlacedInstance {
  readonly agentId: string;
  readonly hostname: string;
  readonly region?: string;
  readonly zone?: string;
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

export type Ranking = 'binpack' | 'spread';

export interface PlacementRequest {
  readonly runSpecId: string;
  readonly cpus: number;
  readonly mem: number;
  readonly disk?: number;
  readonly gpus?: number;
  /**
   * Host ports, one per port the instance needs. `0` asks for any free port. A non-zero
   * port is used as-is only with `requirePorts` — Marathon's `portDefinitions` rule; without
   * it the number is a service port and the host port is picked dynamically.
   */
  readonly ports?: readonly number[];
  readonly requirePorts?: boolean;
  readonly constraints?: readonly Constraint[];
  /** Roles whose resources may be used; `*` is unreserved. Default: `['*']` plus `role` if set. */
  readonly acceptedResourceRoles?: readonly string[];
  readonly role?: string;
  /** Resident instances must land on reservations carrying these labels (their own). */
  readonly reservationLabels?: Readonly<Record<string, string>>;
  readonly ranking?: Ranking;
}

/**
 * Why a candidate was not used — Marathon's `NoOfferMatchReason`, plus AgentMaintenance.
 * `REASON_FUNNEL` orders them: when a candidate fails for several reasons, the first in
 * the funnel is the one counted in the funnel summary (Marathon's `reasonFunnel`).
 */
export type NoMatchReason =
  | 'AgentMaintenance'
  | 'UnfulfilledRole'
  | 'UnfulfilledConstraint'
  | 'NoCorrespondingReservationFound'
  | 'InsufficientCpus'
  | 'InsufficientMemory'
  | 'InsufficientDisk'
  | 'InsufficientGpus'
  | 'InsufficientPorts';

export const REASON_FUNNEL: readonly NoMatchReason[] = [
  'AgentMaintenance',
  'UnfulfilledRole',
  'UnfulfilledConstraint',
  'NoCorrespondingReservationFound',
  'InsufficientCpus',
  'InsufficientMemory',
  'InsufficientDisk',
  'InsufficientGpus',
  'InsufficientPorts',
];

export interface Rejection {
  readonly reason: NoMatchReason;
  /** Human detail for the console: "zone=b does not match LIKE a|c". */
  readonly detail: string;
}
