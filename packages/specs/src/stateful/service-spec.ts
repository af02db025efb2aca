import { z } from 'zod';
import { AppConstraint } from '../marathon/constraint.js';
import { ExternalVolumeName, ExternalVolumeProvider } from '../task.js';

/**
 * A stateful service definition as JSON (what a catalog package's `stateful.json.mustache`
 * renders and `/v1` accepts): the dcos-commons SDK's service spec (`svc.yml`) in JSON
 * shape, with its defaults filled in. The scheduler core's `StatefulServiceSpec` is this
 * plus the `configId` the runtime gives each configuration; semantic checks (task shares
 * of a pod, plans naming pods, what an update may change) live in the core
 * (`validateStatefulSpec`, `validateSpecUpdate`).
 *
 * Differences from the SDK: resources belong to the pod (a task may name its share), the
 * only goal states are RUNNING and FINISHED, phases take every task of their pod, and
 * placement is Marathon's array form (`[["hostname","UNIQUE"]]`) rather than a string.
 */

const Name = z.string().regex(/^[a-z][a-z0-9-]*$/, { message: 'names are lower-case letters, digits and "-", starting with a letter' });

const Check = z.strictObject({
  cmd: z.string().min(1),
  intervalSeconds: z.number().positive().default(5),
  timeoutSeconds: z.number().positive().default(10),
  delaySeconds: z.number().nonnegative().default(0),
  gracePeriodSeconds: z.number().nonnegative().default(30),
  maxConsecutiveFailures: z.number().int().positive().default(3),
});

const Task = z.strictObject({
  name: Name,
  goal: z.enum(['RUNNING', 'FINISHED']).default('RUNNING'),
  cmd: z.string().min(1),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'environment names are letters, digits and "_"' }), z.string()).default({}),
  cpus: z.number().positive().optional(),
  mem: z.number().positive().optional(),
  healthCheck: Check.optional(),
  readinessCheck: Check.optional(),
  killGracePeriodSeconds: z.number().nonnegative().optional(),
});

/**
 * A pod's volume. `ROOT` and `MOUNT` are local persistent volumes (reserved and CREATEd
 * on one agent, `size` MiB: the pod lives where its data is). `EXTERNAL` lives in a
 * provider outside the agents (`shared-directory`: a directory every agent mounts, e.g.
 * NFS); nothing is reserved for it, so a pod whose volumes are all external may be
 * placed anew on another agent when its own is lost, its data intact. Each pod instance
 * gets its own external volume, `<name>-<index>` (db-0 → `pgdata-0`).
 */
const Volume = z
  .strictObject({
    path: z.string().min(1).max(1024),
    type: z.enum(['ROOT', 'MOUNT', 'EXTERNAL']).default('ROOT'),
    /** MiB; required for ROOT and MOUNT, not reserved (and 0 when left out) for EXTERNAL. */
    size: z.number().positive().optional(),
    external: z
      .strictObject({
        provider: ExternalVolumeProvider,
        // Room for the `-<index>` each pod instance adds.
        name: ExternalVolumeName.refine((n) => n.length <= 240, { message: 'at most 240 characters (each pod instance adds "-<index>")' }),
      })
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (v.type === 'EXTERNAL' && !v.external) {
      ctx.addIssue({ code: 'custom', path: ['external'], message: 'an EXTERNAL volume names where it lives: add "external": {"provider": "shared-directory", "name": "<name>"}' });
    }
    if (v.type !== 'EXTERNAL' && v.external) {
      ctx.addIssue({ code: 'custom', path: ['external'], message: `"external" belongs to EXTERNAL volumes only: set "type": "EXTERNAL", or remove "external" for a ${v.type} volume` });
    }
    if (v.type !== 'EXTERNAL' && v.size === undefined) ctx.addIssue({ code: 'custom', path: ['size'], message: `a ${v.type} volume needs its size in MiB, e.g. "size": 512` });
  })
  .transform(({ external, size, ...rest }) => ({ ...rest, size: size ?? 0, ...(external ? { external } : {}) }));

const Port = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  port: z.number().int().min(0).max(65535).default(0),
});

const Placement = AppConstraint.transform(([field, operator, value]) => ({ field, operator, ...(value !== undefined ? { value } : {}) }));

const Pod = z.strictObject({
  name: Name,
  count: z.number().int().nonnegative().default(1),
  resources: z.strictObject({
    cpus: z.number().positive(),
    mem: z.number().positive(),
    disk: z.number().nonnegative().default(0),
  }),
  ports: z.array(Port).max(100).default([]),
  volumes: z.array(Volume).max(32).default([]),
  placement: z.array(Placement).default([]),
  tasks: z.array(Task).min(1).max(32),
  /** The system user its tasks run as (SDK `pods.<pod>.user`). */
  user: z.string().min(1).max(64).optional(),
});

const Strategy = z.enum(['serial', 'parallel']).default('serial');

const Plan = z.strictObject({
  strategy: Strategy,
  phases: z.array(z.strictObject({ name: z.string().min(1), pod: Name, strategy: Strategy })).min(1),
});

export const StatefulServiceDefinition = z
  .strictObject({
    name: z.string().min(1).max(512),
    /** Default: `<name without slashes>-role`, as the SDK's `<service-name>-role`. */
    role: z.string().min(1).max(256).optional(),
    principal: z.string().min(1).max(256).optional(),
    pods: z.array(Pod).min(1).max(64),
    plans: z.record(z.string().min(1), Plan).default({}),
    backoff: z
      .strictObject({
        backoffSeconds: z.number().nonnegative().default(1),
        backoffFactor: z.number().min(1).default(1.15),
        maxLaunchDelaySeconds: z.number().nonnegative().default(300),
      })
      .default({ backoffSeconds: 1, backoffFactor: 1.15, maxLaunchDelaySeconds: 300 }),
  })
  .transform(({ role, ...rest }) => ({ ...rest, role: role ?? `${rest.name.replace(/^\/+/, '').replace(/\//g, '__')}-role` }));
export type StatefulServiceDefinition = z.infer<typeof StatefulServiceDefinition>;
export type StatefulServiceDefinitionInput = z.input<typeof StatefulServiceDefinition>;
