import { z } from 'zod';

/** An inclusive host-port range, `[begin, end]`, as Mesos writes `ports:[31000-32000]`. */
export const PortRange = z
  .tuple([z.number().int().min(1).max(65535), z.number().int().min(1).max(65535)])
  .refine(([begin, end]) => begin <= end, { message: 'a port range must start at or below its end, e.g. [31000, 31999]' });
export type PortRange = z.infer<typeof PortRange>;

/**
 * What an agent offers the cluster. Scalars follow Mesos' units: `cpus` in cores
 * (fractions allowed), `mem` and `disk` in MiB.
 */
export const AgentResources = z.strictObject({
  cpus: z.number().positive({ message: 'cpus must be greater than 0' }),
  mem: z.number().int().positive({ message: 'mem must be a whole number of MiB greater than 0' }),
  disk: z.number().int().nonnegative({ message: 'disk must be a whole number of MiB, 0 or more' }),
  ports: z.array(PortRange).max(64),
});
export type AgentResources = z.infer<typeof AgentResources>;

/** Resources held by tasks on an agent: the same shape, where zero is allowed. */
export const ResourceUsage = AgentResources.extend({
  cpus: z.number().nonnegative(),
  mem: z.number().int().nonnegative(),
});
export type ResourceUsage = z.infer<typeof ResourceUsage>;

export const noResourcesUsed = (): ResourceUsage => ({ cpus: 0, mem: 0, disk: 0, ports: [] });
