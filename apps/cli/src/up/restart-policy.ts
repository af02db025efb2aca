/**
 * When `gantry up`'s supervisor restarts an agent that died — what systemd's
 * `Restart=always` does on a real node. The first delay is well above the time the
 * master takes to declare the agent UNREACHABLE (heartbeat interval × missed
 * heartbeats), so a crash is visible as such in the console before the agent is
 * back (and recovers its tasks); then it doubles up to a minute, so an agent that
 * cannot start (a bad flag, a refused checkpoint) is not restarted in a tight loop.
 * An agent that stayed up for `stableMs` starts again from the first delay.
 */
export interface RestartPolicy {
  firstMs: number;
  maxMs: number;
  stableMs: number;
}

export function restartPolicy(heartbeatIntervalMs: number, missedHeartbeats: number): RestartPolicy {
  const unreachableAfterMs = heartbeatIntervalMs * missedHeartbeats;
  return { firstMs: Math.max(10_000, 3 * unreachableAfterMs), maxMs: 60_000, stableMs: 60_000 };
}

/** Delay before restart number `attempt` (0-based) of an agent that ran for `uptimeMs`. */
export function restartDelay(policy: RestartPolicy, attempt: number, uptimeMs: number): { delayMs: number; attempt: number } {
  const next = uptimeMs >= policy.stableMs ? 0 : attempt;
  return { delayMs: Math.min(policy.maxMs, policy.firstMs * 2 ** next), attempt: next + 1 };
}
