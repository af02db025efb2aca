import { z } from 'zod';
import { type Problem, type UnknownFields, objectSchema } from './validation.js';

/**
 * Marathon port definitions: the host ports each task of a host-networked app asks
 * for. Port 0 asks for any free port (and a service port assigned by the scheduler);
 * any other number is a fixed service port, or the host port itself with
 * `requirePorts`.
 */

export const NETWORK_PROTOCOLS = ['tcp', 'udp', 'udp,tcp'] as const;

// Marathon (stringTypes.raml LegacyName): a DNS label without a length limit.
export const PortName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: 'a port name is lowercase letters, digits and hyphens, starting and ending with a letter or digit (e.g. http-api)',
  });

/** Marathon's AnyPort: 0 (any free port) or a port number. */
export const AnyPort = z.int().min(0).max(65535);

export const Labels = z.record(z.string(), z.string());

export interface PortDefinition {
  port: number;
  protocol: (typeof NETWORK_PROTOCOLS)[number];
  name?: string;
  labels?: Record<string, string>;
}

export function portDefinitionSchema(unknownFields: UnknownFields) {
  return objectSchema(unknownFields, {
    port: AnyPort.default(0),
    protocol: z.enum(NETWORK_PROTOCOLS).default('tcp'),
    name: PortName.optional(),
    labels: Labels.optional(),
  }).transform(
    ({ port, protocol, name, labels }): PortDefinition => ({
      port,
      protocol,
      ...(name !== undefined && { name }),
      ...(labels !== undefined && Object.keys(labels).length > 0 && { labels }),
    }),
  );
}

/**
 * Marathon: an app that names no ports gets one, any free port, named "default"
 * (Apps.DefaultPortDefinitions since 1.5; older releases left it unnamed).
 */
export const DEFAULT_PORT_DEFINITIONS: readonly PortDefinition[] = [{ port: 0, protocol: 'tcp', name: 'default' }];

/** Marathon's legacy `ports: [0, 8080]`: one tcp port definition each, unnamed. */
export function portDefinitionsFromPorts(ports: readonly number[]): PortDefinition[] {
  return ports.map((port) => ({ port, protocol: 'tcp' }));
}

/** Marathon (AppValidation.portDefinitionsValidator): names are unique, and so are fixed ports. */
export function portDefinitionProblems(definitions: readonly PortDefinition[], at: PropertyKey[]): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  const ports = new Map<number, number>();
  definitions.forEach((definition, i) => {
    if (definition.name !== undefined) {
      const first = names.get(definition.name);
      if (first !== undefined) problems.push({ path: [...at, i, 'name'], message: `port name "${definition.name}" is already used by port definition ${first}: names must be unique` });
      else names.set(definition.name, i);
    }
    if (definition.port !== 0) {
      const first = ports.get(definition.port);
      if (first !== undefined) problems.push({ path: [...at, i, 'port'], message: `port ${definition.port} is already used by port definition ${first}: fixed ports must be unique (use 0 for any free port)` });
      else ports.set(definition.port, i);
    }
  });
  return problems;
}
