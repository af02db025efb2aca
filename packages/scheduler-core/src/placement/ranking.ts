/**
 * Ranking feasible candidates. Scores are in [0, 1], higher is better; ties go to the
 * candidate id so the choice is deterministic.
 *
 *   binpack  Nomad's fit score: with f_k the fraction of the agent left free after
 *            placement, score = (20 − (10^f_cpu + 10^f_mem)) / 18 — fuller agents win,
 *            which keeps whole agents free for big instances.
 *   spread   fewest instances of this run spec on the agent first, then the emptiest
 *            agent (1 − binpack), which spreads load and failure domains.
 */
import type { Resources } from '../resources/resources.js';
import type { PlacedInstance, PlacementCandidate, Ranking } from './types.js';

function freeFraction(total: Resources, free: Resources, kind: string): number {
  const t = total.scalar(kind);
  return t > 0 ? Math.max(0, Math.min(1, free.scalar(kind) / t)) : 0;
}

export function binpackScore(candidate: PlacementCandidate, use: Resources): number {
  const total = candidate.agentTotal ?? candidate.resources;
  const after = candidate.resources.tryMinus(use) ?? candidate.resources;
  const fc = freeFraction(total, after, 'cpus');
  const fm = freeFraction(total, after, 'mem');
  return (20 - (Math.pow(10, fc) + Math.pow(10, fm))) / 18;
}

export function rankScore(ranking: Ranking, candidate: PlacementCandidate, use: Resources, placed: readonly PlacedInstance[]): number {
  const fit = binpackScore(candidate, use);
  if (ranking === 'binpack') return fit;
  const colocated = placed.filter((p) => p.agentId === candidate.agentId).length;
  return 1 / (1 + colocated) - fit * 1e-6;
}
