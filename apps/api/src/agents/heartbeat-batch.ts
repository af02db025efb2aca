/**
 * Heartbeats received since the last flush, newest per agent. Written to Postgres in
 * one statement per flush instead of one commit per heartbeat.
 */
export class HeartbeatBatch {
  private pending = new Map<string, Date>();

  record(agentId: string, at: Date): void {
    this.pending.set(agentId, at);
  }

  /** Hands over what is pending and starts a new batch. */
  take(): Map<string, Date> {
    const batch = this.pending;
    this.pending = new Map();
    return batch;
  }

  /** Puts a batch back after a failed write, keeping any newer heartbeat. */
  restore(batch: ReadonlyMap<string, Date>): void {
    for (const [id, at] of batch) if (!this.pending.has(id)) this.pending.set(id, at);
  }
}
