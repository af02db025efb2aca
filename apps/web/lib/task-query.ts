import type { TaskListInput } from './api-types';

/** The Tasks list's view state in the URL, read the same on the server and in the browser. */
export const TASK_PAGE = 100;
export const TASK_DEFAULTS = { state: 'live', q: '', app: '', group: '', node: '', sort: 'app', dir: 'asc' } as const;
export type TaskView = Record<keyof typeof TASK_DEFAULTS, string>;

export const TASK_STATE_OPTIONS = [
  ['live', 'Live (not ended)'], ['TASK_RUNNING', 'Running'], ['TASK_STAGING', 'Staging'], ['TASK_STARTING', 'Starting'], ['TASK_KILLING', 'Killing'],
  ['TASK_UNREACHABLE', 'Unreachable'], ['failed', 'Failed (ended on their own)'], ['TASK_FINISHED', 'Finished'], ['TASK_KILLED', 'Killed'], ['all', 'Every state'],
] as const;
const STATES: readonly string[] = [...TASK_STATE_OPTIONS.map(([v]) => v), 'TASK_FAILED', 'TASK_ERROR', 'TASK_GONE', 'TASK_DROPPED', 'TASK_UNKNOWN'];
const SORTS = ['id', 'app', 'state', 'host', 'started', 'updated'];

export function taskListInput(view: Partial<TaskView>, offset = 0): TaskListInput {
  return {
    state: (STATES.includes(view.state ?? '') ? view.state : 'live') as TaskListInput['state'],
    ...(view.q ? { search: view.q.slice(0, 200) } : {}),
    ...(view.app && view.app.startsWith('/') ? { appId: view.app } : {}),
    ...(view.group && view.group.startsWith('/') ? { group: view.group } : {}),
    ...(view.node ? { agentId: view.node } : {}),
    sort: (SORTS.includes(view.sort ?? '') ? view.sort : 'app') as TaskListInput['sort'],
    dir: view.dir === 'desc' ? 'desc' : 'asc',
    offset,
    limit: TASK_PAGE,
  };
}
