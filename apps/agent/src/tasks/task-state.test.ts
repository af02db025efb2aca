import type { TaskState } from '@gantry/specs';
import { describe, expect, it } from 'vitest';
import { transition } from './task-state.js';

describe('task state machine', () => {
  it.each<[TaskState, TaskState, boolean]>([
    ['TASK_STAGING', 'TASK_STARTING', true],
    ['TASK_STARTING', 'TASK_RUNNING', true],
    ['TASK_RUNNING', 'TASK_RUNNING', true], // a health change
    ['TASK_RUNNING', 'TASK_KILLING', true],
    ['TASK_KILLING', 'TASK_KILLED', true],
    ['TASK_RUNNING', 'TASK_FAILED', true], // e.g. the OOM killer
    ['TASK_STAGING', 'TASK_ERROR', true], // refused launch
    ['TASK_KILLED', 'TASK_RUNNING', false],
    ['TASK_FINISHED', 'TASK_FAILED', false],
    ['TASK_KILLING', 'TASK_RUNNING', false],
    ['TASK_RUNNING', 'TASK_STARTING', false],
    ['TASK_RUNNING', 'TASK_UNREACHABLE', false],
  ])('%s → %s allowed: %s', (from, to, ok) => {
    expect(transition(from, to).ok).toBe(ok);
  });

  it('says why a terminal task cannot move', () => {
    expect(transition('TASK_KILLED', 'TASK_RUNNING')).toEqual({ ok: false, error: 'TASK_KILLED is terminal; a task never leaves it' });
  });
});
