import type { HealthCheck } from '@gantry/specs';

/**
 * What one health check result means for a task, the way Mesos' health checker and
 * Marathon read it:
 * - checks start `delaySeconds` after the task starts, then run every `intervalSeconds`;
 * - a failure inside `gracePeriodSeconds` counts for nothing until the task has passed
 *   once (a slow starter is not unhealthy yet);
 * - any failure after that makes the task unhealthy; `maxConsecutiveFailures` failures
 *   in a row mark it for killing — the agent only reports it; the master decides.
 * Pure: results and times go in, the new state and what to report come out.
 */
export interface HealthState {
  healthy: boolean | undefined;
  consecutiveFailures: number;
  everPassed: boolean;
}

export const initialHealth = (): HealthState => ({ healthy: undefined, consecutiveFailures: 0, everPassed: false });

export interface HealthReport {
  healthy: boolean;
  message: string;
  /** maxConsecutiveFailures reached: Marathon would kill the task now. */
  killRecommended: boolean;
}

export interface HealthOutcome {
  state: HealthState;
  /** A status update to send, or null when nothing a master cares about changed. */
  report: HealthReport | null;
}

export function judge(
  state: HealthState, check: HealthCheck, result: { ok: boolean; detail: string }, sinceStartMs: number,
): HealthOutcome {
  if (result.ok) {
    const next = { healthy: true, consecutiveFailures: 0, everPassed: true };
    return { state: next, report: state.healthy === true ? null : { healthy: true, message: 'health check passed', killRecommended: false } };
  }
  if (!state.everPassed && sinceStartMs < check.gracePeriodSeconds * 1000) return { state, report: null };
  const failures = state.consecutiveFailures + 1;
  const next = { healthy: false, everPassed: state.everPassed, consecutiveFailures: failures };
  const killRecommended = check.maxConsecutiveFailures > 0 && failures === check.maxConsecutiveFailures;
  // Report the change to unhealthy, and once more when the kill threshold is reached.
  if (state.healthy === false && !killRecommended) return { state: next, report: null };
  const message = killRecommended
    ? `health check failed ${failures} consecutive times (maxConsecutiveFailures ${check.maxConsecutiveFailures}): ${result.detail}`
    : `health check failed: ${result.detail}`;
  return { state: next, report: { healthy: false, message, killRecommended } };
}
