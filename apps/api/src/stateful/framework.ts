import {
  instanceName, liveTasks, planStatus, reconcileStatefulService, recordAcceptedOperations, resolveOfferOperations, Resources,
  type AgentLiveness, type OfferNeed, type Operation, type PlanState, type PlacementCandidate, type PodInstanceDecision, type PodInstanceState,
  type StatefulLaunchPayload, type StatefulServiceSpec, type StatefulTask, type TaskLaunch,
} from '@gantry/scheduler-core';
import { isTerminal, TaskSpec, type NodeView } from '@gantry/specs';
import type { AgentCommands } from '../tasks/agent-commands.js';
import type { TaskRepository, TaskWithSpec } from '../tasks/repository.js';
import { sameJson } from './config-change.js';
import { RevisionConflictError, type StatefulRecord, type StatefulServiceRepository } from './repository.js';

/** What the allocator must hold for one pod instance: its reservation, taken while a task of it runs. */
export interface PodHolding {
  key: string;
  agentId: string;
  role: string;
  resources: Resources;
}

/** One service's pass, waiting for the round's offers. */
interface ServicePass {
  record: StatefulRecord;
  /** The revision after this pass's write. */
  revision: number;
  spec: StatefulServiceSpec;
  instances: Map<string, PodInstanceState>;
  needs: OfferNeed[];
}

/** What the leader's pass learned and must carry out for stateful services. */
export interface StatefulPass {
  services: ServicePass[];
  /** Roles with offer needs: the allocator revives them. */
  roles: Set<string>;
  /** Per pod instance, what it is doing and why (for the console), by service. */
  pods: Map<string, PodInstanceDecision[]>;
}

export interface StatefulAcceptPort {
  /** Accepts an offer with these operations (the rest of it goes back at once). */
  accept(offerId: string, operations: readonly Operation[], now: number): void;
}

export interface StatefulFrameworkDeps {
  repo: StatefulServiceRepository;
  tasks: TaskRepository;
  commands: AgentCommands;
  now: () => Date;
}


/**
 * The stateful services framework on the leader (the dcos-commons SDK's scheduler,
 * in Gantry's offer cycle): each pass it reconciles every stateful service with the pure
 * core — plans, recovery, pod restart/replace — kills and expunges what the core says,
 * writes the plans and pod instances back (fenced, under the service's revision), and
 * answers the round's offers for its roles with RESERVE → CREATE → LAUNCH (a new
 * placement), LAUNCH on the pod's own reservation (in place, the only relaunch there
 * is) or DESTROY → UNRESERVE (a retired generation). The accepted state is written
 * before any volume is created or task sent: a launch the master forgets cannot exist.
 */
export class StatefulFramework {
  /** Pod instances whose reservation the allocator holds for running tasks, by `service/instance`. */
  private readonly holding = new Map<string, PodHolding>();
  private lastPods = new Map<string, PodInstanceDecision[]>();
  private byAgent = new Map<string, { reserved: Resources[]; held: PodHolding[] }>();
  private ids: ReadonlySet<string> = new Set();
  private settled: ReadonlySet<string> = new Set();

  constructor(private readonly deps: StatefulFrameworkDeps) {}

  /** Per service, what each pod instance is doing and why (the last pass's view). */
  pods(serviceId: string): PodInstanceDecision[] {
    return this.lastPods.get(serviceId) ?? [];
  }

  /** A new leadership term: nothing is held until the agents are added again. */
  reset(): void {
    this.holding.clear();
  }

  /**
   * Reservations (and what running tasks hold of them) on one agent, as the last pass
   * read them, for the allocator to start from when the agent is (re)added.
   */
  reservationsOn(agentId: string): { reserved: Resources[]; held: PodHolding[] } {
    return this.byAgent.get(agentId) ?? { reserved: [], held: [] };
  }

  /**
   * Whether a service's current config is rolled out (its deploy or update plan complete)
   * with no restart pending or at work, as of the last pass: a resident app's /v2
   * deployment step is done when this is.
   */
  settledNow(serviceId: string): boolean {
    return this.settled.has(serviceId);
  }

