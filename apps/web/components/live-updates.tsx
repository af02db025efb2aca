'use client';
import { useQueryClient, type Query } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { createContext, useContext, useRef, type ReactNode } from 'react';
import { useTRPC } from '../lib/trpc';

type Status = 'connecting' | 'live' | 'interrupted';
const LiveStatus = createContext<Status>('connecting');

/** Whether the change stream is connected, for the "● live" marks. */
export const useLiveStatus = () => useContext(LiveStatus);

/** `[['services','app'], {input: {id}}]` → path and input. */
function keyParts(query: Query): { path: string; input: Record<string, unknown> } {
  const [path, meta] = query.queryKey as [string[] | undefined, { input?: Record<string, unknown> } | undefined];
  return { path: Array.isArray(path) ? path.join('.') : '', input: meta?.input ?? {} };
}

const under = (id: string, group: unknown) => typeof group !== 'string' || group === '/' || id === group || id.startsWith(`${group}/`);

/**
 * One subscription for the whole console (`live.changes`): each batch of changes
 * invalidates exactly the cached queries it affects — an app's own views, the list
 * levels that contain it, the task lists when tasks moved, a node's views when it
 * changed, the capacity chart when a sample was taken. Invalidating refetches only
 * what is on screen; nothing is refetched on a timer. A reconnect (or the server's
 * `resync`) may have missed events, so everything shown is refetched once.
 */
export function LiveUpdates({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const connections = useRef(0);

  const invalidate = (predicate: (path: string, input: Record<string, unknown>, data: unknown) => boolean) =>
    void queryClient.invalidateQueries({ predicate: (q) => { const { path, input } = keyParts(q); return predicate(path, input, q.state.data); } });

  const subscription = useSubscription(trpc.live.changes.subscriptionOptions(undefined, {
    onStarted: () => {
      // The first connection follows the page's own fetch; later ones follow a gap.
      if (connections.current++ > 0) invalidate(() => true);
    },
    onData: (batch) => {
      if (batch.resync || batch.manyApps) return invalidate((path) => path !== 'services.versions' && path !== 'services.version');
      const apps = new Set(batch.apps);
      const nodes = new Set(batch.nodes);
      const touches = (input: Record<string, unknown>) => [...apps].some((id) => under(id, input.group));
      invalidate((path, input, data) => {
        switch (path) {
          case 'services.list': return apps.size > 0 && touches(input);
          case 'services.app':
          case 'services.debug': return apps.has(String(input.id));
          case 'services.tasks': return (batch.tasks || batch.deployments) && apps.has(String(input.id));
          case 'services.deployments': return apps.has(String(input.id)) && (batch.deployments || !batch.tasks);
          case 'services.versions': return apps.has(String(input.id)) && !batch.tasks;
          case 'dashboard.summary': return apps.size > 0 || nodes.size > 0;
          case 'dashboard.capacity': return batch.metrics;
          case 'tasks.list': return batch.tasks && (input.appId === undefined || apps.has(String(input.appId))) && (input.group === undefined || touches(input));
          case 'tasks.get': return batch.tasks && apps.has((data as { task?: { appId?: string | null } } | undefined)?.task?.appId ?? '');
          case 'cluster.nodes': return nodes.size > 0 || batch.tasks;
          case 'cluster.node': return nodes.has(String(input.id)) || batch.tasks;
          case 'cluster.nodeTasks': return batch.tasks;
          case 'nodes.list': return nodes.size > 0;
          default: return false;
        }
      });
    },
  }));
  const status: Status = subscription.status === 'pending' ? 'live' : subscription.status === 'error' || subscription.status === 'connecting' && connections.current > 0 ? 'interrupted' : 'connecting';
  return <LiveStatus.Provider value={status}>{children}</LiveStatus.Provider>;
}

export function LiveMark() {
  const status = useLiveStatus();
  return (
    <span className="live" role="status">
      {status === 'live' ? '● live' : status === 'interrupted' ? 'live updates interrupted, reconnecting…' : ''}
    </span>
  );
}
