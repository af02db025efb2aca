/**
 * Offer operations and their validation, applied in order to what an offer holds
 * (Mesos applies `ACCEPT` operations the same way: a `RESERVE` followed by a `LAUNCH`
 * may use the just-reserved resources).
 *
 *   LAUNCH     tasks use part of the offer; what they use stays allocated.
 *   RESERVE    unreserved → dynamically reserved for the offer's role.
 *   UNRESERVE  dynamically reserved (for the offer's role) → unreserved. Static
 *              reservations come from agent configuration and cannot be undone here.
 *   CREATE     reserved disk → a persistent volume on it.
 *   DESTROY    a persistent volume (not in use) → plain reserved disk.
 *
 * Every check guards one invariant: no over-commit (everything used must be in what
 * remains of the offer) and no use of another role's reservation.
 */
import { isAllocatableTo } from '../resources/resource.js';
import type { Resource } from '../resources/resource.js';
import { Resources } from '../resources/resources.js';

export interface TaskLaunch {
  readonly taskId: string;
  readonly resources: Resources;
  /** Free-form payload for the caller (command, container, …); the core ignores it. */
  readonly payload?: unknown;
}

export type Operation =
  | { readonly type: 'LAUNCH'; readonly tasks: readonly TaskLaunch[] }
  | { readonly type: 'RESERVE'; readonly resources: Resources }
  | { readonly type: 'UNRESERVE'; readonly resources: Resources }
  | { readonly type: 'CREATE'; readonly volumes: Resources }
  | { readonly type: 'DESTROY'; readonly volumes: Resources };

export type OperationErrorReason =
  | 'InsufficientResources'
  | 'OtherRolesReservation'
  | 'InvalidReservation'
  | 'StaticReservation'
  | 'InvalidVolume'
  | 'DuplicateVolume'
  | 'DuplicateTaskId'
  | 'EmptyTask';

export interface OperationError {
  readonly index: number;
  readonly type: Operation['type'];
  readonly reason: OperationErrorReason;
  readonly message: string;
}

/** A change of shape of held resources: `consumed` becomes `converted`. */
export interface Conversion {
  readonly consumed: Resources;
  readonly converted: Resources;
}

export interface OperationContext {
  /** The role the offer was made under. */
  readonly role: string;
  /** The framework's principal; reservations and volumes must carry it when set. */
  readonly principal?: string;
}

export interface AppliedOperations {
  /** What is left of the offer after the operations (to recover, with the filter). */
  readonly remaining: Resources;
  readonly conversions: readonly Conversion[];
  readonly launched: readonly TaskLaunch[];
}

function stripVolume(r: Resource): Resource {
  const { volume: _v, ...rest } = r;
  return rest as Resource;
}

function stripVolumes(rs: Resources): Resources {
  return Resources.of(rs.items.map(stripVolume));
}

