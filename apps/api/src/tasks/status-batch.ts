import type { TaskStatus } from '@gantry/specs';
import type { StatusOutcome, TaskRepository } from './repository.js';

interface Waiting {
  agentId: string;
  status: TaskStatus;
  resolve: (outcome: StatusOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for status updates: while one batch is being written, the updates that
 * arrive wait and go together in the next transaction (no timer: an idle master writes
 * an update at once; a busy one writes more per commit). Each caller learns its own
 * update's outcome, or the batch's error (then nothing is acknowledged and the agents
 * retry). The leader epoch of the moment is passed per flush.
 */
export class StatusUpdateBatch {
  private queue: Waiting[] = [];
  private writing = false;

  constructor(
    private readonly tasks: TaskRepository,
    private readonly epoch: () => number | null,
    private readonly now: () => Date,
    private readonly maxBatch = 500,
  ) {}

  submit(agentId: string, status: TaskStatus): Promise<StatusOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ agentId, status, resolve, reject });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    const batch = this.queue.splice(0, this.maxBatch);
    try {
      const epoch = this.epoch();
      if (epoch === null) throw new Error('not the leader');
      const outcomes = await this.tasks.recordStatuses(epoch, batch, this.now());
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.writing = false;
      void this.flush();
    }
  }
}
