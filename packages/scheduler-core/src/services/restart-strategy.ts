/**
 * The bounds of a rolling restart — Marathon's `TaskReplaceActor.computeRestartStrategy`:
 *
 *   minHealthy  = ⌈instances × minimumHealthCapacity⌉
 *   maxCapacity = ⌊instances × (1 + maximumOverCapacity)⌋
 *
 * If `minHealthy == maxCapacity` (e.g. minimumHealthCapacity 1, maximumOverCapacity 0) the
 * restart could neither kill an old instance nor start a new one. Marathon then allows a
 * temporary over-capacity of one (`maxCapacity += 1`) for ordinary apps, and kills one
 * instance below minHealthy for resident ones. We have no resident apps here, so we take
 * the over-capacity; Marathon decides it once when the restart begins and only when every
 * instance is healthy, we apply it whenever the bounds meet (reconcile has no "beginning",
 * and one extra instance is the most Marathon ever allows).
 *
 * Rounding is done to 1e-9 first: in doubles 100 × 0.55 = 55.000000000000007, which
 * Marathon rounds up to 56; we keep 55.
 */
import type { ServiceSpec } from './types.js';

export interface RestartBounds {
  readonly minHealthy: number;
  readonly maxCapacity: number;
}

const EPSILON = 1e-9;

export function restartBounds(spec: Pick<ServiceSpec, 'instances' | 'upgradeStrategy'>): RestartBounds {
  const n = spec.instances;
  const { minimumHealthCapacity, maximumOverCapacity } = spec.upgradeStrategy;
  const minHealthy = Math.max(0, Math.ceil(n * minimumHealthCapacity - EPSILON));
  let maxCapacity = Math.max(0, Math.floor(n * (1 + maximumOverCapacity) + EPSILON));
  if (minHealthy === maxCapacity) maxCapacity += 1;
  return { minHealthy, maxCapacity };
}
