/**
 * Whether a task is over its disk quota, as Mesos' `disk/du` isolator decides it with
 * `--enforce_container_disk_quota`: the sandbox is measured against the task's `disk`
 * resource, each persistent volume against its own size. A quota of 0 means none was
 * declared and nothing is enforced (Mesos enforces only a quota it was given).
 *
 * The host has no per-directory quota (no XFS project quotas on the agent's disk), so
 * use is measured periodically (`du`, symlinks not followed) and a task found over is
 * killed and reported TASK_FAILED / REASON_CONTAINER_LIMITATION_DISK; between two
 * measurements it can overshoot by what it writes in one interval.
 * Pure: sizes in, the limitation's message (or null) out.
 */
export interface DiskQuota {
  /** The task's `resources.disk`, MiB. */
  sandboxMiB: number;
  volumes: { volumeId: string; sizeMiB: number }[];
}

export interface DiskUse {
  sandboxBytes: number;
  volumeBytes: ReadonlyMap<string, number>;
}

const MiB = 2 ** 20;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

export function diskLimitation(quota: DiskQuota, use: DiskUse): string | null {
  if (quota.sandboxMiB > 0 && use.sandboxBytes > quota.sandboxMiB * MiB) {
    return `Disk limit exceeded: the sandbox holds ${mib(use.sandboxBytes)} MiB, more than the task's ${quota.sandboxMiB} MiB of disk`;
  }
  for (const volume of quota.volumes) {
    const bytes = use.volumeBytes.get(volume.volumeId) ?? 0;
    if (volume.sizeMiB > 0 && bytes > volume.sizeMiB * MiB) {
      return `Disk limit exceeded: persistent volume ${volume.volumeId} holds ${mib(bytes)} MiB, more than its ${volume.sizeMiB} MiB`;
    }
  }
  return null;
}
