/**
 * The feasibility stages, each small and named, each rejection carrying its reason
 * (after Nomad's `FeasibleIterator` chain and Kubernetes' Filter plugins). The pipeline
 * runs them in `FEASIBILITY_STAGES` order, cheapest and most decisive first:
 *
 *   1. agent-availability  draining / maintenance agents take nothing new
 *   2. accepted-roles      the offer holds resources of a role the run spec accepts
 *   3. constraints         Marathon operators against instances already placed
 *   4. reservation         resident instances need their own labelled reservation
 *   5. resources           cpus, mem, disk, gpus and host ports fit (computes the match)
 *
 * Every stage runs for every candidate (no short-circuit), so the console can show all
 * reasons per agent; the funnel in `types.ts` picks the headline reason.
 */
import { meetsConstraint } from './constraints.js';
import { acceptedRoles, fitResources, usableResources, type FitResult } from './resource-fit.js';
import type { PlacedInstance, PlacementCandidate, PlacementRequest, Rejection } from './types.js';

export interface StageInput {
  readonly request: PlacementRequest;
  readonly candidate: PlacementCandidate;
  /** Instances of the same run spec already placed, including earlier ones of this batch. */
  readonly placed: readonly PlacedInstance[];
}

export interface FeasibilityStage {
  readonly name: string;
  check(input: StageInput): Rejection[];
}

export const agentAvailability: FeasibilityStage = {
  name: 'agent-availability',
  check: ({ candidate }) =>
    candidate.mode && candidate.mode !== 'UP' ? [{ reason: 'AgentMaintenance', detail: `agent ${candidate.hostname} is ${candidate.mode.toLowerCase()}` }] : [],
};

export const acceptedRolesStage: FeasibilityStage = {
  name: 'accepted-roles',
  check: ({ request, candidate }) => {
    const usable = usableResources({ ...request, reservationLabels: undefined }, candidate);
    if (usable.scalar('cpus') > 0 || usable.scalar('mem') > 0 || request.reservationLabels) return [];
    return [{ reason: 'UnfulfilledRole', detail: `offer under ${candidate.role} holds no resources of roles ${acceptedRoles(request).join(', ')}` }];
  },
};

export const constraintsStage: FeasibilityStage = {
  name: 'constraints',
  check: ({ request, candidate, placed }) => {
    const out: Rejection[] = [];
    for (const c of request.constraints ?? []) {
      const v = meetsConstraint(c, candidate, placed);
      if (!v.ok) out.push({ reason: 'UnfulfilledConstraint', detail: v.detail });
    }
    return out;
  },
};

export const reservationStage: FeasibilityStage = {
  name: 'reservation',
  check: ({ request, candidate }) => {
    if (!request.reservationLabels) return [];
    const mine = usableResources(request, candidate);
    return mine.isEmpty()
      ? [{ reason: 'NoCorrespondingReservationFound', detail: `no reservation labelled ${JSON.stringify(request.reservationLabels)} on ${candidate.hostname}` }]
      : [];
  },
};

/** Resource fit; `fit` exposes the computed match so the pipeline need not redo it. */
export function resourcesStageFit(input: StageInput): FitResult {
  return fitResources(input.request, usableResources(input.request, input.candidate));
}

export const resourcesStage: FeasibilityStage = {
  name: 'resources',
  check: (input) => {
    const fit = resourcesStageFit(input);
    return fit.ok ? [] : fit.rejections;
  },
};

/** The stages in the order they run; the registry the pipeline is built from. */
export const FEASIBILITY_STAGES: readonly FeasibilityStage[] = [agentAvailability, acceptedRolesStage, constraintsStage, reservationStage, resourcesStage];
