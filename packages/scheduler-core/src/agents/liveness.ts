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
/**
 * When, for liveness, a leader elected at `electedAt` last heard from an agent. One it
 * heard from in its own term: then. One it has not heard from yet: the whole re-register
 * window after the election (Mesos' `agent_reregister_timeout`, 10 min there), and never
 * less than one unreachable timeout — a failover at thousands of agents takes longer
 * than one timeout to re-register them all, and an agent declared unreachable by a
 * leader still counting them has its tasks replaced for nothing.
 */
export function heardAt(lastHeartbeatAt: number, electedAt: number, policy: LivenessPolicy, reregisterMs: number): number {
  if (lastHeartbeatAt >= electedAt) return lastHeartbeatAt;
  return electedAt + Math.max(0, reregisterMs - unreachableTimeoutMs(policy));
}

export function newlyUnreachable(agents: readonly AgentHeartbeat[], now: number, policy: LivenessPolicy): string[] {
  const timeout = unreachableTimeoutMs(policy);
  return agents
    .filter((a) => a.reachable && now - a.lastHeartbeatAt > timeout)
    .map((a) => a.id)
    .sort();
}
