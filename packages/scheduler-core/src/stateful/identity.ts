/**
 * Names and labels that tie offers, reservations, volumes and tasks to one pod instance.
 *
 * The SDK recognises its reservations in later offers by a `resource_id` label per
 * resource; we label every reserved resource with the service, the pod instance and its
 * *generation*. The generation changes only on `pod replace`, so a node that comes back
 * after its pod was replaced offers reservations with an old generation: they are
 * recognised as retired (to destroy and unreserve), never mistaken for the pod's own.
 *
 * Volume and task ids use the agent's id alphabet (`[A-Za-z0-9_.-]`, they name
 * directories there) and are deterministic: the same state always yields the same ids,
 * so a launch decided twice collides on its task id instead of starting a task twice.
 */
import type { PodInstanceState, PodSpec, StatefulServiceSpec } from './types.js';

export const LABEL_SERVICE = 'gantry/service';
export const LABEL_POD_INSTANCE = 'gantry/pod-instance';
export const LABEL_GENERATION = 'gantry/generation';

/** `db-0`. */
export function podInstanceName(pod: string, index: number): string {
  return `${pod}-${index}`;
}

export function instanceName(instance: Pick<PodInstanceState, 'pod' | 'index'>): string {
  return podInstanceName(instance.pod, instance.index);
}

/** `/data/postgresql` → `data_postgresql`: usable inside ids. */
export function serviceSlug(name: string): string {
  const slug = name.replace(/^\/+/, '').replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.-]+/, '');
  return slug === '' ? 'service' : slug;
}

/** The labels every resource reserved for this pod instance generation carries. */
export function reservationLabelsFor(service: string, podInstance: string, generation: number): Record<string, string> {
  return { [LABEL_SERVICE]: service, [LABEL_POD_INSTANCE]: podInstance, [LABEL_GENERATION]: String(generation) };
}

/** `data_postgresql.postgresql-0.pgdata.g1`. */
export function volumeIdFor(service: string, podInstance: string, path: string, generation: number): string {
  const p = path.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^[.]+/, '');
  return `${serviceSlug(service)}.${podInstance}.${p}.g${generation}`;
}

/** `data_postgresql.postgresql-0-server.7`: the 7th launch of that pod instance. */
export function taskIdFor(service: string, podInstance: string, task: string, launch: number): string {
  return `${serviceSlug(service)}.${podInstance}-${task}.${launch}`;
}

/** SDK step naming: `db-0:[init, server]`. */
export function stepName(podInstance: string, tasks: readonly string[]): string {
  return `${podInstance}:[${tasks.join(', ')}]`;
}

export function podStepName(pod: PodSpec, index: number): string {
  return stepName(podInstanceName(pod.name, index), pod.tasks.map((t) => t.name));
}

export function findPod(spec: StatefulServiceSpec, name: string): PodSpec | undefined {
  return spec.pods.find((p) => p.name === name);
}

/** `PORT_<NAME>`: SDK's env name for a named port. */
export function portEnvName(name: string): string {
  return `PORT_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
}
