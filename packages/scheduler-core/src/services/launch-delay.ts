/**
 * Launch backoff — Marathon's `RateLimiter` (core/launchqueue/impl/RateLimiter.scala) and
 * `NotifyRateLimiterStep`, per (app, config version):
 *
 *   delay(n) = min(backoffSeconds × backoffFactor^(n−1), maxLaunchDelaySeconds)   n = failures
 *
 * - A failure is an instance ending FAILED, FINISHED, ERROR, DROPPED or GONE
 *   (`limitWorthy`); KILLED and UNKNOWN are not (a kill is not the app's fault).
 * - Each failure sets `delayUntil = failedAt + delay(n)` and `referenceAt = failedAt`.
 * - When an instance of the delayed config reaches STAGING/STARTING/RUNNING the delay is
 *   *advanced* (`advanceDelay`): same delay, counted again from then — so a crash-looping
 *   app keeps launching at most one wave per delay.
 * - The delay is forgotten (`resetLaunchDelay` → null) when the config changes (a new
 *   `configVersion` starts at `backoffSeconds` again: deployments reset it), and once
 *   `maxLaunchDelaySeconds` pass after `referenceAt` with no new failure (Marathon's
 *   `cleanUpOverdueDelays`: an instance that has run that long since the last failure or
 *   launch clears it). The runtime also resets it on Stop, on an operator's
 *   `DELETE /v2/queue/{app}/delay`, and when a task ends because its agent is draining.
 */
import type { InstanceState, LaunchDelay, ServiceSpec } from './types.js';

const FAILURES: ReadonlySet<InstanceState> = new Set<InstanceState>(['TASK_FAILED', 'TASK_FINISHED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE']);

/** Whether an instance ending in `state` counts as a launch failure (Marathon's `limitWorthy`). */
export function countsAsLaunchFailure(state: InstanceState): boolean {
  return FAILURES.has(state);
}

/** delay(n) in ms: `backoffSeconds × backoffFactor^(n−1)`, capped at `maxLaunchDelaySeconds`. */
export function launchDelayMs(failures: number, backoff: ServiceSpec['backoff']): number {
  if (failures <= 0) return 0;
  const seconds = backoff.backoffSeconds * Math.pow(backoff.backoffFactor, failures - 1);
  return Math.round(Math.min(seconds, backoff.maxLaunchDelaySeconds) * 1000);
}

function referenceAt(delay: LaunchDelay, spec: ServiceSpec): number {
  return delay.referenceAt ?? delay.delayUntil - launchDelayMs(delay.failures, spec.backoff);
}

/** The delay if it still applies to `spec` at `now`, else null (reset). */
export function resetLaunchDelay(delay: LaunchDelay | null, spec: ServiceSpec, now: number): LaunchDelay | null {
  if (!delay || delay.configVersion !== spec.configVersion) return null;
  // Marathon: `now > referenceTimestamp + maxLaunchDelay` drops the delay.
  if (now > referenceAt(delay, spec) + spec.backoff.maxLaunchDelaySeconds * 1000) return null;
  return delay;
}

/** The delay after one more failure of `spec.configVersion` at `failedAt`. */
export function nextLaunchDelay(previous: LaunchDelay | null, spec: ServiceSpec, failedAt: number): LaunchDelay {
  const prior = resetLaunchDelay(previous, spec, failedAt);
  const failures = (prior?.failures ?? 0) + 1;
  return { failures, delayUntil: failedAt + launchDelayMs(failures, spec.backoff), configVersion: spec.configVersion, referenceAt: failedAt };
}

/** Marathon's `advanceDelay`: an instance of the delayed config reached STAGING/STARTING/RUNNING at `at`. */
export function advanceLaunchDelay(delay: LaunchDelay | null, spec: ServiceSpec, at: number): LaunchDelay | null {
  const current = resetLaunchDelay(delay, spec, at);
  if (!current) return null;
  return { ...current, delayUntil: at + launchDelayMs(current.failures, spec.backoff), referenceAt: at };
}
