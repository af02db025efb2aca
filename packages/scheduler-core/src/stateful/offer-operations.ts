/**
 * From an `OfferNeed` and one offer to the concrete offer operations (the vocabulary of
 * `offers/operations.ts`), and from accepted operations back to the pod instance's state.
 *
 *   PLACE     the placement pipeline checks the offer (constraints against the pod's other
 *             instances, unreserved cpus/mem/disk/ports); then
 *               RESERVE  what the pipeline matched, dynamically reserved for the role with
 *                        the pod instance's labels (ports included: they stay the pod's)
 *               CREATE   each volume on `size` MiB of that reserved disk
 *               LAUNCH   its tasks on the reserved resources and volumes
 *   RELAUNCH  only an offer from the agent holding the reservation, and only if it offers
 *             the whole labelled reservation back (volumes included): [UNRESERVE surplus]
 *             [RESERVE growth] LAUNCH — the volume never leaves its agent
 *   CLEANUP   the retired generation's labelled resources: DESTROY its volumes, UNRESERVE
 *
 * Resources of a launch: each task takes its cpus/mem share; the pod's first task (in spec
 * order) also takes the ports, the sandbox disk and the volumes; every task of the pod
 * mounts the volumes (payload). External volumes are neither reserved nor created: they
 * travel in the payload only (`externalVolumes`), for the agent's provider to resolve.
 * The result is checked by `applyOperations` before it is returned, so an accepted list
 * never over-commits the offer.
 */
import { applyOperations, type Operation, type TaskLaunch } from '../offers/operations.js';
import { placeOne } from '../placement/pipeline.js';
import type { PlacementCandidate, Rejection } from '../placement/types.js';
import { toMilli } from '../resources/quantity.js';
import { rangesOfValues } from '../resources/ranges.js';
import { dynamicReservation, ranges, scalar, scalarMilli, type Reservation, type Resource } from '../resources/resource.js';
import { Resources } from '../resources/resources.js';
import { instanceName, portEnvName, volumeIdFor } from './identity.js';
import { externalVolumeName, externalVolumes, localVolumeDisk, localVolumes } from './volumes.js';
import type { CreatedVolume, OfferNeed, PodInstanceState, PodReservation, PodSpec, StatefulLaunchPayload, StatefulTask } from './types.js';

export type ResolvedOperations =
  | {
      ok: true;
      operations: Operation[];
      /** What the pod instance holds after them (PLACE, RELAUNCH); null after CLEANUP. */
      reservation: PodReservation | null;
      /** The launched tasks as the runtime stages them (TASK_STAGING at `now`). */
      launched: TaskLaunch[];
    }
  | { ok: false; rejections: Rejection[] };

function labelsMatch(have: Readonly<Record<string, string>> | undefined, want: Readonly<Record<string, string>>): boolean {
  return Object.entries(want).every(([k, v]) => have?.[k] === v);
}

/** Milli-units by which `pod` needs more (`grow`) or less (`shrink`) than `reservation` holds. */
export function resizeDelta(pod: PodSpec, reservation: PodReservation): { grow: Map<string, number>; shrink: Map<string, number> } {
  const want: Record<string, number> = { cpus: toMilli(pod.resources.cpus), mem: toMilli(pod.resources.mem), disk: toMilli(pod.resources.disk + localVolumeDisk(pod)) };
  const grow = new Map<string, number>();
  const shrink = new Map<string, number>();
  for (const [name, w] of Object.entries(want)) {
    const have = reservation.resources.scalar(name);
    if (w > have) grow.set(name, w - have);
    else if (w < have) shrink.set(name, have - w);
  }
  return { grow, shrink };
}

