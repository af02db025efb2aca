import { describe, expect, it } from 'vitest';
import { res } from '../resources/parse.js';
import { scalars } from '../resources/scalars.js';
import { makeAgent, makeFramework, recordingAllocator } from '../testing/builders.js';

describe('HierarchicalAllocator', () => {
  it('offers every free agent to a lone framework, once per round through the callback', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f1', ['web']));
    allocator.addAgent(makeAgent('a1', 'cpus:4;mem:1024'));
    allocator.addAgent(makeAgent('a2', 'cpus:2;mem:512'));
    const report = allocator.allocate(0);
    expect(report).toMatchObject({ allocations: 2, frameworksOffered: 1 });
    expect(offers.last('f1')).toEqual(['a1:web:cpus:4;mem:1024', 'a2:web:cpus:2;mem:512']);
    // Everything is now allocated: the next round has nothing to offer.
    expect(allocator.allocate(1).allocations).toBe(0);
  });

  it('alternates agents by weighted dominant share, hand-checked', () => {
    // Total 30 cpus over three equal agents; role a has weight 2.
    const { allocator, offers } = recordingAllocator();
    allocator.setWeight('a', 2);
    allocator.addFramework(makeFramework('fa', ['a']));
    allocator.addFramework(makeFramework('fb', ['b']));
    for (const id of ['x1', 'x2', 'x3']) allocator.addAgent(makeAgent(id, 'cpus:10;mem:100'));
    allocator.allocate(0);
    // x1: a = 0, b = 0 (tie → name) → a; a = (10/30)/2 = 0.167
    // x2: b = 0 < 0.167 → b; b = 10/30 = 0.333
    // x3: a = 0.167 < 0.333 → a; a = (20/30)/2 = 0.333
    expect(offers.last('fa').map((o) => o.split(':')[0])).toEqual(['x1', 'x3']);
    expect(offers.last('fb').map((o) => o.split(':')[0])).toEqual(['x2']);
  });

  it('orders a team subtree as a whole before its members (hierarchical DRF)', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('web', ['team-a/web']));
    allocator.addFramework(makeFramework('batch', ['team-a/batch']));
    allocator.addFramework(makeFramework('other', ['team-b']));
    for (const id of ['x1', 'x2', 'x3', 'x4']) allocator.addAgent(makeAgent(id, 'cpus:1;mem:10'));
    allocator.allocate(0);
    // x1: team-a 0 = team-b 0 → team-a (name), inside: batch (name) → team-a = 0.25
    // x2: team-b 0 → team-b = 0.25
    // x3: team-a 0.25 = team-b 0.25 → team-a; inside: web 0 < batch 0.25 → web → team-a = 0.5
    // x4: team-b 0.25 → team-b
    expect(offers.last('batch')).toEqual(['x1:team-a/batch:cpus:1;mem:10']);
    expect(offers.last('other').map((o) => o.split(':')[0])).toEqual(['x2', 'x4']);
    expect(offers.last('web').map((o) => o.split(':')[0])).toEqual(['x3']);
  });

  it('offers reserved resources only to their role and its descendants', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('db', ['db']));
    allocator.addFramework(makeFramework('webfw', ['web/frontend']));
    allocator.addAgent(makeAgent('a1', 'cpus(web):2;mem(web):256;cpus:1;mem:128'));
    allocator.allocate(0);
    // db (share 0, name order) takes the unreserved part; the web reservation goes to web/frontend.
    expect(offers.last('db')).toEqual(['a1:db:cpus:1;mem:128']);
    expect(offers.last('webfw')).toEqual(['a1:web/frontend:cpus(web):2;mem(web):256']);
  });

  it('does not re-offer declined resources to the same framework within refuseSeconds', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f1', ['r']));
    allocator.addAgent(makeAgent('a1', 'cpus:4;mem:1024'));
    allocator.allocate(0);
    expect(allocator.recoverResources('f1', 'r', 'a1', res('cpus:4;mem:1024'), 5, 1000).ok).toBe(true);
    allocator.allocate(5999);
    expect(offers.last('f1')).toEqual([]); // filtered until 1000 + 5 s
    allocator.allocate(6000);
    expect(offers.last('f1')).toEqual(['a1:r:cpus:4;mem:1024']);
  });

  it('offers to the next framework while one is filtered, and lets a bigger offer through', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f1', ['r']));
    allocator.addFramework(makeFramework('f2', ['r']));
    allocator.addAgent(makeAgent('a1', 'cpus:4;mem:1024'));
    allocator.allocate(0); // f1 (name order) gets a1
    allocator.recoverResources('f1', 'r', 'a1', res('cpus:4;mem:1024'), Infinity, 0);
    allocator.allocate(1);
    expect(offers.last('f2')).toEqual(['a1:r:cpus:4;mem:1024']); // f1 filtered: next framework
    // f2 keeps cpus:1 in use and declines the rest forever.
    allocator.recoverResources('f2', 'r', 'a1', res('cpus:3;mem:1024'), Infinity, 1);
    allocator.allocate(2);
    expect(offers.lastAll()).toEqual([]); // cpus:3;mem:1024 ⊆ both filters
    // f2's task ends: cpus:4;mem:1024 is free. f1 declined exactly that (still covered),
    // but f2 declined only cpus:3;mem:1024, which does not contain the bigger offer.
    allocator.recoverResources('f2', 'r', 'a1', res('cpus:1'), 0, 2);
    allocator.allocate(3);
    expect(offers.last('f1')).toEqual([]);
    expect(offers.last('f2')).toEqual(['a1:r:cpus:4;mem:1024']);
  });

  it('suppresses and revives per role, revive clearing filters', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f1', ['a', 'b']));
    allocator.addAgent(makeAgent('x', 'cpus:1;mem:64'));
    allocator.suppress('f1', ['a']);
    allocator.allocate(0);
    expect(offers.last('f1')).toEqual(['x:b:cpus:1;mem:64']);
    allocator.recoverResources('f1', 'b', 'x', res('cpus:1;mem:64'), Infinity, 0);
    allocator.suppress('f1');
    expect(allocator.allocate(1).allocations).toBe(0);
    allocator.revive('f1', ['b']);
    allocator.allocate(2);
    expect(offers.last('f1')).toEqual(['x:b:cpus:1;mem:64']); // filter gone with the revive
  });

  it('offers nothing new on draining or maintenance agents', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f1', ['r']));
    allocator.addAgent(makeAgent('x', 'cpus:1;mem:64', { mode: 'DRAINING' }));
    allocator.addAgent(makeAgent('y', 'cpus:1;mem:64'));
    allocator.setAgentMode('y', 'MAINTENANCE');
    expect(allocator.allocate(0).allocations).toBe(0);
    allocator.setAgentMode('x', 'UP');
    allocator.allocate(1);
    expect(offers.last('f1')).toEqual(['x:r:cpus:1;mem:64']);
  });

  it('serves a role below its guarantee before a role with a lower share (stage 1)', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('fq', ['q']));
    allocator.addFramework(makeFramework('fa', ['a'])); // 'a' sorts before 'q' by name at equal share
    allocator.setQuota('q', { guarantee: scalars({ cpus: 3 }), limit: new Map() });
    allocator.addAgent(makeAgent('x1', 'cpus:2;mem:100'));
    allocator.addAgent(makeAgent('x2', 'cpus:2;mem:100'));
    const report = allocator.allocate(0);
    // Stage 1: q gets x1's cpus:2 (mem is not guaranteed: surplus headroom allows it),
    // then cpus:1 of x2 (its unsatisfied guarantee). Stage 2: a takes x2's leftover.
    expect(report.guaranteeAllocations).toBe(2);
    expect(offers.last('fq')).toEqual(['x1:q:cpus:2;mem:100', 'x2:q:cpus:1;mem:100']);
    // x2's leftover cpus:1 (no mem) still meets the minimum allocatable cpus:0.01.
    expect(offers.last('fa')).toEqual(['x2:a:cpus:1']);
  });

  it('keeps headroom for an unsatisfied guarantee even while its framework is suppressed', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('fq', ['q'], { suppressedRoles: ['q'] }));
    allocator.addFramework(makeFramework('fa', ['a']));
    allocator.setQuota('q', { guarantee: scalars({ cpus: 4 }), limit: new Map() });
    allocator.addAgent(makeAgent('x1', 'cpus:4;mem:100'));
    allocator.addAgent(makeAgent('x2', 'cpus:4;mem:100'));
    allocator.allocate(0);
    // required headroom = 4 cpus; available = 8 → a may take at most 4 cpus in total.
    const cpus = offers.last('fa').map((o) => o.split(':').slice(2).join(':'));
    expect(res(cpus.join(';')).scalar('cpus')).toBe(4000);
    expect(allocator.availableHeadroom().get('cpus')).toBe(4000);
    expect(allocator.requiredHeadroom().get('cpus')).toBe(4000);
  });

  it("lets a child role draw on its parent's guarantee (hierarchical quota)", () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('web', ['team/web']));
    allocator.addFramework(makeFramework('other', ['aaa'])); // sorts first at equal share
    allocator.setQuota('team', { guarantee: scalars({ cpus: 4 }), limit: new Map() });
    allocator.addAgent(makeAgent('x1', 'cpus:3;mem:100'));
    allocator.addAgent(makeAgent('x2', 'cpus:3;mem:100'));
    const report = allocator.allocate(0);
    // Stage 1: team is owed 4 cpus → team/web gets x1's 3 cpus, then 1 cpu of x2.
    // Stage 2: aaa takes x2's remaining 2 cpus (required headroom is now 0).
    expect(report.guaranteeAllocations).toBe(2);
    expect(offers.last('web')).toEqual(['x1:team/web:cpus:3;mem:100', 'x2:team/web:cpus:1;mem:100']);
    expect(offers.last('other')).toEqual(['x2:aaa:cpus:2']);
    expect(allocator.consumedQuota('team').get('cpus')).toBe(4000);
  });

  it('caps a role at its quota limit', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f', ['capped']));
    allocator.setQuota('capped', { guarantee: new Map(), limit: scalars({ cpus: 2 }) });
    allocator.addAgent(makeAgent('x1', 'cpus:4;mem:100'));
    allocator.addAgent(makeAgent('x2', 'cpus:4;mem:100'));
    allocator.allocate(0);
    // Only kinds named in the limit are capped: mem is not, so x2's mem is still offered.
    expect(offers.last('f')).toEqual(['x1:capped:cpus:2;mem:100', 'x2:capped:mem:100']);
    expect(allocator.consumedQuota('capped').get('cpus')).toBe(2000);
  });

  it('rejects invalid quotas as values', () => {
    const { allocator } = recordingAllocator();
    expect(allocator.setQuota('q', { guarantee: scalars({ cpus: 3 }), limit: scalars({ cpus: 2 }) }).ok).toBe(false);
    expect(allocator.setQuota('p', { guarantee: scalars({ cpus: 2 }), limit: new Map() }).ok).toBe(true);
    expect(allocator.setQuota('p/c1', { guarantee: scalars({ cpus: 2 }), limit: new Map() }).ok).toBe(true);
    expect(allocator.setQuota('p/c2', { guarantee: scalars({ cpus: 1 }), limit: new Map() }).ok).toBe(false); // 2 + 1 > 2
    expect(allocator.setQuota('bad role', { guarantee: new Map(), limit: new Map() }).ok).toBe(false);
  });

  it('coalesces events into one pending round over the touched agents', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f', ['r']));
    allocator.addAgent(makeAgent('x1', 'cpus:1;mem:64'));
    allocator.addAgent(makeAgent('x2', 'cpus:1;mem:64'));
    expect(allocator.runPendingAllocation(0)?.allocations).toBe(2);
    expect(allocator.runPendingAllocation(1)).toBeUndefined(); // nothing changed
    allocator.recoverResources('f', 'r', 'x1', res('cpus:1;mem:64'), 0, 2);
    allocator.recoverResources('f', 'r', 'x2', res('cpus:1;mem:64'), 0, 2);
    const report = allocator.runPendingAllocation(3);
    expect(report).toMatchObject({ agentsConsidered: 2, allocations: 2 });
    expect(offers.rounds).toHaveLength(2);
  });

  it('rejects recovering what a framework does not hold', () => {
    const { allocator } = recordingAllocator();
    allocator.addFramework(makeFramework('f', ['r']));
    allocator.addAgent(makeAgent('x', 'cpus:1;mem:64'));
    expect(allocator.recoverResources('f', 'r', 'x', res('cpus:1'), 0, 0).ok).toBe(false);
  });

  it('accounts agents registering with resources already in use', () => {
    const { allocator, offers } = recordingAllocator();
    allocator.addFramework(makeFramework('f', ['r']));
    expect(allocator.addAgent(makeAgent('x', 'cpus:4;mem:64'), [{ frameworkId: 'f', role: 'r', resources: res('cpus:3') }]).ok).toBe(true);
    allocator.allocate(0);
    expect(offers.last('f')).toEqual(['x:r:cpus:1;mem:64']);
    expect(allocator.addAgent(makeAgent('y', 'cpus:1'), [{ frameworkId: 'f', role: 'r', resources: res('cpus:2') }]).ok).toBe(false);
  });

  it('returns what was allocated on a removed agent', () => {
    const { allocator } = recordingAllocator();
    allocator.addFramework(makeFramework('f', ['r']));
    allocator.addAgent(makeAgent('x', 'cpus:1;mem:64'));
    allocator.allocate(0);
    const lost = allocator.removeAgent('x');
    expect(lost.map((l) => `${l.frameworkId}:${l.role}:${l.resources.toString()}`)).toEqual(['f:r:cpus:1;mem:64']);
    expect(allocator.agentIds()).toEqual([]);
  });
});
