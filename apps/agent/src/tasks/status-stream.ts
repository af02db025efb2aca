import type { TaskStatus } from '@gantry/specs';

/**
 * One task's stream of status updates, as Mesos' status update manager keeps it: the
 * updates go out in order, one at a time; the head is re-sent with exponential
 * backoff until the master acknowledges its uuid, and only then does the next go out.
 * Pure bookkeeping: the clock is passed in, the caller sends and checkpoints.
 *
 * Mesos retries from 10 s doubling to 10 min; our master answers in milliseconds, so
 * we start at 1 s (configurable) — the cost of a duplicate is one idempotent write.
 */
export interface StatusStream {
  /** Not yet acknowledged, oldest first. The head is the one in flight. */
  pending: TaskStatus[];
  /** Times the head has been sent. */
  attempts: number;
  /** When the head is due (again); 0 means now. */
  dueAt: number;
}

export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export const defaultRetry: RetryPolicy = { initialMs: 1000, maxMs: 60_000 };

export const emptyStream = (): StatusStream => ({ pending: [], attempts: 0, dueAt: 0 });

export function enqueue(stream: StatusStream, status: TaskStatus): StatusStream {
  return { ...stream, pending: [...stream.pending, status] };
}

/** The head, if it is due at `now`. */
export function due(stream: StatusStream, now: number): TaskStatus | null {
  const head = stream.pending[0];
  return head && stream.dueAt <= now ? head : null;
}

/** Records that the head went out at `now`; the next try waits twice as long as the last. */
export function sent(stream: StatusStream, now: number, policy: RetryPolicy): StatusStream {
  const delay = Math.min(policy.maxMs, policy.initialMs * 2 ** stream.attempts);
  return { ...stream, attempts: stream.attempts + 1, dueAt: now + delay };
}

/**
 * The master acknowledged `uuid`. Only the head can be acknowledged (only it was
 * sent); an ack for anything else is a duplicate of an earlier one and changes nothing.
 */
export function acknowledge(stream: StatusStream, uuid: string): { stream: StatusStream; matched: boolean } {
  if (stream.pending[0]?.uuid !== uuid) return { stream, matched: false };
  return { stream: { pending: stream.pending.slice(1), attempts: 0, dueAt: 0 }, matched: true };
}

/** A new connection: send the head again at once (the old connection may have lost it). */
export function resend(stream: StatusStream): StatusStream {
  return { ...stream, attempts: 0, dueAt: 0 };
}
