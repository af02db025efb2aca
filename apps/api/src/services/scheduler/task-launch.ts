import { randomUUID } from 'node:crypto';
import { taskIdPrefix, type App, type HealthCheck, type ReadinessCheck, type TaskSpec } from '@gantry/specs';
import { parseTaskSpec } from '../../tasks/agent-commands.js';
import type { AppRecord } from '../app-repository.js';

/** Marathon's task id: `<app path with _>.instance-<uuid>._app.<incarnation>`. */
export function newTaskId(appId: string): string {
  return `${taskIdPrefix(appId)}.instance-${randomUUID()}._app.1`;
}

// Marathon runs HTTP/HTTPS/TCP checks from the master and MESOS_* ones on the agent; Gantry
// runs every check on the agent, next to the task (Marathon's own advice since 1.4), so a
// master failover never interrupts them.
const agentProtocol = { HTTP: 'MESOS_HTTP', HTTPS: 'MESOS_HTTPS', TCP: 'MESOS_TCP', MESOS_HTTP: 'MESOS_HTTP', MESOS_HTTPS: 'MESOS_HTTPS', MESOS_TCP: 'MESOS_TCP', COMMAND: 'COMMAND' } as const;

function healthCheck(check: App['healthChecks'][number]): HealthCheck {
  return {
    protocol: agentProtocol[check.protocol as keyof typeof agentProtocol],
    path: check.path ?? '/',
    portIndex: check.portIndex ?? 0,
    ...(check.port !== undefined ? { port: check.port } : {}),
    ...(check.command ? { command: { value: check.command.value } } : {}),
    gracePeriodSeconds: check.gracePeriodSeconds,
    intervalSeconds: check.intervalSeconds,
    timeoutSeconds: check.timeoutSeconds,
    maxConsecutiveFailures: check.maxConsecutiveFailures,
    delaySeconds: check.delaySeconds,
  };
}

function readinessCheck(app: App, check: App['readinessChecks'][number]): ReadinessCheck {
  // Marathon names the port (`portName`); the agent wants its index among the task's ports.
  const byName = app.portDefinitions.findIndex((p) => p.name !== undefined && p.name === check.portName);
  return {
    name: check.name,
    protocol: check.protocol,
    path: check.path,
    portIndex: Math.max(0, byName),
    intervalSeconds: check.intervalSeconds,
    timeoutSeconds: check.timeoutSeconds,
    httpStatusCodesForReady: check.httpStatusCodesForReady,
  };
}

/**
 * Marathon's task environment beyond what the agent sets (ports, ids, resources):
 * `MARATHON_APP_LABELS` and `MARATHON_APP_LABEL_<NAME>`, and `PORT_<NAME>` for named ports.
 */
function marathonEnv(app: App, hostPorts: readonly number[]): Record<string, string> {
  const env: Record<string, string> = {};
  const labelNames = Object.keys(app.labels).filter((k) => /^[A-Za-z0-9_]+$/.test(k));
  if (labelNames.length) env.MARATHON_APP_LABELS = labelNames.join(' ');
  for (const name of labelNames) env[`MARATHON_APP_LABEL_${name.toUpperCase()}`] = app.labels[name]!;
  app.portDefinitions.forEach((p, i) => {
    if (p.name && /^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name) && hostPorts[i] !== undefined) env[`PORT_${p.name.toUpperCase()}`] = String(hostPorts[i]);
  });
  return env;
}

/** The TaskSpec an agent runs for one instance of `record` placed with these host ports. */
export function taskSpecFor(record: AppRecord, taskId: string, hostPorts: readonly number[]): TaskSpec {
  const app = record.app;
  return parseTaskSpec({
    taskId,
    appId: record.id,
    appVersion: record.version.toISOString(),
    ...(app.cmd !== undefined ? { cmd: app.cmd } : { args: app.args }),
    env: { ...marathonEnv(app, hostPorts), ...app.env },
    ...(app.user ? { user: app.user } : {}),
    resources: { cpus: app.cpus, mem: app.mem, disk: app.disk, ports: [...hostPorts] },
    ...(app.taskKillGracePeriodSeconds !== undefined ? { killGracePeriodSeconds: app.taskKillGracePeriodSeconds } : {}),
    healthChecks: app.healthChecks.map(healthCheck),
    fetch: app.fetch.map((f) => ({ uri: f.uri, extract: f.extract, executable: f.executable, ...(f.destPath ? { destPath: f.destPath } : {}) })),
    readinessChecks: app.readinessChecks.map((c) => readinessCheck(app, c)),
  });
}
