import type { ServiceListInput } from './api-types';

/**
 * The Services list's view state as it lives in the URL (`?group=/team-a&q=web&status=waiting&sort=mem&dir=desc`),
 * read the same on the server (the first page is rendered with the page) and in the browser.
 */
export const SERVICE_PAGE = 100;
export const SERVICE_DEFAULTS = { group: '/', q: '', status: '', health: '', sort: 'name', dir: 'asc' } as const;
export type ServiceView = Record<keyof typeof SERVICE_DEFAULTS, string>;

const STATUSES = ['delayed', 'waiting', 'deploying', 'running', 'suspended'];
const HEALTH = ['unhealthy', 'unknown', 'healthy', 'none'];
const SORTS = ['name', 'status', 'health', 'instances', 'cpus', 'mem', 'lastChange'];

export function serviceListInput(view: Partial<ServiceView>, offset = 0): ServiceListInput {
  const group = view.group && /^\/([^\s]*[^/\s])?$/.test(view.group) ? view.group : '/';
  return {
    group,
    ...(view.q ? { search: view.q.slice(0, 200) } : {}),
    ...(view.status && STATUSES.includes(view.status) ? { status: view.status as ServiceListInput['status'] } : {}),
    ...(view.health && HEALTH.includes(view.health) ? { health: view.health as ServiceListInput['health'] } : {}),
    sort: (SORTS.includes(view.sort ?? '') ? view.sort : 'name') as ServiceListInput['sort'],
    dir: view.dir === 'desc' ? 'desc' : 'asc',
    offset,
    limit: SERVICE_PAGE,
  };
}
