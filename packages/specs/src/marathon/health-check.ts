import { z } from 'zod';
import { AnyPort } from './port-definition.js';
import { type UnknownFields, objectSchema } from './validation.js';

/**
 * Marathon app health checks. HTTP, HTTPS and TCP are probed by the scheduler
 * ("Marathon" checks); COMMAND and the MESOS_* protocols are run next to the task on
 * its agent.
 */

export const HEALTH_CHECK_PROTOCOLS = ['HTTP', 'HTTPS', 'TCP', 'COMMAND', 'MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP'] as const;
export type HealthCheckProtocol = (typeof HEALTH_CHECK_PROTOCOLS)[number];

const HTTP_PROTOCOLS: ReadonlySet<HealthCheckProtocol> = new Set(['HTTP', 'HTTPS', 'MESOS_HTTP', 'MESOS_HTTPS']);
/** Marathon counts these against its limit of one agent-side check per app (COMMAND aside). */
export const MESOS_PROTOCOLS: ReadonlySet<HealthCheckProtocol> = new Set(['MESOS_HTTP', 'MESOS_HTTPS', 'MESOS_TCP']);

export interface AppHealthCheck {
  protocol: HealthCheckProtocol;
  /** COMMAND checks: a shell command that exits 0 when the task is healthy. */
  command?: { value: string };
  /** HTTP-like checks. */
  path?: string;
  /** Index into the app's port definitions (or container port mappings). */
  portIndex?: number;
  /** A fixed port instead of `portIndex`. */
  port?: number;
  /** HTTP and HTTPS: treat 1xx answers as neither healthy nor unhealthy. */
  ignoreHttp1xx?: boolean;
  ipProtocol: 'IPv4' | 'IPv6';
  gracePeriodSeconds: number;
  intervalSeconds: number;
  timeoutSeconds: number;
  maxConsecutiveFailures: number;
  delaySeconds: number;
}

const seconds = (fallback: number) => z.int().min(0).default(fallback);

/**
 * Marathon's defaults (healthCheck.raml): grace 300 s, every 60 s, timeout 20 s, killed
 * after 3 consecutive failures, first probe after 15 s, protocol HTTP over IPv4.
 */
export function healthCheckSchema(unknownFields: UnknownFields) {
  return objectSchema(unknownFields, {
    protocol: z.enum(HEALTH_CHECK_PROTOCOLS).default('HTTP'),
    command: objectSchema(unknownFields, { value: z.string().min(1) }).optional(),
    path: z.string().min(1).max(1024).optional(),
    portIndex: z.int().min(0).optional(),
    port: AnyPort.optional(),
    ignoreHttp1xx: z.boolean().optional(),
    ipProtocol: z.enum(['IPv4', 'IPv6']).default('IPv4'),
    gracePeriodSeconds: seconds(300),
    intervalSeconds: seconds(60),
    timeoutSeconds: seconds(20),
    maxConsecutiveFailures: z.int().min(0).default(3),
    delaySeconds: seconds(15),
  }).transform((check, ctx): AppHealthCheck => {
    const fail = (path: string, message: string) => {
      ctx.issues.push({ code: 'custom', path: [path], message, input: check });
      return z.NEVER;
    };
    const { protocol, command, path, port, portIndex, ignoreHttp1xx, ...common } = check;
    if (protocol === 'COMMAND') {
      if (command === undefined) return fail('command', 'a COMMAND health check needs a command, e.g. {"value": "curl -f http://localhost:$PORT0/health"}');
      // Marathon accepts, and ignores, a port or portIndex on a COMMAND check; so do we.
      return { protocol, command, ...common };
    }
    if (command !== undefined) return fail('protocol', `a health check with a command must have protocol COMMAND, not ${protocol}`);
    if (port !== undefined && portIndex !== undefined) return fail('port', 'give either port or portIndex, not both');
    return {
      protocol,
      // Marathon leaves a missing path out and probes the root; we write the `/` it probes.
      ...(HTTP_PROTOCOLS.has(protocol) && { path: path ?? '/' }),
      // Marathon: a check that names neither a port nor a port index probes the first
      // port (AppNormalization.normalizeHealthChecks).
      ...(port !== undefined ? { port } : { portIndex: portIndex ?? 0 }),
      ...((protocol === 'HTTP' || protocol === 'HTTPS') && { ignoreHttp1xx: ignoreHttp1xx ?? false }),
      ...common,
    };
  });
}
