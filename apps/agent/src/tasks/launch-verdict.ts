import type { PortRange, TaskExternalVolume, TaskReason, TaskSpec } from '@gantry/specs';
import { containerPath } from '../volumes/container-path.js';
import type { UserAccount } from './passwd.js';

/** Scalar resources: what the agent offers, or what its live tasks hold. */
export interface Scalars {
  cpus: number;
  mem: number;
  disk: number;
}

export interface LaunchContext {
  /** cpus, mem (MiB) and disk (MiB) this agent offers. */
  agentScalars: Scalars;
  /** What the agent's live tasks hold of them. */
  scalarsInUse: Scalars;
  /** Port ranges this agent offers. */
  agentPorts: readonly PortRange[];
  /** Host ports held by live tasks on this agent. */
  portsInUse: ReadonlySet<number>;
  /** Task ids this agent already knows (live or terminal but kept). */
  knownTaskIds: ReadonlySet<string>;
  /** Persistent volumes that exist on this agent. */
  volumes: ReadonlySet<string>;
  /** Whether the agent runs as root (only then can it switch user). */
  root: boolean;
  lookupUser: (name: string) => UserAccount | null;
}

/** An external volume to link at `relative`, once its provider has resolved `name` (at launch: it does I/O). */
export interface ExternalLink {
  relative: string;
  provider: TaskExternalVolume['provider'];
  name: string;
  readOnly: boolean;
}

export type LaunchVerdict =
  | { ok: true; user: UserAccount | null; volumeLinks: { relative: string; volumeId: string; readOnly: boolean }[]; externalLinks: ExternalLink[] }
  | { ok: false; reason: TaskReason; message: string };

const round = (n: number) => Math.round(n * 1000) / 1000;

const refuse = (message: string, reason: TaskReason = 'REASON_TASK_INVALID'): LaunchVerdict => ({ ok: false, reason, message });

/**
 * Whether this agent can run `spec`, decided before anything touches the machine. A
 * refusal becomes TASK_ERROR with the message (Mesos answers an invalid task with
 * TASK_ERROR / REASON_TASK_INVALID); nothing here throws.
 */
export function launchVerdict(spec: TaskSpec, context: LaunchContext): LaunchVerdict {
  if (context.knownTaskIds.has(spec.taskId)) return refuse(`task ${spec.taskId} already exists on this agent; task ids are never reused`);
  const hasCmd = spec.cmd !== undefined && spec.cmd.trim() !== '';
  const hasArgs = spec.args !== undefined && spec.args.length > 0;
  if (hasCmd === hasArgs) return refuse(hasCmd ? 'give either cmd or args, not both' : 'the task has no command: give cmd (run by /bin/sh -c) or args (exec\'d)');
  if (hasArgs && spec.args![0]!.trim() === '') return refuse('args[0] is empty: it must name the program to run');

  // The master placed the task against an offer; an agent that no longer has what the
  // offer promised (restarted with less, or raced by another launch) refuses rather than
  // over-commit. Sums of fractional cpus drift: compare with a little slack.
  for (const name of ['cpus', 'mem', 'disk'] as const) {
    const wanted = spec.resources[name];
    const free = context.agentScalars[name] - context.scalarsInUse[name];
    if (wanted > 0 && wanted > free + 1e-6) {
      const unit = name === 'cpus' ? '' : ' MiB';
      return refuse(
        `the task asks for ${wanted}${unit} ${name}, but this agent has only ${round(Math.max(0, free))}${unit} of its ${context.agentScalars[name]}${unit} free`,
        'REASON_RESOURCES_UNKNOWN',
      );
    }
  }

  const seen = new Set<number>();
  for (const port of spec.resources.ports) {
    if (!context.agentPorts.some(([begin, end]) => port >= begin && port <= end)) {
      return refuse(`port ${port} is not among this agent's ports`, 'REASON_RESOURCES_UNKNOWN');
    }
    if (seen.has(port) || context.portsInUse.has(port)) return refuse(`port ${port} is already held by another task on this agent`, 'REASON_RESOURCES_UNKNOWN');
    seen.add(port);
  }

  let user: UserAccount | null = null;
  if (spec.user !== undefined) {
    user = context.lookupUser(spec.user);
    if (!user) return refuse(`user "${spec.user}" does not exist on this agent`, 'REASON_CONTAINER_LAUNCH_FAILED');
    if (!context.root && user.uid !== process.getuid?.()) {
      return refuse(`the agent does not run as root, so it cannot run the task as "${spec.user}"`, 'REASON_CONTAINER_LAUNCH_FAILED');
    }
  }

  const volumeLinks: { relative: string; volumeId: string; readOnly: boolean }[] = [];
  for (const volume of spec.volumes) {
    const path = containerPath(volume.containerPath);
    if (!path.ok) return refuse(path.error);
    if (!context.volumes.has(volume.volumeId)) return refuse(`persistent volume ${volume.volumeId} does not exist on this agent (CREATE it first)`, 'REASON_CONTAINER_LAUNCH_FAILED');
    if (volumeLinks.some((l) => l.relative === path.relative)) return refuse(`two volumes at containerPath "${path.relative}"`);
    volumeLinks.push({ relative: path.relative, volumeId: volume.volumeId, readOnly: volume.mode === 'RO' });
  }
  // Whether this agent has the provider is decided at launch: a missing one fails the task
  // (TASK_FAILED, naming the flag) rather than refusing it as invalid — the spec is fine,
  // this agent is not set up for it.
  const externalLinks: ExternalLink[] = [];
  for (const volume of spec.externalVolumes) {
    const path = containerPath(volume.containerPath);
    if (!path.ok) return refuse(path.error);
    if (volumeLinks.some((l) => l.relative === path.relative) || externalLinks.some((l) => l.relative === path.relative)) return refuse(`two volumes at containerPath "${path.relative}"`);
    externalLinks.push({ relative: path.relative, provider: volume.provider, name: volume.name, readOnly: volume.mode === 'RO' });
  }
  for (const check of spec.healthChecks) {
    if (check.protocol !== 'COMMAND' && check.port === undefined && check.portIndex >= spec.resources.ports.length) {
      return refuse(`a ${check.protocol} health check uses portIndex ${check.portIndex}, but the task has ${spec.resources.ports.length} port(s)`);
    }
  }
  for (const check of spec.readinessChecks) {
    if (check.protocol !== 'COMMAND' && check.portIndex >= spec.resources.ports.length) {
      return refuse(`readiness check "${check.name}" uses portIndex ${check.portIndex}, but the task has ${spec.resources.ports.length} port(s)`);
    }
  }
  return { ok: true, user, volumeLinks, externalLinks };
}
