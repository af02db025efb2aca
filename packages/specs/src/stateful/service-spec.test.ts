import { describe, expect, it } from 'vitest';
import { fieldErrors } from '../api-error.js';
import { StatefulServiceDefinition } from './service-spec.js';

const minimal = {
  name: '/data/postgresql',
  pods: [{ name: 'postgresql', resources: { cpus: 1, mem: 512 }, tasks: [{ name: 'server', cmd: 'postgres' }] }],
};

describe('StatefulServiceDefinition', () => {
  it('fills the SDK-like defaults, including the role', () => {
    const spec = StatefulServiceDefinition.parse(minimal);
    expect(spec.role).toBe('data__postgresql-role');
    expect(spec.pods[0]).toEqual({
      name: 'postgresql',
      count: 1,
      resources: { cpus: 1, mem: 512, disk: 0 },
      ports: [],
      volumes: [],
      placement: [],
      tasks: [{ name: 'server', goal: 'RUNNING', cmd: 'postgres', env: {} }],
    });
    expect(spec.plans).toEqual({});
    expect(spec.backoff).toEqual({ backoffSeconds: 1, backoffFactor: 1.15, maxLaunchDelaySeconds: 300 });
  });

  it('reads placement in Marathon form and checks defaults of checks and volumes', () => {
    const spec = StatefulServiceDefinition.parse({
      ...minimal,
      pods: [{ ...minimal.pods[0], volumes: [{ path: 'data', size: 256 }], placement: [['hostname', 'unique'], ['zone', 'GROUP_BY', '3']], tasks: [{ name: 'server', cmd: 'x', readinessCheck: { cmd: 'pg_isready' } }] }],
    });
    expect(spec.pods[0]!.placement).toEqual([{ field: 'hostname', operator: 'UNIQUE' }, { field: 'zone', operator: 'GROUP_BY', value: '3' }]);
    expect(spec.pods[0]!.volumes).toEqual([{ path: 'data', type: 'ROOT', size: 256 }]);
    expect(spec.pods[0]!.tasks[0]!.readinessCheck).toEqual({ cmd: 'pg_isready', intervalSeconds: 5, timeoutSeconds: 10, delaySeconds: 0, gracePeriodSeconds: 30, maxConsecutiveFailures: 3 });
  });

  it('reports every problem with its path', () => {
    const r = StatefulServiceDefinition.safeParse({ name: '', pods: [{ name: 'Bad', resources: { cpus: 0, mem: 1 }, tasks: [], placement: [['hostname', 'NEAR']] }], extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.success ? [] : fieldErrors(r.error).map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['/', '/name', '/pods/0/name', '/pods/0/resources/cpus', '/pods/0/tasks', '/pods/0/placement/0']));
  });

  describe('external volumes', () => {
    const withVolumes = (volumes: unknown[]) => ({ ...minimal, pods: [{ ...minimal.pods[0], volumes }] });
    const problems = (volumes: unknown[]) => {
      const r = StatefulServiceDefinition.safeParse(withVolumes(volumes));
      return r.success ? [] : fieldErrors(r.error);
    };

    it('takes an EXTERNAL volume with its provider and name, size left out (nothing is reserved for it)', () => {
      const spec = StatefulServiceDefinition.parse(withVolumes([
        { path: 'data', type: 'EXTERNAL', external: { provider: 'shared-directory', name: 'team-a/pgdata' } },
        { path: 'scratch', size: 64 },
      ]));
      expect(spec.pods[0]!.volumes).toEqual([
        { path: 'data', type: 'EXTERNAL', size: 0, external: { provider: 'shared-directory', name: 'team-a/pgdata' } },
        { path: 'scratch', type: 'ROOT', size: 64 },
      ]);
    });

    it.each([
      ['/etc', '/pods/0/volumes/0/external/name', 'drop the leading "/"'],
      ['a/../../etc', '/pods/0/volumes/0/external/name', 'may not contain ".."'],
      ['..', '/pods/0/volumes/0/external/name', 'may not contain ".."'],
      ['.hidden', '/pods/0/volumes/0/external/name', 'none starting with "."'],
      ['a//b', '/pods/0/volumes/0/external/name', 'separated by single "/"'],
      ['', '/pods/0/volumes/0/external/name', 'needs a name'],
    ])('refuses the name %j at its field, saying how to fix it', (name, path, message) => {
      const found = problems([{ path: 'data', type: 'EXTERNAL', external: { provider: 'shared-directory', name } }]);
      expect(found.map((p) => p.path)).toEqual([path]);
      expect(found[0]!.errors.join(' ')).toContain(message);
    });

    it('names the field when an EXTERNAL volume lacks its source, a local one has one, or a provider is unknown', () => {
      expect(problems([{ path: 'data', type: 'EXTERNAL' }])).toEqual([{ path: '/pods/0/volumes/0/external', errors: [expect.stringContaining('"provider": "shared-directory"')] }]);
      expect(problems([{ path: 'data', size: 10, external: { provider: 'shared-directory', name: 'x' } }])).toEqual([
        { path: '/pods/0/volumes/0/external', errors: [expect.stringContaining('set "type": "EXTERNAL"')] },
      ]);
      expect(problems([{ path: 'data', type: 'EXTERNAL', external: { provider: 'rexray', name: 'x' } }]).map((p) => p.path)).toEqual(['/pods/0/volumes/0/external/provider']);
      expect(problems([{ path: 'data', type: 'ROOT' }])).toEqual([{ path: '/pods/0/volumes/0/size', errors: [expect.stringContaining('needs its size in MiB')] }]);
    });
  });
});
