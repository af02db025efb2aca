import type { App } from '@gantry/specs';
import type { Admission } from '../services/desired-state.js';
import { ServiceProblem } from '../services/services-api.js';
import { demandOf, describeViolation, topLevelGroup, violations, type Violation } from './quota.js';
import type { QuotaRepository } from './repository.js';

/**
 * The quota check every change of desired state passes, inside its transaction
 * (DesiredState's `admission`): for each top-level group the change touches that has
 * a quota, what the group's apps would want afterwards is compared with its limits,
 * and a change that would exceed one is refused with 422, naming the group, the
 * quota, and the numbers. Nothing is written then: the transaction rolls back.
 *
 * Counted by app path, the tenant: an app that names a scheduler role of its own still
 * counts against its top-level group here.
 */
export function quotaAdmission(quotas: QuotaRepository): Admission {
  return async (tx, change) => {
    const touched = new Set<string>();
    for (const id of change.after.keys()) {
      const group = topLevelGroup(id);
      if (group) touched.add(group);
    }
    if (touched.size === 0) return;
    const limited = await quotas.lockAndGet(tx, [...touched].sort());
    if (limited.length === 0) return;
    // Read after the locks: every earlier change to these groups has committed.
    const stored = await change.apps();
    const problems: { group: string; violation: Violation }[] = [];
    for (const quota of limited) {
      const inGroup = (id: string) => topLevelGroup(id) === quota.group;
      const before: App[] = stored.filter((r) => inGroup(r.id)).map((r) => r.app);
      const after: App[] = [
        ...stored.filter((r) => inGroup(r.id) && !change.after.has(r.id)).map((r) => r.app),
        ...[...change.after].flatMap(([id, app]) => (app && inGroup(id) ? [app] : [])),
      ];
      for (const violation of violations(quota.limits, demandOf(before), demandOf(after))) problems.push({ group: quota.group, violation });
    }
    if (problems.length === 0) return;
    const groups = [...new Set(problems.map((p) => `/${p.group}`))].join(', ');
    throw new ServiceProblem(422, {
      message: `this deployment would exceed the quota of ${groups}: ${problems.map((p) => describeViolation(p.group, p.violation)).join('; ')}`,
      details: problems.map((p) => ({ path: `/${p.violation.kind}`, errors: [describeViolation(p.group, p.violation)] })),
      quota: problems.map((p) => ({ group: p.group, ...p.violation })),
    });
  };
}
