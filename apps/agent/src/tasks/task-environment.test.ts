import { TaskSpec } from '@gantry/specs';
import { describe, expect, it } from 'vitest';
import { taskEnvironment } from './task-environment.js';

const context = { agentId: 'agent-0001', host: '10.0.0.7', sandbox: '/w/sandboxes/t1', path: '/usr/bin:/bin' };

describe('task environment', () => {
  it('gives Marathon-style ports, host, app and task ids under Gantry and Marathon names', () => {
    const spec = TaskSpec.parse({
      taskId: 't1', appId: '/team/web', appVersion: '2026-01-01T00:00:00.000Z', cmd: 'true',
      resources: { cpus: 0.5, mem: 64, ports: [31001, 31007] }, env: { GREETING: 'hi' },
    });
    expect(taskEnvironment(spec, context)).toMatchObject({
      PATH: '/usr/bin:/bin', GREETING: 'hi',
      PORT0: '31001', PORT1: '31007', PORT: '31001', PORTS: '31001,31007', HOST: '10.0.0.7',
      GANTRY_TASK_ID: 't1', GANTRY_APP_ID: '/team/web', GANTRY_APP_VERSION: '2026-01-01T00:00:00.000Z',
      GANTRY_AGENT_ID: 'agent-0001', GANTRY_SANDBOX: '/w/sandboxes/t1', GANTRY_APP_RESOURCE_MEM: '64',
      MESOS_TASK_ID: 't1', MESOS_SANDBOX: '/w/sandboxes/t1', MARATHON_APP_ID: '/team/web', MARATHON_APP_RESOURCE_CPUS: '0.5',
    });
  });

  it('never lets user env override the task\'s own ports or id', () => {
    const spec = TaskSpec.parse({ taskId: 't2', cmd: 'true', resources: { cpus: 1, mem: 32, ports: [31000] }, env: { PORT0: '1', GANTRY_TASK_ID: 'x' } });
    const env = taskEnvironment(spec, context);
    expect([env.PORT0, env.GANTRY_TASK_ID]).toEqual(['31000', 't2']);
  });

  it('has no PORT and an empty PORTS without ports, and no app id outside a service', () => {
    const env = taskEnvironment(TaskSpec.parse({ taskId: 't3', cmd: 'true', resources: { cpus: 1, mem: 32 } }), context);
    expect(env.PORT).toBeUndefined();
    expect(env.PORTS).toBe('');
    expect(env.MARATHON_APP_ID).toBeUndefined();
  });
});
