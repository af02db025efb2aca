/**
 * Placement: where should the next instance(s) of a run spec go, and if nowhere, why.
 *
 *   candidates ──► feasibility stages (stages.ts) ──► rank (ranking.ts) ──► best
 *                         │
 *                         └──► rejections per candidate ──► summary per reason
 *
 * `placeInstances` places several instances one by one; each placement shrinks its
 * candidate's resources and joins the placed set, so UNIQUE, MAX_PER and GROUP_BY see
 * the instances of the same batch (Marathon matches one instance per offer pass too).
 */
import type { Resources } from '../resources/resources.js';
import { rankScore } from './ranking.js';
import { FEASIBILITY_STAGES, resourcesStage, resourcesStageFit, type FeasibilityStage } from './stages.js';
import type { NoMatchReason, PlacedInstance, PlacementCandidate, PlacementRequest, Rejection } from './types.js';
import { REASON_FUNNEL } from './types.js';

export interface Placement {
  readonly candidateId: string;
  readonly agentId: string;
  readonly hostname: string;
  /** Exactly the resources the instance takes (scalars and assigned host ports). */
  readonly resources: Resources;
  readonly hostPorts: readonly number[];
  readonly score: number;
}

export interface CandidateRejection {
  readonly candidateId: string;
  readonly agentId: string;
  readonly hostname: string;
  /** Every failing reason, in funnel order, with details. */
  readonly rejections: readonly Rejection[];
  /** The headline reason: the first in the funnel. */
  readonly reason: NoMatchReason;
}

/** "Why isn't my app deploying": counts per reason, and each rejected candidate. */
export interface RejectionSummary {
  readonly runSpecId: string;
  readonly candidatesEvaluated: number;
  readonly feasible: number;
  /** Candidates failing for each reason (a candidate may count under several). */
  readonly byReason: Readonly<Partial<Record<NoMatchReason, number>>>;
  /** Candidates by their headline reason (each counted once; sums to the rejected count). */
  readonly byFunnel: Readonly<Partial<Record<NoMatchReason, number>>>;
  readonly candidates: readonly CandidateRejection[];
}

export interface PlacementOptions {
  /** Stage list to run; defaults to `FEASIBILITY_STAGES`. */
  readonly stages?: readonly FeasibilityStage[];
}

function funnelIndex(r: NoMatchReason): number {
  return REASON_FUNNEL.indexOf(r);
}

function toPlaced(c: PlacementCandidate): PlacedInstance {
  return {
    agentId: c.agentId,
    hostname: c.hostname,
    ...(c.region !== undefined ? { region: c.region } : {}),
    ...(c.zone !== undefined ? { zone: c.zone } : {}),
    ...(c.attributes !== undefined ? { attributes: c.attributes } : {}),
  };
}

/** Evaluates every candidate and returns the best placement (if any) and the rejections. */
export function placeOne(
  request: PlacementRequest,
  candidates: readonly PlacementCandidate[],
  placed: readonly PlacedInstance[],
  options: PlacementOptions = {},
): { placement: Placement | undefined; summary: RejectionSummary } {
  const stages = options.stages ?? FEASIBILITY_STAGES;
  const ranking = request.ranking ?? 'binpack';
  const byReason: Partial<Record<NoMatchReason, number>> = {};
  const byFunnel: Partial<Record<NoMatchReason, number>> = {};
  const rejected: CandidateRejection[] = [];
  let best: Placement | undefined;
  let feasible = 0;

  for (const candidate of candidates) {
    const input = { request, candidate, placed };
    // The resource fit is computed once and serves both as a stage verdict and as the match.
    const fit = resourcesStageFit(input);
    const rejections = stages.flatMap((s) => (s === resourcesStage ? (fit.ok ? [] : fit.rejections) : s.check(input)));
    if (rejections.length > 0) {
      rejections.sort((a, b) => funnelIndex(a.reason) - funnelIndex(b.reason));
      const reasons = new Set(rejections.map((r) => r.reason));
      for (const r of reasons) byReason[r] = (byReason[r] ?? 0) + 1;
      const headline = rejections[0]!.reason;
      byFunnel[headline] = (byFunnel[headline] ?? 0) + 1;
      rejected.push({ candidateId: candidate.id, agentId: candidate.agentId, hostname: candidate.hostname, rejections, reason: headline });
      continue;
    }
    if (!fit.ok) continue; // a custom stage list without the resources stage: not placeable here
    feasible++;
    const score = rankScore(ranking, candidate, fit.resources, placed);
    if (!best || score > best.score || (score === best.score && candidate.id < best.candidateId)) {
      best = { candidateId: candidate.id, agentId: candidate.agentId, hostname: candidate.hostname, resources: fit.resources, hostPorts: fit.hostPorts, score };
    }
  }
  return {
    placement: best,
    summary: { runSpecId: request.runSpecId, candidatesEvaluated: candidates.length, feasible, byReason, byFunnel, candidates: rejected },
  };
}

export interface BatchPlacement {
  readonly placements: readonly Placement[];
  /** How many of the requested instances found no place. */
  readonly unplaced: number;
  /** The candidates left after the placements (resources shrunk). */
  readonly remaining: readonly PlacementCandidate[];
  /** Rejections of the first attempt that failed, if any did. */
  readonly summary: RejectionSummary | undefined;
}

/** Places up to `count` instances, one at a time, each seeing those before it. */
export function placeInstances(
  request: PlacementRequest,
  count: number,
  candidates: readonly PlacementCandidate[],
  placed: readonly PlacedInstance[],
  options: PlacementOptions = {},
): BatchPlacement {
  const pool = candidates.slice();
  const seen = placed.slice();
  const placements: Placement[] = [];
  for (let i = 0; i < count; i++) {
    const { placement, summary } = placeOne(request, pool, seen, options);
    if (!placement) return { placements, unplaced: count - i, remaining: pool, summary };
    placements.push(placement);
    const idx = pool.findIndex((c) => c.id === placement.candidateId);
    const c = pool[idx]!;
    pool[idx] = { ...c, resources: c.resources.minus(placement.resources) };
    seen.push(toPlaced(c));
  }
  return { placements, unplaced: 0, remaining: pool, summary: undefined };
}
