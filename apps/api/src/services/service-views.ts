import type { DeploymentRecord } from './deployment-repository.js';
import type { AppRecord } from './app-repository.js';
import type { MarathonAppView, MarathonTaskView, NodeView } from '@gantry/specs';
import type { TaskWithSpec } from '../tasks/repository.js';
import { instanceIdOf } from './scheduler/services-scheduler.js';

/**
 * Marathon's JSON for apps and tasks, built from what Postgres holds. Pure: the
 * routes and tRPC procedures load, these shape.
 */

/** Marathon's enrichedTask. `host` is the agent's advertised address: where the task is reached. */
export function taskView(task: TaskWithSpec, node: NodeView | undefined, app: AppRecord | undefined): MarathonTaskView {
  const healthCheckResults = task.healthy === null || !app?.app.healthChecks.length ? [] : [{
    alive: task.healthy,
    consecutiveFailures: task.healthy ? 0 : task.healthFailures,
    firstSuccess: task.healthy ? task.updatedAt.toISOString() : null,
    lastSuccess: task.healthy ? task.updatedAt.toISOString() : null,
    lastFailure: task.healthy ? null : task.updatedAt.toISOString(),
    lastFailureCause: task.healthy ? null : task.message ?? 'health check failed',
    instanceId: instanceIdOf(task.id),
    taskId: task.id,
  }];
  return {
    id: task.id,
    appId: task.appId ?? '',
    host: node?.address ?? '',
    ipAddresses: node ? [{ ipAddress: node.address, protocol: 'IPv4' }] : [],
    ports: task.spec.resources?.ports ?? [],
    servicePorts: app?.app.portDefinitions.map((p) => p.port) ?? [],
    slaveId: task.agentId,
    agentId: task.agentId,
    state: task.state,
    stagedAt: task.createdAt.toISOString(),
    startedAt: task.startedAt?.toISOString() ?? null,
    version: task.spec.appVersion ?? '',
    healthCheckResults,
    localVolumes: [],
    role: task.role ?? '',
  } as MarathonTaskView;
}

export interface AppViewOptions {
  tasks: readonly TaskWithSpec[];
  deployments: readonly DeploymentRecord[];
  nodes: ReadonlyMap<string, NodeView>;
  embedTasks: boolean;
  lastTaskFailure?: TaskWithSpec | null;
}

/** Marathon's app JSON: the definition, its version facts, task counts, deployments, and optional embeds. */
export function appView(record: AppRecord, options: AppViewOptions): MarathonAppView {
  const live = options.tasks.filter((t) => !['TASK_FINISHED', 'TASK_FAILED', 'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_GONE'].includes(t.state));
  const checked = record.app.healthChecks.length > 0;
  const view = {
    ...record.app,
    version: record.version.toISOString(),
    versionInfo: { lastScalingAt: record.lastScalingAt.toISOString(), lastConfigChangeAt: record.lastConfigChangeAt.toISOString() },
    tasksStaged: live.filter((t) => t.state === 'TASK_STAGING' || t.state === 'TASK_STARTING').length,
    tasksRunning: live.filter((t) => t.state === 'TASK_RUNNING').length,
    tasksHealthy: checked ? live.filter((t) => t.state === 'TASK_RUNNING' && t.healthy === true).length : 0,
    tasksUnhealthy: checked ? live.filter((t) => t.state === 'TASK_RUNNING' && t.healthy === false).length : 0,
    deployments: options.deployments.filter((d) => d.affectedApps.includes(record.id)).map((d) => ({ id: d.id })),
    ...(options.embedTasks ? { tasks: live.map((t) => taskView(t, options.nodes.get(t.agentId), record)) } : {}),
    ...(options.lastTaskFailure ? {
      lastTaskFailure: {
        appId: record.id, host: options.nodes.get(options.lastTaskFailure.agentId)?.address ?? '', message: options.lastTaskFailure.message ?? '',
        state: options.lastTaskFailure.state, taskId: options.lastTaskFailure.id, timestamp: options.lastTaskFailure.updatedAt.toISOString(),
        version: options.lastTaskFailure.spec.appVersion ?? '', slaveId: options.lastTaskFailure.agentId,
      },
    } : {}),
  };
  return view as MarathonAppView;
}
