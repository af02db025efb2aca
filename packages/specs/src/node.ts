import { z } from 'zod';
import { AgentAttributes } from './attributes.js';
import { AgentResources, ResourceUsage } from './resources.js';

/**
 * A node's lifecycle as the master sees it. `ACTIVE`: registered and heartbeating.
 * `UNREACHABLE`: heartbeats missed past the timeout (Mesos marks agents unreachable the
 * same way); it turns `ACTIVE` again when the agent re-registers.
 */
export const NodeState = z.enum(['ACTIVE', 'UNREACHABLE']);
export type NodeState = z.infer<typeof NodeState>;

/** What the operator wants of a node: `DRAINING` takes no new tasks and moves its tasks away. */
export const NodeMode = z.enum(['UP', 'DRAINING']);
export type NodeMode = z.infer<typeof NodeMode>;

/** The public view of a node: `GET /v1/nodes` and tRPC `nodes.list`. */
export const NodeView = z.object({
  id: z.string(),
  hostname: z.string(),
  address: z.string(),
  state: NodeState,
  mode: NodeMode,
  resources: AgentResources,
  used: ResourceUsage,
  attributes: AgentAttributes,
  registeredAt: z.string(),
  lastHeartbeatAt: z.string(),
});
export type NodeView = z.infer<typeof NodeView>;

export const NodeList = z.object({ nodes: z.array(NodeView) });
export type NodeList = z.infer<typeof NodeList>;