function payloadFor(need: OfferNeed, pod: PodSpec, taskName: string, first: boolean, ports: readonly number[], volumes: readonly CreatedVolume[]): StatefulLaunchPayload {
  const ts = pod.tasks.find((t) => t.name === taskName)!;
  const index = need.podInstance.slice(pod.name.length + 1);
  const env: Record<string, string> = { ...ts.env, POD_INSTANCE_INDEX: index, TASK_NAME: `${need.podInstance}-${taskName}`, FRAMEWORK_NAME: need.service };
  pod.ports.forEach((p, i) => {
    if (ports[i] !== undefined) env[portEnvName(p.name)] = String(ports[i]);
  });
  return {
    service: need.service,
    podInstance: need.podInstance,
    task: taskName,
    configId: need.configId,
    goal: ts.goal,
    cmd: ts.cmd,
    env,
    cpus: ts.cpus ?? pod.resources.cpus,
    mem: ts.mem ?? pod.resources.mem,
    disk: first ? pod.resources.disk : 0,
    ports: first ? ports : [],
    volumes: volumes.map((v) => ({ volumeId: v.id, containerPath: v.containerPath, mode: 'RW' as const })),
    externalVolumes: externalVolumes(pod).map((v) => ({ provider: v.external!.provider, name: externalVolumeName(v.external!.name, index), containerPath: v.path, mode: 'RW' as const })),
    ...(ts.healthCheck ? { healthCheck: ts.healthCheck } : {}),
    ...(ts.readinessCheck ? { readinessCheck: ts.readinessCheck } : {}),
    ...(ts.killGracePeriodSeconds !== undefined ? { killGracePeriodSeconds: ts.killGracePeriodSeconds } : {}),
    ...(pod.user !== undefined ? { user: pod.user } : {}),
  };
}

/** The LAUNCH of `need.tasks` on `held` (the pod's reserved resources, volumes included). */
function launchOf(need: OfferNeed, pod: PodSpec, reservation: Reservation, ports: readonly number[], volumes: readonly CreatedVolume[], volumeResources: readonly Resource[]): TaskLaunch[] {
  const firstName = pod.tasks[0]!.name;
  return need.tasks.map(({ taskId, name }) => {
    const first = name === firstName;
    const ts = pod.tasks.find((t) => t.name === name)!;
    const items: Resource[] = [scalar('cpus', ts.cpus ?? pod.resources.cpus, { reservation }), scalar('mem', ts.mem ?? pod.resources.mem, { reservation })];
    if (first) {
      if (pod.resources.disk > 0) items.push(scalar('disk', pod.resources.disk, { reservation }));
      if (ports.length > 0) items.push(ranges('ports', rangesOfValues([...ports]), { reservation }));
      items.push(...volumeResources);
    }
    return { taskId, resources: Resources.of(items), payload: payloadFor(need, pod, name, first, ports, volumes) };
  });
}

function checked(candidate: PlacementCandidate, need: OfferNeed, operations: Operation[], reservation: PodReservation | null): ResolvedOperations {
  const applied = applyOperations(candidate.resources, operations, { role: need.role, ...(need.principal !== undefined ? { principal: need.principal } : {}) });
  if (!applied.ok) return { ok: false, rejections: [{ reason: 'InsufficientDisk', detail: `${applied.error.type}: ${applied.error.message}` }] };
  return { ok: true, operations, reservation, launched: [...applied.applied.launched] };
}

function notHere(detail: string): ResolvedOperations {
  return { ok: false, rejections: [{ reason: 'NoCorrespondingReservationFound', detail }] };
}

function place(need: OfferNeed, candidate: PlacementCandidate): ResolvedOperations {
  const pod = need.pod!;
  const { placement, summary } = placeOne(need.request!, [candidate], need.placed ?? []);
  if (!placement) return { ok: false, rejections: summary.candidates.flatMap((c) => c.rejections) };
  const reservation = dynamicReservation(need.role, need.principal, { ...need.labels });
  const reserved = placement.resources.reservedAs(reservation);
  const volumes: CreatedVolume[] = localVolumes(pod).map((v) => ({ id: volumeIdFor(need.service, need.podInstance, v.path, need.generation), containerPath: v.path, size: v.size }));
  const volumeResources = volumes.map((v) =>
    scalar('disk', v.size, { reservation, volume: { id: v.id, containerPath: v.containerPath, mode: 'RW', ...(need.principal !== undefined ? { principal: need.principal } : {}) } }),
  );
  const ports = placement.hostPorts;
  const operations: Operation[] = [{ type: 'RESERVE', resources: reserved }];
  if (volumeResources.length > 0) operations.push({ type: 'CREATE', volumes: Resources.of(volumeResources) });
  operations.push({ type: 'LAUNCH', tasks: launchOf(need, pod, reservation, ports, volumes, volumeResources) });
  const plainVolumeDisk = Resources.of(volumes.map((v) => scalar('disk', v.size, { reservation })));
  const held: PodReservation = {
    agentId: candidate.agentId,
    hostname: candidate.hostname,
    generation: need.generation,
    resources: reserved.minus(plainVolumeDisk).plus(Resources.of(volumeResources)),
    volumes,
    ports,
    configId: need.configId,
  };
  return checked(candidate, need, operations, held);
}