  /** Ids of the stateful services (their tasks are this framework's, not the services framework's). */
  serviceIds(): ReadonlySet<string> {
    return this.ids;
  }

  /** Records that the allocator holds these (an agent was added with them in use). */
  adopt(held: readonly PodHolding[]): void {
    for (const h of held) this.holding.set(h.key, h);
  }

  /** Forgets what was held on an agent that left the allocator. */
  dropAgent(agentId: string): void {
    for (const [key, h] of this.holding) if (h.agentId === agentId) this.holding.delete(key);
  }

  /**
   * Reconcile every service: refresh its tasks from Postgres, let the core decide,
   * kill, expunge, write plans and instances back; returns the needs for the round.
   * `release` gives back a pod's reservation once none of its tasks runs.
   */
  async reconcile(epoch: number, nodes: readonly NodeView[], connected: (agentId: string) => boolean, release: (held: PodHolding) => void): Promise<StatefulPass> {
    const now = this.deps.now();
    const t = now.getTime();
    const records = await this.deps.repo.list();
    const agents: AgentLiveness[] = nodes.map((n) => ({
      id: n.id, hostname: n.hostname, reachable: n.state === 'ACTIVE' && connected(n.id),
      ...(n.state !== 'ACTIVE' ? { unreachableSince: new Date(n.lastHeartbeatAt).getTime() } : {}),
      mode: n.mode === 'DRAINING' ? 'DRAINING' : 'UP',
    }));
    const taskIds = records.flatMap((r) => r.podInstances.flatMap((i) => i.tasks.map((task) => task.taskId)));
    const rows = new Map((await this.deps.tasks.byIds(taskIds)).map((row) => [row.id, row]));
    const pass: StatefulPass = { services: [], roles: new Set(), pods: new Map() };
    this.ids = new Set(records.map((r) => r.id));
    const settled = new Set<string>();
    const byAgent = new Map<string, { reserved: Resources[]; held: PodHolding[] }>();
    for (const record of records) {
      const spec = toSpec(record);
      const instances = record.podInstances.map((i) => refresh(i, rows, t));
      const decision = reconcileStatefulService({
        spec,
        pastSpecs: Object.entries(record.pastDefinitions).filter(([id]) => id !== record.configId).map(([configId, d]) => ({ ...d, configId })),
        plans: record.plans, instances, agents, now: t,
        ...(record.uninstall ? { uninstall: record.uninstall } : {}),
      });
      pass.pods.set(record.id, [...decision.pods]);
      if (isSettled(record.configId, decision.plans, decision.instances)) settled.add(record.id);
      for (const instance of decision.instances) {
        for (const reservation of [instance.reservation, ...instance.retired]) {
          if (!reservation) continue;
          const entry = byAgent.get(reservation.agentId) ?? { reserved: [], held: [] };
          entry.reserved.push(reservation.resources);
          if (reservation === instance.reservation && liveTasks(instance).length > 0) {
            entry.held.push({ key: `${record.id}/${instanceName(instance)}`, agentId: reservation.agentId, role: spec.role, resources: reservation.resources });
          }
          byAgent.set(reservation.agentId, entry);
        }
      }
      // Reservations whose tasks all ended go back to the pool (for the role, still reserved).
      for (const instance of decision.instances) {
        const key = `${record.id}/${instanceName(instance)}`;
        const held = this.holding.get(key);
        if (held && liveTasks(instance).length === 0) {
          release(held);
          this.holding.delete(key);
        }
      }
      if (decision.kills.length) {
        await this.deps.tasks.markKillRequested(epoch, decision.kills.map((k) => k.taskId), now);
        for (const kill of decision.kills) {
          const agentId = rows.get(kill.taskId)?.agentId;
          if (agentId) this.deps.commands.killOn(agentId, kill.taskId).catch(() => undefined);
        }
      }
      if (decision.expunge.length) await this.deps.tasks.expunge(epoch, [...decision.expunge], now);
      if (decision.uninstalled) {
        await this.deps.repo.remove(epoch, record.id, record.revision).catch(ignoreConflict);
        continue;
      }
      // A pass that changes nothing writes nothing (most passes, once a service runs).
      const unchanged = sameJson(decision.plans, record.plans) && sameJson(decision.instances, record.podInstances);
      if (!unchanged) {
        try {
          await this.deps.repo.recordPass(epoch, record.id, record.revision, { plans: [...decision.plans], podInstances: [...decision.instances] }, now);
        } catch (error) {
          ignoreConflict(error); // an operator's verb landed meanwhile: the next pass starts from it
          continue;
        }
      }
      const service: ServicePass = {
        record, revision: unchanged ? record.revision : record.revision + 1, spec,
        instances: new Map(decision.instances.map((i) => [instanceName(i), i])), needs: [...decision.needs],
      };
      pass.services.push(service);
      for (const need of service.needs) pass.roles.add(need.role);
    }
    this.lastPods = pass.pods;
    this.settled = settled;
    this.byAgent = byAgent;
    return pass;
  }

