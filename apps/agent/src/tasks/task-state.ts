import { isTerminal, type TaskState } from '@gantry/specs';

/**
 * The agent's task state machine (Mesos' TaskState, as the command executor walks it):
 *
 *   STAGING ─► STARTING ─► RUNNING ─► FINISHED | FAILED | KILLED
 *      │          │           │
 *      │          └──────┬────┴─► KILLING ─► KILLED | FINISHED | FAILED
 *      └─► ERROR | FAILED | DROPPED | KILLED   (refused or failed before it ran)
 *
 * Terminal states never change. RUNNING → RUNNING is allowed: it carries a health or
 * readiness change (Mesos sends TASK_RUNNING again with `healthy` set).
 */
const allowed: Record<TaskState, readonly TaskState[]> = {
  TASK_STAGING: ['TASK_STARTING', 'TASK_RUNNING', 'TASK_ERROR', 'TASK_FAILED', 'TASK_DROPPED', 'TASK_KILLED', 'TASK_KILLING'],
  TASK_STARTING: ['TASK_RUNNING', 'TASK_FAILED', 'TASK_FINISHED', 'TASK_KILLING', 'TASK_KILLED', 'TASK_ERROR'],
  TASK_RUNNING: ['TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED'],
  TASK_KILLING: ['TASK_KILLED', 'TASK_FINISHED', 'TASK_FAILED'],
  TASK_FINISHED: [], TASK_FAILED: [], TASK_KILLED: [], TASK_ERROR: [], TASK_DROPPED: [], TASK_GONE: [],
  // The agent never produces these (the master does, about agents it cannot reach).
  TASK_UNREACHABLE: [], TASK_UNKNOWN: [],
};

export type Transition = { ok: true } | { ok: false; error: string };

export function transition(from: TaskState, to: TaskState): Transition {
  if (allowed[from].includes(to)) return { ok: true };
  if (isTerminal(from)) return { ok: false, error: `${from} is terminal; a task never leaves it` };
  return { ok: false, error: `a task cannot go from ${from} to ${to}` };
}
