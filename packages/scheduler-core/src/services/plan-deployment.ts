/**
 * The steps that take a set of apps from `original` to `target` — Marathon's
 * `DeploymentPlan.apply` (core/deployment/DeploymentPlan.scala):
 *
 *   1. StopApplication    apps not in the target; dependents before their dependencies
 *   2. StartApplication   new apps, all in one step (they start with 0 instances)
 *   3. per dependency layer of the target, in order (an app after everything it depends on):
 *        new app                                   → ScaleApplication (to its instances)
 *        same config, other instance count         → ScaleApplication
 *        config changed (`configVersion` differs)  → RestartApplication,
 *                                                    or ScaleApplication when scaled to 0
 *        unchanged (a new `version` alone included) → nothing
 *
 * Layers are Marathon's `runSpecsGroupedByLongestPath`: an app's layer is the number of
 * apps on the longest dependency chain starting at it (1 for an app with no dependencies),
 * so everything it depends on sits in an earlier layer. Marathon stops all removed apps in
 * one step; we stop them in reverse layers of the original, so a dependent never outlives
 * what it depends on. Within a step, actions are sorted by app id.
 *
 * A dependency names an app or a group (every app under that path); one naming nothing is
 * ignored. A cycle is an error value (Marathon rejects such a group on validation).
 */
import type { DeploymentAction, DeploymentPlanError, DeploymentPlanResult, ServiceSpec } from './types.js';

type Apps = ReadonlyMap<string, ServiceSpec>;

function resolveDependencies(apps: Apps, spec: ServiceSpec): string[] {
  const out = new Set<string>();
  for (const dep of spec.dependencies) {
    if (apps.has(dep)) {
      out.add(dep);
      continue;
    }
    const prefix = dep.endsWith('/') ? dep : `${dep}/`;
    for (const id of apps.keys()) if (id.startsWith(prefix)) out.add(id);
  }
  return [...out].sort();
}

/** Longest-path layer of every app, or the first cycle found (apps visited in id order). */
function layers(apps: Apps): { ok: true; layer: Map<string, number> } | { ok: false; error: DeploymentPlanError } {
  const edges = new Map<string, string[]>();
  for (const [id, spec] of apps) edges.set(id, resolveDependencies(apps, spec));
  const layer = new Map<string, number>();
  const onPath: string[] = [];
  const visiting = new Set<string>();

  const visit = (id: string): DeploymentPlanError | undefined => {
    if (layer.has(id)) return undefined;
    if (visiting.has(id)) {
      const cycle = [...onPath.slice(onPath.indexOf(id)), id];
      return { kind: 'DependencyCycle', cycle, message: `dependency cycle: ${cycle.join(' → ')}` };
    }
    visiting.add(id);
    onPath.push(id);
    let depth = 1;
    for (const dep of edges.get(id) ?? []) {
      const err = visit(dep);
      if (err) return err;
      depth = Math.max(depth, layer.get(dep)! + 1);
    }
    onPath.pop();
    visiting.delete(id);
    layer.set(id, depth);
    return undefined;
  };

  for (const id of [...apps.keys()].sort()) {
    const err = visit(id);
    if (err) return { ok: false, error: err };
  }
  return { ok: true, layer };
}

/** Groups `ids` by layer into steps, in ascending (or descending) layer order. */
function byLayer(ids: readonly string[], layer: ReadonlyMap<string, number>, descending: boolean): string[][] {
  const groups = new Map<number, string[]>();
  for (const id of ids) {
    const l = layer.get(id)!;
    const g = groups.get(l);
    if (g) g.push(id);
    else groups.set(l, [id]);
  }
  return [...groups.keys()].sort((a, b) => (descending ? b - a : a - b)).map((l) => groups.get(l)!.sort());
}

function failed(error: DeploymentPlanError): DeploymentPlanResult {
  return { ok: false, error, steps: [] };
}

export function planDeployment(original: Apps, target: Apps): DeploymentPlanResult {
  const targetLayers = layers(target);
  if (!targetLayers.ok) return failed(targetLayers.error);
  const originalLayers = layers(original);
  if (!originalLayers.ok) return failed(originalLayers.error);

  const steps: DeploymentAction[][] = [];
  const removed = [...original.keys()].filter((id) => !target.has(id));
  for (const ids of byLayer(removed, originalLayers.layer, true)) steps.push(ids.map((app) => ({ action: 'StopApplication', app })));

  const added = [...target.keys()].filter((id) => !original.has(id)).sort();
  if (added.length > 0) steps.push(added.map((app) => ({ action: 'StartApplication', app })));

  const actionFor = (id: string): DeploymentAction | undefined => {
    const next = target.get(id)!;
    const prev = original.get(id);
    if (!prev) return { action: 'ScaleApplication', app: id };
    if (prev.configVersion !== next.configVersion) return { action: next.instances === 0 ? 'ScaleApplication' : 'RestartApplication', app: id };
    if (prev.instances !== next.instances) return { action: 'ScaleApplication', app: id };
    return undefined;
  };
  const affected = [...target.keys()].filter((id) => actionFor(id) !== undefined);
  for (const ids of byLayer(affected, targetLayers.layer, false)) steps.push(ids.map((id) => actionFor(id)!));

  return { ok: true, steps };
}