function relaunch(need: OfferNeed, candidate: PlacementCandidate): ResolvedOperations {
  const pod = need.pod!;
  const current = need.reservation!;
  if (candidate.agentId !== current.agentId) return notHere(`${need.podInstance} lives on ${current.hostname}, not ${candidate.hostname}`);
  const offeredOwn = candidate.resources.filter((r) => !!r.reservation && labelsMatch(r.reservation.labels, need.labels));
  if (!offeredOwn.contains(current.resources)) return notHere(`the offer from ${candidate.hostname} does not hold all of ${need.podInstance}'s reservation (in use?)`);
  const reservation = dynamicReservation(need.role, need.principal, { ...need.labels });
  const { grow, shrink } = resizeDelta(pod, current);
  const operations: Operation[] = [];
  let held = current.resources;
  if (shrink.size > 0) {
    // Shrink plain reserved scalars (never a volume).
    const give = Resources.of([...shrink].map(([name, milli]) => scalarMilli(name, milli, { reservation })));
    operations.push({ type: 'UNRESERVE', resources: give });
    held = held.minus(give);
  }
  if (grow.size > 0) {
    const more = Resources.of([...grow].map(([name, milli]) => scalarMilli(name, milli, { reservation })));
    operations.push({ type: 'RESERVE', resources: more });
    held = held.plus(more);
  }
  const volumeResources = held.items.filter((r) => !!r.volume);
  operations.push({ type: 'LAUNCH', tasks: launchOf(need, pod, reservation, current.ports, current.volumes, volumeResources) });
  return checked(candidate, need, operations, { ...current, resources: held, configId: need.configId });
}

function cleanup(need: OfferNeed, candidate: PlacementCandidate): ResolvedOperations {
  const retired = need.reservation!;
  if (candidate.agentId !== retired.agentId) return notHere(`retired reservation of ${need.podInstance} is on ${retired.hostname}`);
  const own = candidate.resources.filter((r) => !!r.reservation && labelsMatch(r.reservation.labels, need.labels));
  if (own.isEmpty()) return notHere(`${candidate.hostname} offers nothing of ${need.podInstance} generation ${need.generation}`);
  const volumes = own.volumes();
  const operations: Operation[] = [];
  if (!volumes.isEmpty()) operations.push({ type: 'DESTROY', volumes });
  // After DESTROY the volumes' disk is plain reserved disk again: unreserve it with the rest.
  const plain = own.minus(volumes).plus(Resources.of(volumes.items.map(stripVolume)));
  operations.push({ type: 'UNRESERVE', resources: plain });
  return checked(candidate, need, operations, null);
}

function stripVolume(r: Resource): Resource {
  const { volume: _v, ...rest } = r;
  return rest as Resource;
}

/** The operations that serve `need` with `candidate` (an offer), or why this offer cannot. */
export function resolveOfferOperations(need: OfferNeed, candidate: PlacementCandidate): ResolvedOperations {
  switch (need.purpose) {
    case 'PLACE':
      return place(need, candidate);
    case 'RELAUNCH':
      return relaunch(need, candidate);
    case 'CLEANUP':
      return cleanup(need, candidate);
  }
}

/**
 * The pod instance after the runtime accepted `resolved` for `need` at `now`: the new
 * reservation, the launched tasks in TASK_STAGING, the launch counter moved on; after a
 * CLEANUP the retired generation is dropped.
 */
export function recordAcceptedOperations(instance: PodInstanceState, need: OfferNeed, resolved: Extract<ResolvedOperations, { ok: true }>, now: number): PodInstanceState {
  if (instanceName(instance) !== need.podInstance) throw new RangeError(`need for ${need.podInstance} recorded on ${instanceName(instance)}`);
  if (need.purpose === 'CLEANUP') {
    // A retired generation (after a replace), or the pod's own reservation (uninstall with its data).
    const reservation = instance.reservation?.generation === need.generation ? null : instance.reservation;
    return { ...instance, reservation, retired: instance.retired.filter((r) => r.generation !== need.generation) };
  }
  const reservation = resolved.reservation!;
  const staged: StatefulTask[] = need.tasks.map(({ taskId, name }) => ({
    taskId,
    name,
    configId: need.configId,
    agentId: reservation.agentId,
    state: 'TASK_STAGING',
    healthy: null,
    ready: null,
    stagedAt: now,
    endedAt: null,
    killRequestedAt: null,
  }));
  const names = new Set(staged.map((t) => t.name));
  return {
    ...instance,
    reservation,
    launches: instance.launches + 1,
    tasks: [...instance.tasks.filter((t) => !names.has(t.name)), ...staged],
  };
}