  /**
   * Answers the round's offers: each need takes the first offer (of its role, on its
   * agent when it has one) the core can resolve it with — at most one need per offer in
   * a pass. Then the accepted state is written, the tasks staged, volumes created and
   * launches sent, in that order.
   */
  async answer(epoch: number, pass: StatefulPass, candidates: readonly PlacementCandidate[], port: StatefulAcceptPort): Promise<Set<string>> {
    const now = this.deps.now();
    const t = now.getTime();
    const used = new Set<string>();
    for (const service of pass.services) {
      const accepted: { need: OfferNeed; launched: TaskLaunch[]; volumes: { agentId: string; id: string; size: number }[]; destroyed: { agentId: string; id: string }[] }[] = [];
      for (const need of service.needs) {
        for (const candidate of candidates) {
          if (used.has(candidate.id) || candidate.role !== need.role || (need.agentId && candidate.agentId !== need.agentId)) continue;
          const resolved = resolveOfferOperations(need, candidate);
          if (!resolved.ok) continue;
          port.accept(candidate.id, resolved.operations, t);
          used.add(candidate.id);
          const instance = service.instances.get(need.podInstance)!;
          service.instances.set(need.podInstance, recordAcceptedOperations(instance, need, resolved, t));
          const creates = resolved.operations.some((op) => op.type === 'CREATE');
          accepted.push({
            need, launched: [...resolved.launched],
            volumes: creates && resolved.reservation ? resolved.reservation.volumes.map((v) => ({ agentId: candidate.agentId, id: v.id, size: v.size })) : [],
            destroyed: need.purpose === 'CLEANUP' ? (need.reservation?.volumes ?? []).map((v) => ({ agentId: candidate.agentId, id: v.id })) : [],
          });
          if (resolved.launched.length) {
            const held = resolved.launched.reduce((sum, l) => sum.plus(l.resources), Resources.EMPTY);
            this.holding.set(`${service.record.id}/${need.podInstance}`, { key: `${service.record.id}/${need.podInstance}`, agentId: candidate.agentId, role: need.role, resources: held });
          }
          break;
        }
      }
      if (accepted.length === 0) continue;
      // The state first (reservation, staged tasks), then the task rows, then the agent.
      await this.deps.repo.recordPass(epoch, service.record.id, service.revision, { plans: service.record.plans, podInstances: [...service.instances.values()] }, now)
        .catch(async () => {
          // The plans were just written by this pass; only the instances change here, so
          // re-read and write them onto the newest plans.
          const fresh = await this.deps.repo.get(service.record.id);
          if (!fresh) return;
          await this.deps.repo.recordPass(epoch, fresh.id, fresh.revision, { plans: fresh.plans, podInstances: [...service.instances.values()] }, now);
        });
      const staging = accepted.flatMap((a) => a.launched.map((l) => ({ need: a.need, spec: taskSpecOf(service.record.id, l) })));
      await this.deps.tasks.stageMany(epoch, staging.map((s) => ({ agentId: s.need.agentId ?? agentOf(service, s.need), spec: s.spec, configVersion: s.need.configId, role: s.need.role })), now);
      for (const a of accepted) {
        void (async () => {
          for (const v of a.destroyed) await this.deps.commands.destroyVolume(v.agentId, v.id);
          for (const v of a.volumes) await this.deps.commands.createVolume(v.agentId, v.id, a.need.role, v.size);
          for (const l of a.launched) {
            const agentId = a.need.agentId ?? agentOf(service, a.need);
            await this.deps.commands.sendLaunch(agentId, taskSpecOf(service.record.id, l));
          }
        })().catch((error: unknown) => console.error(`stateful ${service.record.id} ${a.need.podInstance}: ${(error as Error).message}`));
      }
    }
    return used;
  }
}

