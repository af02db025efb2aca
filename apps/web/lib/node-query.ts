import type { NodeListInput } from './api-types';

export const NODE_PAGE = 100;
export const NODE_DEFAULTS = { view: 'list', q: '', state: '', sort: 'hostname', dir: 'asc' } as const;
export type NodeViewState = Record<keyof typeof NODE_DEFAULTS, string>;
const SORTS = ['hostname', 'state', 'cpus', 'mem', 'disk', 'tasks', 'heartbeat'];

export function nodeListInput(view: Partial<NodeViewState>, offset = 0): NodeListInput {
  return {
    ...(view.q ? { search: view.q.slice(0, 200) } : {}),
    ...(view.state === 'ACTIVE' || view.state === 'UNREACHABLE' || view.state === 'DRAINING' ? { state: view.state } : {}),
    sort: (SORTS.includes(view.sort ?? '') ? view.sort : 'hostname') as NodeListInput['sort'],
    dir: view.dir === 'desc' ? 'desc' : 'asc',
    offset,
    limit: NODE_PAGE,
  };
}
