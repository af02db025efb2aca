import { TaskSpec, type TaskSpecInput } from '@gantry/specs';
import { describe, expect, it } from 'vitest';
import { launchVerdict, type LaunchContext } from './launch-verdict.js';

const context: LaunchContext = {
  agentScalars: { cpus: 1, mem: 256, disk: 100 }, scalarsInUse: { cpus: 0.7, mem: 128, disk: 0 },
  agentPorts: [[31000, 31009]], portsInUse: new Set([31005]), knownTaskIds: new Set(['old']), volumes: new Set(['vol-1']),
  root: true, lookupUser: (name) => (name === 'nobody' ? { name, uid: 65534, gid: 65534, home: '/nonexistent' } : null),
};
const spec = (over: Partial<TaskSpecInput>) => TaskSpec.parse({ taskId: 't', cmd: 'sleep 1', resources: { cpus: 0.1, mem: 32 }, ...over });

describe('launchVerdict', () => {
  it('accepts a plain command, a user that exists and an existing volume', () => {
    const verdict = launchVerdict(spec({ user: 'nobody', volumes: [{ containerPath: 'data', volumeId: 'vol-1' }] }), context);
    expect(verdict).toEqual({ ok: true, user: { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' }, volumeLinks: [{ relative: 'data', volumeId: 'vol-1', readOnly: false }], externalLinks: [] });
  });

  it('accepts external volumes whatever providers the agent has (a missing one fails the launch, naming the flag)', () => {
    const verdict = launchVerdict(spec({ externalVolumes: [{ containerPath: 'shared/', provider: 'shared-directory', name: 'pgdata-0' }] }), context);
    expect(verdict).toMatchObject({ ok: true, externalLinks: [{ relative: 'shared', provider: 'shared-directory', name: 'pgdata-0', readOnly: false }] });
  });

  it('accepts a task that takes exactly what is left (three 0.1 cpus add up with float error)', () => {
    const inUse = { cpus: 0.1 + 0.1 + 0.1 + 0.4, mem: 128, disk: 0 };
    expect(launchVerdict(spec({ resources: { cpus: 0.3, mem: 128, disk: 100 } }), { ...context, scalarsInUse: inUse }).ok).toBe(true);
  });

  it.each<[string, Partial<TaskSpecInput>, string]>([
    ['no command', { cmd: undefined }, 'has no command'],
    ['blank command', { cmd: '   ' }, 'has no command'],
    ['cmd and args', { args: ['true'] }, 'not both'],
    ['unknown user', { user: 'nosuchuser' }, 'user "nosuchuser" does not exist'],
    ['port outside the agent', { resources: { cpus: 0.1, mem: 32, ports: [40000] } }, "not among this agent's ports"],
    ['port in use', { resources: { cpus: 0.1, mem: 32, ports: [31005] } }, 'already held'],
    ['escaping containerPath', { volumes: [{ containerPath: '../../etc', volumeId: 'vol-1' }] }, 'escapes the sandbox'],
    ['absolute containerPath', { volumes: [{ containerPath: '/etc', volumeId: 'vol-1' }] }, 'must be relative'],
    ['missing volume', { volumes: [{ containerPath: 'data', volumeId: 'nope' }] }, 'does not exist on this agent'],
    ['escaping external containerPath', { externalVolumes: [{ containerPath: '../x', provider: 'shared-directory', name: 'a' }] }, 'escapes the sandbox'],
    ['a local and an external volume at one path', {
      volumes: [{ containerPath: 'data', volumeId: 'vol-1' }], externalVolumes: [{ containerPath: 'data/', provider: 'shared-directory', name: 'a' }],
    }, 'two volumes at containerPath "data"'],
    ['reused task id', { taskId: 'old' }, 'already exists'],
    ['more cpus than are free', { resources: { cpus: 0.4, mem: 32 } }, 'asks for 0.4 cpus, but this agent has only 0.3 of its 1 free'],
    ['more memory than is free', { resources: { cpus: 0.1, mem: 200 } }, 'asks for 200 MiB mem, but this agent has only 128 MiB of its 256 MiB free'],
    ['more disk than the agent has', { resources: { cpus: 0.1, mem: 32, disk: 101 } }, 'asks for 101 MiB disk'],
    ['health check without a port', { healthChecks: [{ protocol: 'MESOS_TCP' }] }, 'portIndex 0'],
  ])('refuses %s with a message', (_what, over, message) => {
    const verdict = launchVerdict(spec(over), context);
    expect(verdict.ok).toBe(false);
    expect(!verdict.ok && verdict.message).toContain(message);
  });
});
