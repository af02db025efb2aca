import { describe, expect, it } from 'vitest';
import { type AppContainer, containerImageProblems, containerSchema, hasPersistentVolumes } from './container.js';
import { parseWith } from './validation.js';

const read = (json: unknown) => parseWith(containerSchema('reject'), json, ['container']);

describe('containerSchema', () => {
  it('keeps a MESOS container with persistent, host and external volumes; drops port mappings', () => {
    const result = read({
      type: 'MESOS',
      volumes: [
        { containerPath: 'data', persistent: { type: 'path', size: 100, profileName: 'fast', constraints: [['path', 'UNLIKE', '/mnt/slow.*']] } },
        { containerPath: '/etc/app', hostPath: '/srv/etc', mode: 'RO' },
        { containerPath: 'ext', mode: 'RW', external: { name: 'vol', provider: 'dvdi', options: { 'dvdi/driver': 'rexray' } } },
      ],
      portMappings: [{ containerPort: 80 }],
      linuxInfo: { seccomp: { unconfined: true } },
    });
    expect(result).toEqual({
      ok: true,
      value: {
        type: 'MESOS',
        volumes: [
          { containerPath: 'data', mode: 'RW', persistent: { type: 'path', size: 100, profileName: 'fast', constraints: [['path', 'UNLIKE', '/mnt/slow.*']] } },
          { containerPath: '/etc/app', hostPath: '/srv/etc', mode: 'RO' },
          { containerPath: 'ext', mode: 'RW', external: { name: 'vol', provider: 'dvdi', options: { 'dvdi/driver': 'rexray' } } },
        ],
        linuxInfo: { seccomp: { unconfined: true } },
      },
    });
    expect(result.ok && hasPersistentVolumes(result.value)).toBe(true);
  });

  it.each([
    [{ containerPath: '..', persistent: { size: 1 } }, ['containerPath'], 'give its name without "/"'],
    [{ containerPath: 'd', persistent: { size: 0 } }, ['persistent', 'size'], 'must be at least 1, not 0'],
    [{ containerPath: 'd', persistent: { type: 'mount', size: 10, maxSize: 10 } }, ['persistent', 'maxSize'], 'must be larger than size (10)'],
    [{ containerPath: 'd', persistent: { type: 'path', size: 1, constraints: [['hostname', 'LIKE', 'x']] } }, ['persistent', 'constraints', 0], 'a volume constraint is ["path", "LIKE" or "UNLIKE", regular expression]'],
    [{ containerPath: 'd', persistent: { type: 'path', size: 1, constraints: [['path', 'LIKE', '(']] } }, ['persistent', 'constraints', 0, 2], '"(" is not a valid regular expression'],
    [{ containerPath: 'd', persistent: { size: 1, type: 'tmpfs' } }, ['persistent', 'type'], 'must be one of "root", "path", "mount"'],
  ])('refuses volume %j', (volume, path, message) => {
    expect(read({ type: 'MESOS', volumes: [volume] })).toEqual({ ok: false, problems: [{ path: ['container', 'volumes', 0, ...path], message: expect.stringContaining(message) }] });
  });
});

describe('containerImageProblems', () => {
  it.each<[AppContainer, string[][]]>([
    [{ type: 'MESOS', volumes: [] }, []],
    [{ type: 'DOCKER', volumes: [] }, [['container', 'type']]],
    [{ type: 'MESOS', docker: { image: 'busybox' }, volumes: [] }, [['container', 'docker']]],
    [{ type: 'DOCKER', docker: { image: 'busybox' }, volumes: [] }, [['container', 'docker']]],
  ])('%j: refused at %j', (container, paths) => {
    expect(containerImageProblems(container).map((p) => p.path)).toEqual(paths);
  });

  it('says images are not supported yet and how to go on', () => {
    expect(containerImageProblems({ type: 'DOCKER', volumes: [] })[0]?.message).toMatch(/^container images are not supported yet: .*give cmd or args$/);
  });
});
