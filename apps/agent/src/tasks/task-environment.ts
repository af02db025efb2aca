import type { TaskSpec } from '@gantry/specs';

export interface TaskContext {
  agentId: string;
  /** The address tasks on this agent are reached at (Marathon's HOST). */
  host: string;
  sandbox: string;
  /** The agent's PATH, so `sh -c "python3 …"` finds what the machine has. */
  path: string;
  /** The user's home directory when the task runs as another user. */
  home?: string;
}

/**
 * The environment a task starts with. Marathon gives tasks `PORT0..n`, `PORT`, `PORTS`,
 * `HOST`, `MARATHON_APP_ID`, `MARATHON_APP_VERSION`, `MARATHON_APP_RESOURCE_*`, and
 * Mesos adds `MESOS_TASK_ID` and `MESOS_SANDBOX`; Gantry sets the same facts under
 * `GANTRY_*` names and keeps the Marathon/Mesos names too, so existing programs run
 * unchanged. The user's `env` comes first and these win over it: a task must not be
 * able to lie to itself about its own ports or id (Marathon: ports env overrides too).
 */
export function taskEnvironment(spec: TaskSpec, context: TaskContext): Record<string, string> {
  const env: Record<string, string> = { PATH: context.path, ...spec.env };
  if (context.home) env.HOME = context.home;
  const ports = spec.resources.ports;
  ports.forEach((port, i) => (env[`PORT${i}`] = String(port)));
  if (ports.length > 0) env.PORT = String(ports[0]);
  env.PORTS = ports.join(',');
  env.HOST = context.host;
  const facts: Record<string, string | undefined> = {
    TASK_ID: spec.taskId,
    AGENT_ID: context.agentId,
    SANDBOX: context.sandbox,
    APP_ID: spec.appId,
    APP_VERSION: spec.appVersion,
    APP_RESOURCE_CPUS: String(spec.resources.cpus),
    APP_RESOURCE_MEM: String(spec.resources.mem),
    APP_RESOURCE_DISK: String(spec.resources.disk),
  };
  for (const [name, value] of Object.entries(facts)) if (value !== undefined) env[`GANTRY_${name}`] = value;
  env.MESOS_TASK_ID = spec.taskId;
  env.MESOS_SANDBOX = context.sandbox;
  if (spec.appId !== undefined) env.MARATHON_APP_ID = spec.appId;
  if (spec.appVersion !== undefined) env.MARATHON_APP_VERSION = spec.appVersion;
  env.MARATHON_APP_RESOURCE_CPUS = String(spec.resources.cpus);
  env.MARATHON_APP_RESOURCE_MEM = String(spec.resources.mem);
  env.MARATHON_APP_RESOURCE_DISK = String(spec.resources.disk);
  return env;
}
