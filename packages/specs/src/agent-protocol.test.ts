import { describe, expect, it } from 'vitest';
import { AgentMessage, MasterMessage } from './agent-protocol.js';
import { fieldErrors } from './api-error.js';

const register = {
  type: 'register',
  id: 'm-1',
  protocolVersion: 1,
  agentId: null,
  hostname: 'local-a',
  address: '127.0.0.1',
  resources: { cpus: 0.5, mem: 1024, disk: 2048, ports: [[31000, 31999]] },
  attributes: { zone: 'a' },
  agentVersion: '0.1.0',
};

describe('agent protocol', () => {
  it('accepts a first registration', () => {
    expect(AgentMessage.parse(register)).toEqual(register);
  });

  it('rejects unknown fields, so a typo never passes silently', () => {
    expect(AgentMessage.safeParse({ ...register, hostnmae: 'x' }).success).toBe(false);
  });

  it('names every bad field at once, sorted by path', () => {
    const result = AgentMessage.safeParse({
      ...register,
      hostname: '-bad-',
      resources: { cpus: 0, mem: 1.5, disk: -1, ports: [[32000, 31000]] },
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(fieldErrors(result.error).map((e) => e.path)).toEqual([
      '/hostname',
      '/resources/cpus',
      '/resources/disk',
      '/resources/mem',
      '/resources/ports/0',
    ]);
  });

  it('requires an epoch on every master message but redirects', () => {
    expect(MasterMessage.safeParse({ type: 'ack', id: 'x', ackOf: 'm-1' }).success).toBe(false);
    expect(MasterMessage.safeParse({ type: 'ack', id: 'x', ackOf: 'm-1', epoch: 3 }).success).toBe(true);
    expect(MasterMessage.safeParse({ type: 'redirect', id: 'x', leader: null }).success).toBe(true);
  });
});
