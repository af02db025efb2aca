/**
 * The allocator's vocabulary: agents, frameworks, quotas and the allocations it emits.
 */
import type { Resources } from '../resources/resources.js';
import type { ReadonlyScalarMap } from '../resources/scalars.js';

/**
 * `UP` agents are offered. `DRAINING` (tasks being moved off) and `MAINTENANCE`
 * (operator took it out) are offered nothing new; what they already run keeps running
 * and is recovered normally. Mesos offers agents in its DRAIN maintenance mode with
 * inverse offers; Gantry deliberately stops offering them at all.
 */
export type AgentMode = 'UP' | 'DRAINING' | 'MAINTENANCE';

export interface AgentSpec {
  readonly id: string;
  readonly hostname: string;
  /** Everything the agent has, including static reservations and persistent volumes. */
  readonly resources: Resources;
  readonly attributes?: Readonly<Record<string, string | number>>;
  readonly region?: string;
  readonly zone?: string;
  readonly mode?: AgentMode;
}

export interface FrameworkSpec {
  readonly id: string;
  /** Roles the framework subscribes to (each a `/`-separated path). */
  readonly roles: readonly string[];
  /** Who the framework acts as; dynamic reservations and volumes are stamped with it. */
  readonly principal?: string;
  /** Roles the framework starts suppressed for (Mesos `suppressed_roles`). */
  readonly suppressedRoles?: readonly string[];
}

/** Resources of one agent allocated to one framework under one role. */
export interface Allocation {
  readonly agentId: string;
  readonly role: string;
  readonly resources: Resources;
}

/** Resources already in use on an agent when it (re)registers. */
export interface UsedResources {
  readonly frameworkId: string;
  readonly role: string;
  readonly resources: Resources;
}

/**
 * Quota (Mesos ≥ 1.9): `guarantee` is kept available for the role (other roles may not
 * eat into it: headroom), `limit` caps what the role may consume. Kinds absent from
 * `limit` are unlimited; absent from `guarantee`, not guaranteed.
 */
export interface Quota {
  readonly guarantee: ReadonlyScalarMap;
  readonly limit: ReadonlyScalarMap;
}

/** Called once per framework per allocation round with everything it was allocated. */
export type OfferCallback = (frameworkId: string, allocations: readonly Allocation[], now: number) => void;

export type Result = { ok: true } | { ok: false; error: string };

export const OK: Result = { ok: true };

export function fail(error: string): Result {
  return { ok: false, error };
}

/** What one allocation round did; handy for metrics and benchmarks. */
export interface RoundReport {
  readonly agentsConsidered: number;
  readonly allocations: number;
  readonly frameworksOffered: number;
  /** Allocations made in stage 1 (to roles below their quota guarantee). */
  readonly guaranteeAllocations: number;
}
