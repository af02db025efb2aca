import { describe, expect, it } from 'vitest';
import { LoginThrottle, MemoryLoginFailures, retryAfter } from './login-throttle.js';

describe('LoginThrottle', () => {
  const policy = { maxFailures: 3, windowMs: 1000 };
  const throttle = () => new LoginThrottle(new MemoryLoginFailures(), policy);

  it('refuses after the limit per account, until the oldest failure ages out', async () => {
    const t = throttle();
    for (const at of [0, 100, 200]) await t.recordFailure('alice', `10.0.0.${at}`, at);
    expect(await t.retryAfterMs('alice', '10.0.0.9', 300)).toBe(700); // 0 + 1000 − 300
    expect(await t.retryAfterMs('alice', '10.0.0.9', 1000)).toBe(0);
    expect(await t.retryAfterMs('bob', '10.0.0.9', 300)).toBe(0);
  });

  it('refuses after the limit per source, whichever accounts it tries', async () => {
    const t = throttle();
    for (const [i, user] of ['a', 'b', 'c'].entries()) await t.recordFailure(user, 'evil', i);
    expect(await t.retryAfterMs('d', 'evil', 10)).toBe(990);
    expect(await t.retryAfterMs('d', 'good', 10)).toBe(0);
  });

  it('forgets an account\'s failures after a successful login', async () => {
    const t = throttle();
    for (const at of [0, 1, 2]) await t.recordFailure('alice', `s${at}`, at);
    await t.recordSuccess('alice');
    expect(await t.retryAfterMs('alice', 'elsewhere', 3)).toBe(0);
  });

  it('counts what every throttle sharing a store recorded (replicas share one count)', async () => {
    const store = new MemoryLoginFailures();
    const [a, b] = [new LoginThrottle(store, policy), new LoginThrottle(store, policy)];
    await a.recordFailure('alice', 's1', 0);
    await b.recordFailure('alice', 's2', 1);
    await a.recordFailure('alice', 's3', 2);
    expect(await b.retryAfterMs('alice', 's4', 3)).toBe(997);
  });
});

describe('retryAfter', () => {
  const policy = { maxFailures: 2, windowMs: 100 };
  it.each([
    // failures (oldest first), now, wait
    [[], 50, 0],
    [[10], 50, 0],
    [[10, 20], 50, 60], // t[0] + 100 − 50
    [[10, 20, 30], 50, 70], // the limit is held by 20 and 30: 20 + 100 − 50
    [[10, 20], 115, 0], // 10 has left the window: one failure, under the limit
  ] as const)('%j at %i → %i ms', (failures, now, wait) => {
    expect(retryAfter(failures, policy, now)).toBe(wait);
  });
});
