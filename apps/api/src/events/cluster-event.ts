import { z } from 'zod';
import { NodeState, TaskState } from '@gantry/specs';

/** What changed in the cluster; small on purpose (Postgres NOTIFY payloads are ≤ 8000 bytes). */
export const ClusterEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('node'), nodeId: z.string(), state: NodeState }),
  /** A Marathon event was appended to service_events (read it by id: payloads can exceed NOTIFY's limit). */
  z.object({ type: z.literal('service'), id: z.string(), eventType: z.string(), appId: z.string().optional() }),
  /** Desired state changed (an app, a group or a deployment): the scheduler takes another look. */
  z.object({ type: z.literal('desired') }),
  z.object({ type: z.literal('task'), taskId: z.string(), agentId: z.string(), appId: z.string().optional(), ports: z.array(z.number()).optional(), version: z.string().optional(), state: TaskState, healthy: z.boolean().optional(), ready: z.boolean().optional() }),
]);
export type ClusterEvent = z.infer<typeof ClusterEvent>;
