import { z } from 'zod';
import { type Problem, type UnknownFields, isRegex, objectSchema } from './validation.js';

/**
 * Marathon's `container`. Gantry runs tasks as plain processes on the agent, so a
 * container that needs an image is refused until container support exists; a MESOS
 * container without an image carries volumes, persistent ones above all (the stateful
 * services use them), and is kept as given.
 */

export const PERSISTENT_VOLUME_TYPES = ['root', 'path', 'mount'] as const;

export interface PersistentVolumeInfo {
  type?: (typeof PERSISTENT_VOLUME_TYPES)[number];
  /** MiB. */
  size: number;
  maxSize?: number;
  profileName?: string;
  constraints?: string[][];
}

export interface AppVolume {
  containerPath: string;
  mode?: 'RO' | 'RW';
  hostPath?: string;
  persistent?: PersistentVolumeInfo;
  /** External (DVDI or CSI) volume settings, kept as given. */
  external?: Record<string, unknown>;
}

export interface AppContainer {
  type: 'MESOS' | 'DOCKER';
  /** Docker settings, kept as given (an app that has them is refused for now). */
  docker?: Record<string, unknown>;
  volumes: AppVolume[];
  linuxInfo?: Record<string, unknown>;
}

function persistentVolumeSchema(unknownFields: UnknownFields) {
  return objectSchema(unknownFields, {
    type: z.enum(PERSISTENT_VOLUME_TYPES).optional(),
    size: z.int().min(1),
    maxSize: z.int().min(1).optional(),
    profileName: z.string().min(1).optional(),
    constraints: z.array(z.array(z.string())).optional(),
  });
}

/** Marathon (AppValidation.validPersistentVolume); problems are relative to the volume. */
function persistentVolumeProblems(volume: AppVolume & { persistent: PersistentVolumeInfo }): Problem[] {
  const problems: Problem[] = [];
  const { containerPath, persistent } = volume;
  if (containerPath === '.' || containerPath === '..' || containerPath.includes('/')) {
    problems.push({ path: ['containerPath'], message: 'a persistent volume is a directory in the sandbox: give its name without "/" (e.g. data)' });
  }
  if (volume.mode !== undefined && volume.mode !== 'RW') {
    problems.push({ path: ['mode'], message: 'a persistent volume is read-write: use "RW" or leave mode out' });
  }
  if (persistent.maxSize !== undefined) {
    if (persistent.type !== 'mount') problems.push({ path: ['persistent', 'maxSize'], message: 'only mount volumes have a maxSize: set type "mount" or remove maxSize' });
    else if (persistent.maxSize <= persistent.size) problems.push({ path: ['persistent', 'maxSize'], message: `must be larger than size (${persistent.size})` });
  }
  (persistent.constraints ?? []).forEach((constraint, i) => {
    const at = ['persistent', 'constraints', i];
    // The default type is root, whose disk cannot be chosen by path.
    if ((persistent.type ?? 'root') === 'root') {
      problems.push({ path: at, message: 'root volumes take no constraints: set type "path" or "mount"' });
    } else if (constraint.length !== 3 || constraint[0] !== 'path' || (constraint[1] !== 'LIKE' && constraint[1] !== 'UNLIKE')) {
      problems.push({ path: at, message: 'a volume constraint is ["path", "LIKE" or "UNLIKE", regular expression]' });
    } else if (!isRegex(constraint[2] ?? '')) {
      problems.push({ path: [...at, 2], message: `${JSON.stringify(constraint[2])} is not a valid regular expression` });
    }
  });
  return problems;
}

function volumeSchema(unknownFields: UnknownFields) {
  return objectSchema(unknownFields, {
    containerPath: z.string().min(1),
    mode: z.enum(['RO', 'RW']).optional(),
    hostPath: z.string().min(1).optional(),
    persistent: persistentVolumeSchema(unknownFields).optional(),
    external: z.looseObject({}).optional(),
    secret: z.string().optional(),
  }).transform(({ secret, ...volume }, ctx): AppVolume => {
    const problems: Problem[] = [];
    if (secret !== undefined) {
      problems.push({ path: ['secret'], message: 'secret volumes are not supported yet: Gantry has no secret store' });
    } else if (volume.persistent !== undefined) {
      problems.push(...persistentVolumeProblems({ ...volume, persistent: volume.persistent }));
    } else if (volume.external === undefined && volume.hostPath === undefined) {
      problems.push({ path: [], message: 'a volume needs persistent (a local persistent volume), hostPath (a host directory) or external' });
    }
    for (const problem of problems) ctx.issues.push({ code: 'custom', ...problem, input: volume });
    if (problems.length > 0) return z.NEVER;
    // Marathon (AppConversion): a persistent volume's mode defaults to RW.
    return volume.persistent !== undefined ? { ...volume, mode: 'RW' } : volume;
  });
}

/**
 * Marathon's container. Its default type is DOCKER (appContainer.raml), so a
 * container without a type needs an image and is refused like any Docker container.
 * Marathon drops `portMappings` under host networking, the only networking Gantry
 * has; so do we.
 */
export function containerSchema(unknownFields: UnknownFields) {
  return objectSchema(unknownFields, {
    type: z.enum(['MESOS', 'DOCKER']).default('DOCKER'),
    docker: z.looseObject({}).optional(),
    volumes: z.array(volumeSchema(unknownFields)).default([]),
    portMappings: z.array(z.looseObject({})).optional(),
    linuxInfo: z.looseObject({}).optional(),
  }).transform(
    ({ type, docker, volumes, linuxInfo }): AppContainer => ({
      type,
      ...(docker !== undefined && { docker }),
      volumes,
      ...(linuxInfo !== undefined && { linuxInfo }),
    }),
  );
}

const NO_IMAGES =
  'container images are not supported yet: Gantry runs cmd or args directly on the agent. ' +
  'Remove container.docker (a container of type "MESOS" without an image may still carry volumes) and give cmd or args';

/** The refusal of containers that need an image; paths are relative to the app. */
export function containerImageProblems(container: AppContainer): Problem[] {
  if (container.docker !== undefined) return [{ path: ['container', 'docker'], message: NO_IMAGES }];
  if (container.type === 'DOCKER') return [{ path: ['container', 'type'], message: NO_IMAGES }];
  return [];
}

export function hasPersistentVolumes(container: AppContainer | undefined): boolean {
  return container?.volumes.some((volume) => volume.persistent !== undefined) ?? false;
}
