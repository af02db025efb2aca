/**
 * Agent liveness: which agents have missed enough heartbeats to be unreachable.
 *
 * Mesos marks an agent unreachable after `max_agent_ping_timeouts` missed pings; we
 * count missed heartbeats the same way: an agent is unreachable once
 * `now − lastHeartbeatAt > heartbeatIntervalMs × missedHeartbeatsAllowed`.
 */
export interface AgentHeartbeat {
  id: string;
  lastHeartbeatAt: number;
  reachable: boolean;
}

export interface LivenessPolicy {
  heartbeatIntervalMs: number;
  missedHeartbeatsAllowed: number;
}

export function unreachableTimeoutMs(policy: LivenessPolicy): number {
  return policy.heartbeatIntervalMs * policy.missedHeartbeatsAllowed;
}

/** The reachable agents that have just become unreachable at `now`, sorted by id. */
export function newlyUnreachable(agents: readonly AgentHeartbeat[], now: number, policy: LivenessPolicy): string[] {
  const timeout = unreachableTimeoutMs(policy);
  return agents
    .filter((a) => a.reachable && now - a.lastHeartbeatAt > timeout)
    .map((a) => a.id)
    .sort();
}
