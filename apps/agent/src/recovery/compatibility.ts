import type { AgentAttributes, AgentResources } from '@gantry/specs';

export interface Identity {
  resources: AgentResources;
  attributes: AgentAttributes;
}

/**
 * Whether a checkpointed agent may recover on this machine as configured now. Mesos
 * (`--reconfiguration_policy=equal`) refuses to recover an agent whose resources or
 * attributes changed: the master placed its tasks against the old ones. We compare
 * cpus, mem, ports and attributes. `disk` is left out: by default it is measured from
 * the free space of the work dir, which moves with every byte written.
 */
export function identityMismatch(checkpointed: Identity, now: Identity): string | null {
  const differences: string[] = [];
  const a = checkpointed.resources;
  const b = now.resources;
  if (a.cpus !== b.cpus) differences.push(`cpus ${a.cpus} → ${b.cpus}`);
  if (a.mem !== b.mem) differences.push(`mem ${a.mem} → ${b.mem} MiB`);
  if (JSON.stringify(a.ports) !== JSON.stringify(b.ports)) differences.push(`ports ${JSON.stringify(a.ports)} → ${JSON.stringify(b.ports)}`);
  const keys = [...new Set([...Object.keys(checkpointed.attributes), ...Object.keys(now.attributes)])].sort();
  for (const key of keys) {
    if (checkpointed.attributes[key] !== now.attributes[key]) differences.push(`attribute ${key} ${checkpointed.attributes[key] ?? '(none)'} → ${now.attributes[key] ?? '(none)'}`);
  }
  return differences.length ? differences.join(', ') : null;
}
