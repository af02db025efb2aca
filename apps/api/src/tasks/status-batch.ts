import type { TaskStatus } from '@gantry/specs';
import type { StatusOutcome, TaskRepository } from './repository.js';

interface Waiting<I, O> {
  item: I;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: while one batch is being written, the items that arrive wait and go
 * together in the next write (no timer: an idle master writes an item at once; a busy
 * one writes more per commit). Each caller learns its own item's outcome, or the batch's
 * error (then nothing is acknowledged and the senders retry). With one writer, batches
 * commit in the order their items arrived; with more, the caller guarantees that items
 * in concurrent batches do not depend on each other.
 */
export class GroupCommit<I, O> {
  // A queue taken from the front in batches: `head` is where the next batch starts (a
  // splice from the front of a long queue would copy what is left, every batch).
  private queue: Waiting<I, O>[] = [];
  private head = 0;
  private writing = 0;

  /** `write` answers one outcome per item, in order; at most `writers` writes run at once. */
  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
    private readonly writers = 1,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      void this.flush();
    });
  }

  /** Items waiting for a write (not counting the batch being written). */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  private async flush(): Promise<void> {
    if (this.writing >= this.writers || this.head >= this.queue.length) return;
    this.writing++;
    const batch = this.queue.slice(this.head, this.head + this.maxBatch);
    this.head += batch.length;
    if (this.head >= this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    try {
      const outcomes = await this.write(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(outcomes[i]!));
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.writing--;
      void this.flush();
    }
  }
}

/**
 * Group commit for status updates (see GroupCommit); the leader epoch of the moment is
 * passed per flush. Two batches may be written at once: an agent keeps one update per
 * task in flight (the next goes only after this one's ack), so two batches never hold
 * updates of one task that depend on each other, and both lock rows in task id order.
 */
export class StatusUpdateBatch {
  private readonly commit: GroupCommit<{ agentId: string; status: TaskStatus }, StatusOutcome>;

  constructor(
    tasks: TaskRepository,
    epoch: () => number | null,
    now: () => Date,
    maxBatch = 1000,
    writers = 2,
  ) {
    this.commit = new GroupCommit(async (batch) => {
      const current = epoch();
      if (current === null) throw new Error('not the leader');
      return tasks.recordStatuses(current, batch, now());
    }, maxBatch, writers);
  }

  submit(agentId: string, status: TaskStatus): Promise<StatusOutcome> {
    return this.commit.submit({ agentId, status });
  }
}