export function applyOperations(
  offered: Resources,
  operations: readonly Operation[],
  ctx: OperationContext,
): { ok: true; applied: AppliedOperations } | { ok: false; error: OperationError } {
  let remaining = offered;
  const conversions: Conversion[] = [];
  const launched: TaskLaunch[] = [];
  const taskIds = new Set<string>();

  for (let index = 0; index < operations.length; index++) {
    const op = operations[index]!;
    const error = (reason: OperationErrorReason, message: string) => ({ ok: false as const, error: { index, type: op.type, reason, message } });
    switch (op.type) {
      case 'LAUNCH': {
        for (const task of op.tasks) {
          if (taskIds.has(task.taskId)) return error('DuplicateTaskId', `task id ${task.taskId} is used twice`);
          taskIds.add(task.taskId);
          if (task.resources.isEmpty()) return error('EmptyTask', `task ${task.taskId} uses no resources`);
          const foreign = task.resources.items.find((r) => !isAllocatableTo(r, ctx.role));
          if (foreign) return error('OtherRolesReservation', `task ${task.taskId} uses resources reserved for ${foreign.reservation!.role}`);
          const rest = remaining.tryMinus(task.resources);
          if (!rest) return error('InsufficientResources', `task ${task.taskId} needs ${task.resources.toString()}, offer has ${remaining.toString()}`);
          remaining = rest;
          launched.push(task);
        }
        break;
      }
      case 'RESERVE': {
        for (const r of op.resources.items) {
          if (!r.reservation || r.reservation.type !== 'dynamic') return error('InvalidReservation', `RESERVE needs dynamically reserved resources`);
          if (r.reservation.role !== ctx.role) return error('OtherRolesReservation', `cannot reserve for ${r.reservation.role} from an offer to ${ctx.role}`);
          if (ctx.principal !== undefined && r.reservation.principal !== ctx.principal) return error('InvalidReservation', `reservation principal must be ${ctx.principal}`);
          if (r.volume) return error('InvalidVolume', `RESERVE cannot create a volume; use CREATE`);
        }
        const consumed = op.resources.flatten();
        const rest = remaining.tryMinus(consumed);
        if (!rest) return error('InsufficientResources', `cannot reserve ${op.resources.toString()} from ${remaining.toString()}`);
        remaining = rest.plus(op.resources);
        conversions.push({ consumed, converted: op.resources });
        break;
      }
      case 'UNRESERVE': {
        for (const r of op.resources.items) {
          if (!r.reservation) return error('InvalidReservation', `UNRESERVE needs reserved resources`);
          if (r.reservation.type === 'static') return error('StaticReservation', `static reservations cannot be unreserved`);
          if (r.reservation.role !== ctx.role) return error('OtherRolesReservation', `cannot unreserve ${r.reservation.role}'s resources from an offer to ${ctx.role}`);
          if (r.volume) return error('InvalidVolume', `destroy volume ${r.volume.id} before unreserving its disk`);
        }
        const rest = remaining.tryMinus(op.resources);
        if (!rest) return error('InsufficientResources', `cannot unreserve ${op.resources.toString()}: not in offer`);
        const converted = op.resources.flatten();
        remaining = rest.plus(converted);
        conversions.push({ consumed: op.resources, converted });
        break;
      }
      case 'CREATE': {
        for (const r of op.volumes.items) {
          if (!r.volume || r.name !== 'disk' || r.type !== 'scalar') return error('InvalidVolume', `CREATE needs disk resources carrying a volume`);
          if (!r.reservation) return error('InvalidVolume', `volume ${r.volume.id} must be on reserved disk`);
          if (!isAllocatableTo(r, ctx.role)) return error('OtherRolesReservation', `volume ${r.volume.id} is on ${r.reservation.role}'s disk`);
          if (ctx.principal !== undefined && r.volume.principal !== undefined && r.volume.principal !== ctx.principal) return error('InvalidVolume', `volume principal must be ${ctx.principal}`);
          if (remaining.items.some((x) => x.volume?.id === r.volume!.id)) return error('DuplicateVolume', `volume ${r.volume.id} already exists`);
        }
        const consumed = stripVolumes(op.volumes);
        const rest = remaining.tryMinus(consumed);
        if (!rest) return error('InsufficientResources', `no reserved disk for ${op.volumes.toString()} in ${remaining.toString()}`);
        remaining = rest.plus(op.volumes);
        conversions.push({ consumed, converted: op.volumes });
        break;
      }
      case 'DESTROY': {
        for (const r of op.volumes.items) if (!r.volume) return error('InvalidVolume', `DESTROY needs volumes`);
        const rest = remaining.tryMinus(op.volumes);
        if (!rest) return error('InsufficientResources', `volumes ${op.volumes.toString()} are not in the offer (in use?)`);
        const converted = stripVolumes(op.volumes);
        remaining = rest.plus(converted);
        conversions.push({ consumed: op.volumes, converted });
        break;
      }
    }
  }
  return { ok: true, applied: { remaining, conversions, launched } };
}
