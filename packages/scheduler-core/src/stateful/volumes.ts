/**
 * Local and external volumes of a pod, and what they mean for where it may run.
 *
 *   local     ROOT, MOUNT: reserved and CREATEd on one agent (disk of the reservation);
 *             the pod relaunches only there, and moves only by `pod replace` (its data
 *             is destroyed with the old generation)
 *   external  EXTERNAL: lives in a provider every agent reaches (a shared directory,
 *             e.g. NFS); no RESERVE of disk, no CREATE, no DESTROY; the agent's provider
 *             resolves it at launch wherever the task lands
 *
 * A pod with no local volume is *movable*: when the agent holding its reservation is
 * declared unreachable (or forgotten), recovery places it anew elsewhere with no data
 * lost, instead of waiting for that agent (Marathon's external volumes behave the same;
 * the SDK's local volumes, which we keep for ROOT/MOUNT, never move on their own).
 */
import type { PodSpec, VolumeSpec } from './types.js';

export function isExternal(volume: VolumeSpec): boolean {
  return volume.type === 'EXTERNAL';
}

/** Volumes reserved and created on the pod's agent. */
export function localVolumes(pod: PodSpec): VolumeSpec[] {
  return pod.volumes.filter((v) => !isExternal(v));
}

export function externalVolumes(pod: PodSpec): VolumeSpec[] {
  return pod.volumes.filter(isExternal);
}

/** MiB of the pod's reservation that its local volumes take (external ones take none). */
export function localVolumeDisk(pod: PodSpec): number {
  return localVolumes(pod).reduce((s, v) => s + v.size, 0);
}

/** Whether the pod may be placed anew when its agent is lost: none of its data lives there. */
export function isMovable(pod: PodSpec): boolean {
  return localVolumes(pod).length === 0;
}

/** Each pod instance has its own external volume: `pgdata` for `db-1` is `pgdata-1`. */
export function externalVolumeName(name: string, podInstanceIndex: string | number): string {
  return `${name}-${podInstanceIndex}`;
}
