/**
 * Test builders (excluded from the build): terse, readable fixtures in the style of
 * Kubernetes' `MakePod().Name("p").Obj()`.
 */
import type { AgentSpec, Allocation, FrameworkSpec } from '../allocator/types.js';
import { HierarchicalAllocator, type AllocatorOptions } from '../allocator/hierarchical-allocator.js';
import { res } from '../resources/parse.js';

export function makeAgent(id: string, resources: string, extra: Partial<AgentSpec> = {}): AgentSpec {
  return { id, hostname: `${id}.example`, resources: res(resources), ...extra };
}

export function makeFramework(id: string, roles: string[], extra: Partial<FrameworkSpec> = {}): FrameworkSpec {
  return { id, roles, principal: `${id}-principal`, ...extra };
}

/** Records every emission of the allocator's offer callback. */
export interface OfferRecorder {
  readonly rounds: Array<Map<string, Allocation[]>>;
  /** Allocations of the last round for `frameworkId` as `agent:role:resources` strings. */
  last(frameworkId: string): string[];
  /** Every allocation of the last round, flattened. */
  lastAll(): Array<Allocation & { frameworkId: string }>;
}

export function recordingAllocator(options: AllocatorOptions = {}): { allocator: HierarchicalAllocator; offers: OfferRecorder } {
  const rounds: Array<Map<string, Allocation[]>> = [];
  let current: Map<string, Allocation[]> | undefined;
  const allocator = new HierarchicalAllocator({
    shuffleAgents: false,
    ...options,
    onOffers: (fw, allocations) => {
      current!.set(fw, [...allocations]);
    },
  });
  const allocate = allocator.allocate.bind(allocator);
  allocator.allocate = (now, agentIds) => {
    current = new Map();
    rounds.push(current);
    return allocate(now, agentIds);
  };
  const offers: OfferRecorder = {
    rounds,
    last: (fw) => (rounds[rounds.length - 1]?.get(fw) ?? []).map((a) => `${a.agentId}:${a.role}:${a.resources.toString()}`),
    lastAll: () => [...(rounds[rounds.length - 1] ?? new Map<string, Allocation[]>())].flatMap(([frameworkId, list]) => list.map((a) => ({ ...a, frameworkId }))),
  };
  return { allocator, offers };
}
