import { describe, expect, it } from 'vitest';
import { heardAt, newlyUnreachable } from './liveness.js';

const policy = { heartbeatIntervalMs: 1000, missedHeartbeatsAllowed: 3 };

describe('newlyUnreachable', () => {
  const agents = [
    { id: 'b', lastHeartbeatAt: 0, reachable: true }, // silent for 3001 ms at now=3001
    { id: 'a', lastHeartbeatAt: 0, reachable: true },
    { id: 'c', lastHeartbeatAt: 1, reachable: true }, // exactly at the timeout: still reachable
    { id: 'd', lastHeartbeatAt: 0, reachable: false }, // already unreachable: not reported again
  ];

  it('reports agents silent for longer than interval × allowed misses, in id order', () => {
    expect(newlyUnreachable(agents, 3001, policy)).toEqual(['a', 'b']);
  });

  it('reports nobody while every heartbeat is within the timeout', () => {
    expect(newlyUnreachable(agents, 3000, policy)).toEqual([]);
  });
});

describe('heardAt after a failover', () => {
  const electedAt = 100_000;

  it('counts an agent heard in this term from its heartbeat', () => {
    expect(heardAt(electedAt + 500, electedAt, policy, 60_000)).toBe(electedAt + 500);
  });

  it('gives an agent not heard yet the whole re-register window from the election', () => {
    const at = heardAt(electedAt - 50_000, electedAt, policy, 60_000);
    expect(newlyUnreachable([{ id: 'a', lastHeartbeatAt: at, reachable: true }], electedAt + 59_999, policy)).toEqual([]);
    expect(newlyUnreachable([{ id: 'a', lastHeartbeatAt: at, reachable: true }], electedAt + 60_001, policy)).toEqual(['a']);
  });

  it('never less than one unreachable timeout, even with no window', () => {
    expect(heardAt(0, electedAt, policy, 0)).toBe(electedAt);
  });
});
