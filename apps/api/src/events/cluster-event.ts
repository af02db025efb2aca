import { z } from 'zod';
import { NodeState } from '@gantry/specs';

/** What changed in the cluster; small on purpose (Postgres NOTIFY payloads are ≤ 8000 bytes). */
export const ClusterEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('node'), nodeId: z.string(), state: NodeState }),
]);
export type ClusterEvent = z.infer<typeof ClusterEvent>;
