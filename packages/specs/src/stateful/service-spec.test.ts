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
});
