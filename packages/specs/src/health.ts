import { z } from 'zod';

/** `GET /health`: unauthenticated, for load balancers and `gantry up`. */
export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  leader: z.boolean(),
  /** Leader epoch this replica holds, or null when it is a standby. */
  epoch: z.number().int().nullable(),
  database: z.enum(['reachable', 'unreachable']),
});
export type Health = z.infer<typeof Health>;