/** The rollout plan of `configId` complete, and no recovery (a restart) pending or at work. */
function isSettled(configId: string, plans: readonly PlanState[], instances: readonly PodInstanceState[]): boolean {
  const rollout = plans.find((p) => p.configId === configId && (p.name === 'update' || p.name === 'deploy'));
  const recovery = plans.find((p) => p.name === 'recovery');
  return rollout !== undefined && planStatus(rollout) === 'COMPLETE' && (!recovery || planStatus(recovery) === 'COMPLETE')
    && instances.every((i) => i.restartRequestedAt === null);
}

function ignoreConflict(error: unknown): void {
  if (!(error instanceof RevisionConflictError)) throw error;
}

function agentOf(service: ServicePass, need: OfferNeed): string {
  return service.instances.get(need.podInstance)!.reservation!.agentId;
}

function toSpec(record: StatefulRecord): StatefulServiceSpec {
  return { ...record.definition, configId: record.configId } as StatefulServiceSpec;
}

/** A pod instance's tasks as Postgres knows them now (a staged task Postgres never got was lost: dropped). */
function refresh(instance: PodInstanceState, rows: ReadonlyMap<string, TaskWithSpec>, now: number): PodInstanceState {
  const tasks = instance.tasks.map((task): StatefulTask => {
    const row = rows.get(task.taskId);
    if (!row) return task.state === 'TASK_STAGING' && now - task.stagedAt > 30_000 ? { ...task, state: 'TASK_DROPPED', endedAt: now } : task;
    const ended = isTerminal(row.state);
    return {
      ...task, agentId: row.agentId, state: row.state, healthy: row.healthy, ready: row.ready,
      endedAt: ended ? (task.endedAt ?? row.updatedAt.getTime()) : null, killRequestedAt: row.killRequestedAt?.getTime() ?? null,
    };
  });
  return { ...instance, tasks };
}

/** The TaskSpec an agent runs for one launched stateful task (its payload is the core's). */
export function taskSpecOf(serviceId: string, launch: TaskLaunch): TaskSpec {
  const p = launch.payload as StatefulLaunchPayload;
  const check = (c: NonNullable<StatefulLaunchPayload['healthCheck']>) => ({
    protocol: 'COMMAND' as const, command: { value: c.cmd }, gracePeriodSeconds: c.gracePeriodSeconds, intervalSeconds: c.intervalSeconds,
    timeoutSeconds: c.timeoutSeconds, maxConsecutiveFailures: c.maxConsecutiveFailures, delaySeconds: c.delaySeconds,
  });
  return TaskSpec.parse({
    taskId: launch.taskId,
    appId: serviceId,
    appVersion: p.configId,
    cmd: p.cmd,
    env: p.env,
    ...(p.user ? { user: p.user } : {}),
    resources: { cpus: p.cpus, mem: p.mem, disk: p.disk, ports: [...p.ports] },
    ...(p.killGracePeriodSeconds !== undefined ? { killGracePeriodSeconds: p.killGracePeriodSeconds } : {}),
    healthChecks: p.healthCheck ? [check(p.healthCheck)] : [],
    readinessChecks: p.readinessCheck
      ? [{ protocol: 'COMMAND', name: 'readiness', command: { value: p.readinessCheck.cmd }, intervalSeconds: p.readinessCheck.intervalSeconds, timeoutSeconds: p.readinessCheck.timeoutSeconds }]
      : [],
    volumes: p.volumes.map((v) => ({ containerPath: v.containerPath, volumeId: v.volumeId, mode: v.mode })),
    // Resolved by the agent's provider wherever the task lands.
    externalVolumes: (p.externalVolumes ?? []).map((v) => ({ containerPath: v.containerPath, provider: v.provider, name: v.name, mode: v.mode })),
  });
}

