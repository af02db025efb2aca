import { describe, expect, it } from 'vitest';
import { newlyUnreachable } from './liveness.js';

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
