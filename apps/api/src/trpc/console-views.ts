import type { DeploymentRow, NodeRow, TaskRow } from '../console/console-repository.js';

/**
 * The console's JSON shapes: rows of the read model with instants as ISO strings
 * (tRPC here sends plain JSON, no transformer).
 */

export interface TaskItem {
  id: string;
  appId: string | null;
  agentId: string;
  hostname: string | null;
  host: string | null;
  state: TaskRow['state'];
  healthy: boolean | null;
  ready: boolean | null;
  reason: string | null;
  message: string | null;
  exitCode: number | null;
  ports: number[];
  cpus: number;
  mem: number;
  disk: number;
  version: string | null;
  stagedAt: string;
  startedAt: string | null;
  updatedAt: string;
  killRequested: boolean;
}

export const taskItem = (r: TaskRow): TaskItem => ({
  id: r.id, appId: r.appId, agentId: r.agentId, hostname: r.hostname, host: r.host, state: r.state, healthy: r.healthy, ready: r.ready,
  reason: r.reason, message: r.message, exitCode: r.exitCode, ports: r.ports, cpus: r.cpus, mem: r.mem, disk: r.disk, version: r.version,
  stagedAt: r.stagedAt.toISOString(), startedAt: r.startedAt?.toISOString() ?? null, updatedAt: r.updatedAt.toISOString(),
  killRequested: r.killRequestedAt !== null,
});

export interface DeploymentItem {
  id: string;
  version: string;
  status: DeploymentRow['status'];
  affectedApps: string[];
  steps: { action: string; app: string }[][];
  /** 0-based index of the step under way (equal to steps.length once done). */
  currentStep: number;
  createdAt: string;
  finishedAt: string | null;
}

export const deploymentItem = (d: DeploymentRow): DeploymentItem => ({
  id: d.id, version: d.version.toISOString(), status: d.status, affectedApps: d.affectedApps, steps: d.steps,
  currentStep: d.status === 'SUCCEEDED' ? d.steps.length : d.currentStep,
  createdAt: d.createdAt.toISOString(), finishedAt: d.finishedAt?.toISOString() ?? null,
});

export interface NodeItem {
  id: string;
  hostname: string;
  address: string;
  state: NodeRow['state'];
  mode: NodeRow['mode'];
  resources: NodeRow['resources'];
  used: NodeRow['used'];
  attributes: Record<string, string>;
  agentVersion: string;
  registeredAt: string;
  lastHeartbeatAt: string;
  tasks: number;
}

export const nodeItem = (n: NodeRow, tasks: number): NodeItem => ({
  id: n.id, hostname: n.hostname, address: n.address, state: n.state, mode: n.mode, resources: n.resources, used: n.used,
  attributes: n.attributes, agentVersion: n.agentVersion, registeredAt: n.registeredAt.toISOString(), lastHeartbeatAt: n.lastHeartbeatAt.toISOString(), tasks,
});
