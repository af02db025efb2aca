/**
 * Checks on a stateful service spec, its default plans, and which changes a running
 * service may take. The rules follow the SDK's `ServiceSpec` validators:
 *
 * - pod and task names unique; ports and volume paths unique within a pod;
 * - a pod's tasks share its resources: with more than one task each names its cpus and
 *   mem, and their sum fits the pod (a single task gets all of them);
 * - plans name existing pods;
 * - an update may not remove a pod, lower its count (the SDK refuses scale-down unless
 *   decommission is allowed; we have no decommission yet), change its volumes (SDK:
 *   "volumes cannot be changed": the data would not follow — an external volume's provider
 *   and name included), its ports' count, or the role.
 *
 * Errors are values: `{ path, message }` per problem, paths in the JSON shape.
 */
import { validateConstraint } from '../placement/constraints.js';
import type { PlanSpec, PodSpec, StatefulServiceSpec, VolumeSpec } from './types.js';

export interface SpecProblem {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

const NAME = /^[a-z][a-z0-9-]*$/;
const EPS = 1e-9;

const EXTERNAL_NAME_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The same rules as the specs package's `ExternalVolumeName` (the core takes no zod). */
function externalSourceProblem(source: VolumeSpec['external']): { at: string[]; message: string } | null {
  if (!source) return { at: [], message: 'an EXTERNAL volume names where it lives: {"provider": "shared-directory", "name": "<name>"}' };
  if (source.provider !== 'shared-directory') return { at: ['provider'], message: `unknown provider "${String(source.provider)}": use "shared-directory"` };
  const n = source.name;
  if (n === '' || n.startsWith('/') || !n.split('/').every((segment) => EXTERNAL_NAME_SEGMENT.test(segment))) {
    return { at: ['name'], message: `external volume name "${n}" must be relative, in segments of letters, digits, "_", "." or "-" not starting with "." (no "..")` };
  }
  return null;
}

function validatePod(pod: PodSpec, i: number, out: SpecProblem[]): void {
  const at = (...rest: (string | number)[]) => ['pods', i, ...rest];
  if (!NAME.test(pod.name)) out.push({ path: at('name'), message: `pod name "${pod.name}" must match ${NAME.source}` });
  if (!Number.isInteger(pod.count) || pod.count < 0) out.push({ path: at('count'), message: 'count must be a non-negative integer' });
  if (!(pod.resources.cpus > 0)) out.push({ path: at('resources', 'cpus'), message: 'cpus must be positive' });
  if (!(pod.resources.mem > 0)) out.push({ path: at('resources', 'mem'), message: 'mem must be positive' });
  if (!(pod.resources.disk >= 0)) out.push({ path: at('resources', 'disk'), message: 'disk must not be negative' });

  const portNames = new Set<string>();
  const fixed = new Set<number>();
  pod.ports.forEach((p, j) => {
    if (portNames.has(p.name)) out.push({ path: at('ports', j, 'name'), message: `port name "${p.name}" is used twice` });
    portNames.add(p.name);
    if (!Number.isInteger(p.port) || p.port < 0 || p.port > 65535) out.push({ path: at('ports', j, 'port'), message: 'port must be 0 (any) or 1-65535' });
    else if (p.port !== 0 && fixed.has(p.port)) out.push({ path: at('ports', j, 'port'), message: `host port ${p.port} is used twice` });
    else if (p.port !== 0) fixed.add(p.port);
  });

  const paths = new Set<string>();
  pod.volumes.forEach((v, j) => {
    if (v.path === '' || v.path.startsWith('/') || v.path.split('/').includes('..')) {
      out.push({ path: at('volumes', j, 'path'), message: `volume path "${v.path}" must be relative to the sandbox, without ".."` });
    }
    if (paths.has(v.path)) out.push({ path: at('volumes', j, 'path'), message: `volume path "${v.path}" is used twice` });
    paths.add(v.path);
    if (v.type === 'EXTERNAL') {
      const problem = externalSourceProblem(v.external);
      if (problem) out.push({ path: at('volumes', j, 'external', ...problem.at), message: problem.message });
    } else {
      if (!(v.size > 0)) out.push({ path: at('volumes', j, 'size'), message: 'volume size must be positive (MiB)' });
      if (v.external) out.push({ path: at('volumes', j, 'external'), message: `"external" belongs to EXTERNAL volumes only, not ${v.type}` });
    }
  });

  if (pod.tasks.length === 0) out.push({ path: at('tasks'), message: 'a pod needs at least one task' });
  const taskNames = new Set<string>();
  pod.tasks.forEach((t, j) => {
    if (!NAME.test(t.name)) out.push({ path: at('tasks', j, 'name'), message: `task name "${t.name}" must match ${NAME.source}` });
    if (taskNames.has(t.name)) out.push({ path: at('tasks', j, 'name'), message: `task name "${t.name}" is used twice` });
    taskNames.add(t.name);
    if (t.cmd.trim() === '') out.push({ path: at('tasks', j, 'cmd'), message: 'cmd must not be empty' });
    if (pod.tasks.length > 1 && (t.cpus === undefined || t.mem === undefined)) {
      out.push({ path: at('tasks', j), message: 'in a pod of several tasks each task names its cpus and mem' });
    }
    if (t.cpus !== undefined && !(t.cpus > 0)) out.push({ path: at('tasks', j, 'cpus'), message: 'cpus must be positive' });
    if (t.mem !== undefined && !(t.mem > 0)) out.push({ path: at('tasks', j, 'mem'), message: 'mem must be positive' });
  });
  const cpus = pod.tasks.reduce((s, t) => s + (t.cpus ?? pod.resources.cpus), 0);
  const mem = pod.tasks.reduce((s, t) => s + (t.mem ?? pod.resources.mem), 0);
  if (cpus > pod.resources.cpus + EPS) out.push({ path: at('tasks'), message: `the tasks' cpus (${cpus}) exceed the pod's (${pod.resources.cpus})` });
  if (mem > pod.resources.mem + EPS) out.push({ path: at('tasks'), message: `the tasks' mem (${mem}) exceeds the pod's (${pod.resources.mem})` });

  pod.placement.forEach((c, j) => {
    const problem = validateConstraint(c);
    if (problem) out.push({ path: at('placement', j), message: problem });
  });
}

function validatePlan(spec: StatefulServiceSpec, name: string, plan: PlanSpec, out: SpecProblem[]): void {
  if (plan.phases.length === 0) out.push({ path: ['plans', name, 'phases'], message: 'a plan needs at least one phase' });
  const phaseNames = new Set<string>();
  plan.phases.forEach((ph, j) => {
    if (phaseNames.has(ph.name)) out.push({ path: ['plans', name, 'phases', j, 'name'], message: `phase name "${ph.name}" is used twice` });
    phaseNames.add(ph.name);
    if (!spec.pods.some((p) => p.name === ph.pod)) out.push({ path: ['plans', name, 'phases', j, 'pod'], message: `no pod named "${ph.pod}"` });
  });
}

/** Every problem of `spec`, empty when it is valid. */
export function validateStatefulSpec(spec: StatefulServiceSpec): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (spec.name.trim() === '') out.push({ path: ['name'], message: 'name must not be empty' });
  if (spec.role.trim() === '' || spec.role === '*') out.push({ path: ['role'], message: 'a stateful service reserves for a role of its own, not "*"' });
  if (spec.pods.length === 0) out.push({ path: ['pods'], message: 'a service needs at least one pod' });
  const podNames = new Set<string>();
  spec.pods.forEach((p, i) => {
    if (podNames.has(p.name)) out.push({ path: ['pods', i, 'name'], message: `pod name "${p.name}" is used twice` });
    podNames.add(p.name);
    validatePod(p, i, out);
  });
  for (const [name, plan] of Object.entries(spec.plans)) validatePlan(spec, name, plan, out);
  return out;
}

