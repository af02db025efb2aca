import { requestPodRestart, type SpecProblem } from '@gantry/scheduler-core';
import { hasPersistentVolumes, StatefulServiceDefinition, type App } from '@gantry/specs';
import type { Tx } from '../db/fenced.js';
import { DesiredStateError, type ResidentChange } from '../services/desired-state.js';
import { schedulerRole } from '../services/scheduler/service-spec.js';
import { firstConfig, nextConfig } from './config-change.js';
import type { StatefulServiceRepository } from './repository.js';

/**
 * A Marathon resident app (`container.volumes` with `persistent`) as the stateful
 * framework runs it: one pod of `instances` instances, each reserving its resources and
 * creating its volumes on one agent, relaunched only in place, never moved unless an
 * operator replaces it — Marathon's resident semantics, by the same core as the catalog's
 * databases. Only COMMAND health checks carry over (stateful checks are commands); an
 * HTTP or TCP check of a resident app is not run (said in the services README).
 */
export function residentDefinition(app: App): StatefulServiceDefinition {
  const persistent = (app.container?.volumes ?? []).filter((v) => v.persistent);
  const command = app.healthChecks.find((c) => c.protocol === 'COMMAND' && c.command);
  const portName = (name: string | undefined, i: number) => (name ?? `port${i}`).toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^[^a-z]+/, 'p');
  return StatefulServiceDefinition.parse({
    name: app.id,
    role: schedulerRole(app.id, app.role),
    pods: [{
      name: 'instance',
      count: app.instances,
      resources: { cpus: app.cpus, mem: app.mem, disk: app.disk },
      ports: app.portDefinitions.map((p, i) => ({ name: portName(p.name, i), port: app.requirePorts ? p.port : 0 })),
      volumes: persistent.map((v) => ({ path: v.containerPath, type: v.persistent!.type === 'mount' ? 'MOUNT' : 'ROOT', size: v.persistent!.size })),
      placement: app.constraints,
      tasks: [{
        name: 'app',
        cmd: app.cmd ?? (app.args ?? []).map(shellQuote).join(' '),
        env: app.env,
        ...(command ? {
          healthCheck: {
            cmd: command.command!.value, intervalSeconds: Math.max(1, command.intervalSeconds), timeoutSeconds: Math.max(1, command.timeoutSeconds),
            delaySeconds: command.delaySeconds, gracePeriodSeconds: command.gracePeriodSeconds, maxConsecutiveFailures: Math.max(1, command.maxConsecutiveFailures),
          },
        } : {}),
        ...(app.taskKillGracePeriodSeconds !== undefined ? { killGracePeriodSeconds: app.taskKillGracePeriodSeconds } : {}),
      }],
      ...(app.user ? { user: app.user } : {}),
    }],
    backoff: { backoffSeconds: app.backoffSeconds, backoffFactor: app.backoffFactor, maxLaunchDelaySeconds: app.maxLaunchDelaySeconds },
  });
}

/** POSIX single-quoting: Marathon's `args` run without a shell; here they pass through one unchanged. */
function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Marathon's resident apps through `/v2/apps`, run by the stateful framework: every
 * change of such an app writes its stateful service in the same transaction as the app
 * (so the two never disagree), and the services scheduler leaves its tasks alone.
 *
 *   create        a stateful service with one pod of `instances` (deploy plan)
 *   change        its next config, rolled out by the update plan, in place
 *   restart       every placed instance restarted in place (`pod restart`)
 *   delete        uninstall, destroying its volumes and releasing its reservations (Marathon does)
 *
 * Refused (422): adding or removing persistent volumes of an existing app, and what a
 * running stateful service cannot take (fewer instances: their volumes would be orphaned).
 */
export class ResidentApps {
  constructor(private readonly repo: StatefulServiceRepository, private readonly now: () => Date) {}

  /** DesiredState's hook, inside its transaction; only called for apps with persistent volumes before or after. */
  async apply(tx: Tx, change: ResidentChange): Promise<void> {
    const { id, before, after } = change;
    const was = before !== null && hasPersistentVolumes(before.container);
    const is = after !== null && hasPersistentVolumes(after.container);
    if (before && after && was !== is) {
      throw new DesiredStateError(422, `${id}: persistent volumes cannot be ${is ? 'added to' : 'removed from'} an existing app — delete it (its volumes go with it) and create it anew`);
    }
    const now = this.now();
    const record = await this.repo.lockIn(tx, id);
    if (!after) {
      if (record && !record.uninstall?.destroyData) await this.repo.update(id, record.revision, { uninstall: { destroyData: true } }, now, tx);
      return;
    }
    const definition = residentDefinition(after);
    if (record?.uninstall) throw new DesiredStateError(409, `${id} is still being removed (its volumes are being destroyed): try again once it is gone`);
    if (!record) {
      const first = firstConfig(definition);
      if ('problems' in first) throw invalid(id, first.problems);
      await this.repo.create(tx, { id, definition, configId: first.configId }, now);
      await this.repo.update(id, 0, { plans: first.plans }, now, tx);
      return;
    }
    const next = nextConfig(record, definition);
    if (next && 'problems' in next) throw invalid(id, next.problems);
    const restarted = change.restart ? record.podInstances.map((i) => (i.reservation ? requestPodRestart(i, now.getTime()) : i)) : null;
    if (next || restarted) await this.repo.update(id, record.revision, { ...(next ? next.fields : {}), ...(restarted ? { podInstances: restarted } : {}) }, now, tx);
  }
}

function invalid(id: string, problems: readonly SpecProblem[]): DesiredStateError {
  const said = problems.map((p) => p.message.replace(/\bcount\b/g, 'instances'));
  return new DesiredStateError(422, `${id} has persistent volumes, so it runs as a stateful service, which cannot take this: ${said.join('; ')}`);
}
