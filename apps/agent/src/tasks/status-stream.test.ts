import type { TaskStatus } from '@gantry/specs';
import { describe, expect, it } from 'vitest';
import { acknowledge, due, emptyStream, enqueue, resend, sent } from './status-stream.js';

const update = (uuid: string, state: TaskStatus['state']): TaskStatus => ({ uuid, taskId: 't', state, timestamp: '2026-01-01T00:00:00.000Z' });
const policy = { initialMs: 1000, maxMs: 8000 };

describe('status stream', () => {
  it('sends updates in order, one in flight, the next only after the ack', () => {
    let s = enqueue(enqueue(emptyStream(), update('u1', 'TASK_STARTING')), update('u2', 'TASK_RUNNING'));
    expect(due(s, 0)?.uuid).toBe('u1');
    s = sent(s, 0, policy);
    expect(due(s, 10)).toBeNull(); // u2 waits behind the unacknowledged u1
    s = acknowledge(s, 'u1').stream;
    expect(due(s, 10)?.uuid).toBe('u2');
  });

  it('retries the head with doubling delays up to the cap', () => {
    let s = enqueue(emptyStream(), update('u1', 'TASK_RUNNING'));
    const dueTimes: number[] = [];
    let now = 0;
    for (let i = 0; i < 6; i++) {
      s = sent(s, now, policy);
      dueTimes.push(s.dueAt - now);
      now = s.dueAt;
      expect(due(s, now - 1)).toBeNull();
      expect(due(s, now)?.uuid).toBe('u1');
    }
    expect(dueTimes).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('treats a duplicate or stale ack as harmless', () => {
    let s = sent(enqueue(emptyStream(), update('u1', 'TASK_RUNNING')), 0, policy);
    s = acknowledge(s, 'u1').stream;
    const again = acknowledge(s, 'u1');
    expect(again.matched).toBe(false);
    expect(again.stream).toBe(s);
  });

  it('resends the head at once after a reconnect', () => {
    const s = sent(sent(enqueue(emptyStream(), update('u1', 'TASK_RUNNING')), 0, policy), 1000, policy);
    expect(due(resend(s), 1001)?.uuid).toBe('u1');
  });
});
