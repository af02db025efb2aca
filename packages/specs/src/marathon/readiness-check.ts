import { z } from 'zod';
import { PortName } from './port-definition.js';
import { type UnknownFields, distinct, objectSchema } from './validation.js';

/**
 * Marathon readiness checks: during a deployment a new task only counts once its
 * readiness endpoint answers one of `httpStatusCodesForReady` (a service warming its
 * cache is healthy, but not ready).
 */

export interface AppReadinessCheck {
  name: string;
  protocol: 'HTTP' | 'HTTPS';
  path: string;
  /** Names a port definition (or container port mapping) of the app. */
  portName: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  httpStatusCodesForReady: number[];
  preserveLastResponse: boolean;
}

/** Marathon's defaults (readinessCheck.raml, core ReadinessCheck): every 30 s, timeout 10 s, ready on 200. */
export function readinessCheckSchema(unknownFields: UnknownFields) {
  return objectSchema(unknownFields, {
    name: z.string().min(1).default('readinessCheck'),
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    path: z.string().min(1).max(1024).default('/'),
    portName: PortName.default('http-api'),
    intervalSeconds: z.int().min(0).default(30),
    timeoutSeconds: z.int().min(1).default(10),
    httpStatusCodesForReady: z.array(z.int().min(100).max(999)).min(1).default([200]),
    preserveLastResponse: z.boolean().default(false),
  }).transform((check, ctx): AppReadinessCheck => {
    // Marathon (AppValidation.readinessCheckValidator): a probe must time out before the next one starts.
    if (check.timeoutSeconds >= check.intervalSeconds) {
      ctx.issues.push({
        code: 'custom',
        path: ['timeoutSeconds'],
        message: `must be less than intervalSeconds (${check.intervalSeconds})`,
        input: check.timeoutSeconds,
      });
      return z.NEVER;
    }
    return { ...check, httpStatusCodesForReady: distinct(check.httpStatusCodesForReady) };
  });
}
