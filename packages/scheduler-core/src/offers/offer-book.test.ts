import { describe, expect, it } from 'vitest';
import { HierarchicalAllocator } from '../allocator/hierarchical-allocator.js';
import { res } from '../resources/parse.js';
import { dynamicReservation } from '../resources/resource.js';
import { makeAgent, makeFramework } from '../testing/builders.js';
import { OfferBook } from './offer-book.js';

function setup(timeoutMs?: number) {
  const allocator = new HierarchicalAllocator({ shuffleAgents: false });
  const book = new OfferBook(allocator, { idPrefix: 'e1', ...(timeoutMs !== undefined ? { offerTimeoutMs: timeoutMs } : {}) });
  allocator.addFramework(makeFramework('f', ['db'], { principal: 'ops' }));
  allocator.addAgent(makeAgent('a1', 'cpus:4;mem:1024;disk:1000'));
  return { allocator, book };
}

describe('OfferBook', () => {
  it('gives offers deterministic ids and an expiry', () => {
    const { allocator, book } = setup(30_000);
    allocator.allocate(1000);
    expect(book.outstanding('f')).toMatchObject([{ id: 'e1-1', agentId: 'a1', hostname: 'a1.example', role: 'db', createdAt: 1000, expiresAt: 31_000 }]);
  });

  it('accepts a launch, keeps the used part allocated and filters the rest for 5 s by default', () => {
    const { allocator, book } = setup();
    allocator.allocate(0);
    const r = book.accept('f', ['e1-1'], [{ type: 'LAUNCH', tasks: [{ taskId: 't1', resources: res('cpus:1;mem:128') }] }], 0);
    expect(r.ok).toBe(true);
    expect(allocator.allocated('a1', 'f', 'db').toString()).toBe('cpus:1;mem:128');
    expect(allocator.allocate(4999).allocations).toBe(0); // remaining cpus:3;… filtered
    allocator.allocate(5000);
    expect(book.outstanding('f').map((o) => o.resources.toString())).toEqual(['cpus:3;disk:1000;mem:896']);
    expect(book.get('e1-1')).toBeUndefined(); // answered offers are gone
  });

  it('drops an invalid accept whole and returns the resources unfiltered', () => {
    const { allocator, book } = setup();
    allocator.allocate(0);
    const r = book.accept('f', ['e1-1'], [{ type: 'LAUNCH', tasks: [{ taskId: 't1', resources: res('cpus:5') }] }], 0);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ reason: 'InvalidOperation', operation: { reason: 'InsufficientResources', index: 0 } });
    expect(allocator.allocated('a1', 'f', 'db').isEmpty()).toBe(true);
    expect(allocator.allocate(1).allocations).toBe(1); // no filter
  });

  it('rejects unknown, foreign and already answered offers', () => {
    const { allocator, book } = setup();
    allocator.addFramework(makeFramework('g', ['db']));
    allocator.allocate(0);
    expect(book.accept('g', ['e1-1'], [], 0)).toMatchObject({ ok: false, error: { reason: 'NotYourOffer' } });
    expect(book.decline('f', ['e1-1'], 0).ok).toBe(true);
    expect(book.decline('f', ['e1-1'], 0).ok).toBe(false);
    expect(book.accept('f', ['nope'], [], 0)).toMatchObject({ ok: false, error: { reason: 'UnknownOffer' } });
  });

  it('applies RESERVE and CREATE to the agent, so the reservation outlives the task', () => {
    const { allocator, book } = setup();
    allocator.allocate(0);
    const reserved = res('cpus:1;disk:100').reservedAs(dynamicReservation('db', 'ops'));
    const r = book.accept('f', ['e1-1'], [{ type: 'RESERVE', resources: reserved }], 0, { refuseSeconds: 0 });
    expect(r.ok).toBe(true);
    expect(allocator.agent('a1')!.total.reserved('db').toString()).toBe(reserved.toString());
    expect(allocator.consumedQuota('db').get('cpus')).toBe(1000); // reservations count as consumed
    allocator.allocate(1);
    expect(book.outstanding('f')[0]!.resources.reserved('db').scalar('disk')).toBe(100_000);
  });

  it('rescinds offers on expiry, agent loss and draining — each offer ends exactly once', () => {
    const { allocator, book } = setup(10_000);
    allocator.addAgent(makeAgent('a2', 'cpus:1;mem:64'));
    allocator.addAgent(makeAgent('a3', 'cpus:1;mem:64'));
    allocator.allocate(0);
    expect(book.outstanding()).toHaveLength(3);
    expect(book.removeAgent('a2', 1).rescinded.map((r) => r.reason)).toEqual(['AgentRemoved']);
    expect(book.setAgentMode('a3', 'DRAINING', 2).rescinded.map((r) => r.reason)).toEqual(['AgentUnschedulable']);
    expect(book.expire(9_999)).toEqual([]);
    expect(book.expire(10_000).map((r) => r.reason)).toEqual(['Expired']);
    expect(book.stats).toEqual({ created: 3, accepted: 0, declined: 0, rescinded: 3 });
    expect(book.outstanding()).toEqual([]);
    // Rescinded resources come back without a filter, except on the lost and draining agents.
    allocator.allocate(10_001);
    expect(book.outstanding().map((o) => o.agentId)).toEqual(['a1']);
  });

  it('refuses to accept offers of different agents together, leaving them outstanding', () => {
    const { allocator, book } = setup();
    allocator.addAgent(makeAgent('a2', 'cpus:1;mem:64'));
    allocator.allocate(0);
    expect(book.accept('f', ['e1-1', 'e1-2'], [], 0)).toMatchObject({ ok: false, error: { reason: 'MixedAgents' } });
    expect(book.outstanding().map((o) => o.id)).toEqual(['e1-1', 'e1-2']);
  });
});
