import { randomUUID } from 'node:crypto';
import { buildPlan, planSpecFor, validateSpecUpdate, validateStatefulSpec, type PlanState, type SpecProblem } from '@gantry/scheduler-core';
import type { StatefulServiceDefinition } from '@gantry/specs';
import type { StatefulRecord } from './repository.js';

/**
 * What a stateful service's definition becomes, checked: the same rules whether it came
 * through `/v1/stateful` (or a package) or as a Marathon resident app through `/v2/apps`.
 */

export function newConfigId(): string {
  return randomUUID();
}

/** A new service's first config and its deploy plan (as the leader's first pass would build it, so it shows at once). */
export function firstConfig(definition: StatefulServiceDefinition): { configId: string; plans: PlanState[] } | { problems: SpecProblem[] } {
  const configId = newConfigId();
  const spec = { ...definition, configId };
  const problems = validateStatefulSpec(spec);
  if (problems.length > 0) return { problems };
  return { configId, plans: [buildPlan('deploy', planSpecFor(spec, 'deploy'), spec)] };
}

/**
 * A running service's next config (`validateSpecUpdate`: no pod removed, no count
 * lowered, no volume changed, …), keeping the past configs something still refers to;
 * null when the definition is the same (nothing changes).
 */
export function nextConfig(record: StatefulRecord, definition: StatefulServiceDefinition):
  | { fields: Pick<StatefulRecord, 'definition' | 'configId' | 'pastDefinitions'> } | { problems: SpecProblem[] } | null {
  if (sameJson(record.definition, definition)) return null;
  const configId = newConfigId();
  const next = { ...definition, configId };
  const problems = [...validateStatefulSpec(next), ...validateSpecUpdate({ ...record.definition, configId: record.configId }, next)];
  if (problems.length > 0) return { problems };
  const kept = keptConfigs(record);
  const pastDefinitions = Object.fromEntries(Object.entries(record.pastDefinitions).filter(([c]) => kept.has(c)));
  return { fields: { definition, configId, pastDefinitions: { ...pastDefinitions, [record.configId]: record.definition, [configId]: definition } } };
}

/** Configs something still refers to: plans' steps, reservations (live and retired), tasks. */
function keptConfigs(record: StatefulRecord): Set<string> {
  const kept = new Set<string>([record.configId]);
  for (const plan of record.plans) {
    kept.add(plan.configId);
    for (const ph of plan.phases) for (const s of ph.steps) kept.add(s.configId);
  }
  for (const i of record.podInstances) {
    if (i.reservation) kept.add(i.reservation.configId);
    for (const r of i.retired) kept.add(r.configId);
    for (const t of i.tasks) kept.add(t.configId);
  }
  return kept;
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}