/** SDK default: one phase per pod, in declaration order, serial plan of serial phases. */
export function defaultDeployPlan(spec: StatefulServiceSpec): PlanSpec {
  return { strategy: 'serial', phases: spec.pods.map((p) => ({ name: p.name, pod: p.name, strategy: 'serial' as const })) };
}

/** The plan that rolls out `spec`: `deploy` for the first deployment, `update` (else `deploy`'s shape) for a change. */
export function planSpecFor(spec: StatefulServiceSpec, name: 'deploy' | 'update'): PlanSpec {
  if (name === 'update') return spec.plans.update ?? spec.plans.deploy ?? defaultDeployPlan(spec);
  return spec.plans.deploy ?? defaultDeployPlan(spec);
}

/** Problems with changing a running service from `current` to `next`. */
export function validateSpecUpdate(current: StatefulServiceSpec, next: StatefulServiceSpec): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (current.role !== next.role) out.push({ path: ['role'], message: `the role cannot change (${current.role} → ${next.role}): its reservations stay with the old one` });
  for (const pod of current.pods) {
    const i = next.pods.findIndex((p) => p.name === pod.name);
    if (i < 0) {
      out.push({ path: ['pods'], message: `pod "${pod.name}" cannot be removed (no decommission yet)` });
      continue;
    }
    const n = next.pods[i]!;
    if (n.count < pod.count) out.push({ path: ['pods', i, 'count'], message: `count cannot go down (${pod.count} → ${n.count}): no decommission yet` });
    const key = (p: PodSpec) => JSON.stringify(p.volumes.map((v) => [v.path, v.type, v.size, v.external?.provider ?? null, v.external?.name ?? null]));
    if (key(n) !== key(pod)) out.push({ path: ['pods', i, 'volumes'], message: 'volumes cannot change: their data would not follow (replace the pods instead)' });
    if (n.ports.length !== pod.ports.length) out.push({ path: ['pods', i, 'ports'], message: 'the number of ports cannot change in place' });
  }
  return out;
}
