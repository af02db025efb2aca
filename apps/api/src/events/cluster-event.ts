import { z } from 'zod';
import { NodeState, TaskState } from '@gantry/specs';

/** What changed in the cluster; small on purpose (Postgres NOTIFY payloads are ≤ 8000 bytes). */
export const ClusterEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('node'), nodeId: z.string(), state: NodeState }),
  z.object({ type: z.literal('task'), taskId: z.string(), agentId: z.string(), state: TaskState, healthy: z.boolean().optional(), ready: z.boolean().optional() }),
]);
export type ClusterEvent = z.infer<typeof ClusterEvent>;
