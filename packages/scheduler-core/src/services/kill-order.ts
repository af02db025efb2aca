/**
 * Which instances to kill first when an app has too many — Marathon's
 * `ScalingProposition.sortByConditionAndDate`, with the health step its comment asks for
 * ("the order should be LOST - UNREACHABLE - UNHEALTHY - STAGING - (EVERYTHING ELSE)"):
 *
 *   1 unreachable   2 health-failed   3 staging   4 starting   5 running, not yet healthy
 *   (or, if new, not yet ready)   6 healthy and ready
 *
 * Within a class, by `killSelection` on the instance's age: staging/starting by `stagedAt`,
 * running by `startedAt` (an instance without one first, as Marathon). YOUNGEST_FIRST kills
 * the latest first. Last tie-break: task id, so the choice is deterministic.
 */
import type { InstanceView } from './instance-view.js';
import type { ServiceSpec } from './types.js';

function killClass(v: InstanceView): number {
  if (v.unreachable !== null) return 1;
  if (v.healthFailed) return 2;
  if (v.instance.state === 'TASK_STAGING') return 3;
  if (v.instance.state === 'TASK_STARTING') return 4;
  return v.healthyReady ? 6 : 5;
}

function age(v: InstanceView): number | null {
  const i = v.instance;
  return i.state === 'TASK_STAGING' || i.state === 'TASK_STARTING' ? i.stagedAt : i.startedAt;
}

export function killOrder(killSelection: ServiceSpec['killSelection']): (a: InstanceView, b: InstanceView) => number {
  const youngestFirst = killSelection === 'YOUNGEST_FIRST';
  return (a, b) => {
    const ca = killClass(a);
    const cb = killClass(b);
    if (ca !== cb) return ca - cb;
    const ta = age(a);
    const tb = age(b);
    if (ta === null && tb !== null) return -1;
    if (ta !== null && tb === null) return 1;
    if (ta !== null && tb !== null && ta !== tb) return youngestFirst ? tb - ta : ta - tb;
    return a.instance.taskId < b.instance.taskId ? -1 : a.instance.taskId > b.instance.taskId ? 1 : 0;
  };
}
