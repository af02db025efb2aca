import { heardAt, newlyUnreachable, type LivenessPolicy } from '@gantry/scheduler-core';
import { DeposedError } from '../leadership/elector.js';
import type { HeartbeatBatch } from './heartbeat-batch.js';
import type { Tx } from '../db/fenced.js';
import type { AgentRepository } from './repository.js';

/**
 * Leader only. Each tick: write the heartbeats batched since the last tick, then mark
 * agents silent for longer than the timeout UNREACHABLE.
 *
 * After a failover the new leader has heard nobody yet: an agent it has not heard from
 * in its term gets the re-register window from its election (`heardAt`), as Mesos gives
 * re-registering agents `agent_reregister_timeout` after a master failover.
 */
export class LivenessLoop {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly agents: AgentRepository,
    private readonly heartbeats: HeartbeatBatch,
    private readonly policy: LivenessPolicy & { agentReregisterMs?: number },
    private readonly now: () => Date,
    private readonly onDeposed: (error: DeposedError) => void,
    /** Runs in the transaction that marks agents unreachable (their tasks follow them). */
    private readonly alsoWhenUnreachable?: (tx: Tx, epoch: number, agentIds: string[], now: Date) => Promise<void>,
    /** Told which agents just turned unreachable, after the write committed. */
    private readonly onUnreachable?: (agentIds: string[]) => void,
  ) {}

  start(epoch: number): void {
    const electedAt = this.now().getTime();
    const tickMs = Math.max(25, Math.floor(this.policy.heartbeatIntervalMs / 2));
    const tick = async () => {
      try {
        await this.tick(epoch, electedAt);
      } catch (error) {
        if (error instanceof DeposedError) return this.onDeposed(error);
        console.error(`liveness check failed: ${(error as Error).message}`);
      }
      if (this.timer) this.timer = setTimeout(() => (this.running = tick()), tickMs);
    };
    this.timer = setTimeout(() => (this.running = tick()), tickMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private async tick(epoch: number, electedAt: number): Promise<void> {
    const batch = this.heartbeats.take();
    try {
      await this.agents.recordHeartbeats(epoch, batch);
    } catch (error) {
      this.heartbeats.restore(batch);
      throw error;
    }
    const reachable = await this.agents.reachable();
    const silent = newlyUnreachable(
      reachable.map((a) => ({ id: a.id, lastHeartbeatAt: heardAt(a.lastHeartbeatAt.getTime(), electedAt, this.policy, this.policy.agentReregisterMs ?? 0), reachable: true })),
      this.now().getTime(),
      this.policy,
    );
    const now = this.now();
    const read = new Map(reachable.map((a) => [a.id, a.lastHeartbeatAt]));
    const changed = await this.agents.markUnreachable(
      epoch, silent.map((id) => ({ id, lastHeartbeatAt: read.get(id)! })),
      this.alsoWhenUnreachable && ((tx, ids) => this.alsoWhenUnreachable!(tx, epoch, ids, now)),
    );
    if (changed.length) this.onUnreachable?.(changed);
  }
}
