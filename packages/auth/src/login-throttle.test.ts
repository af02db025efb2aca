import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';

describe('LoginThrottle', () => {
  const policy = { maxFailures: 3, windowMs: 1000 };

  it('refuses after the limit per account, until the oldest failure ages out', () => {
    const t = new LoginThrottle(policy);
    for (const at of [0, 100, 200]) t.recordFailure('alice', `10.0.0.${at}`, at);
    expect(t.retryAfterMs('alice', '10.0.0.9', 300)).toBe(700); // 0 + 1000 − 300
    expect(t.retryAfterMs('alice', '10.0.0.9', 1000)).toBe(0);
    expect(t.retryAfterMs('bob', '10.0.0.9', 300)).toBe(0);
  });

  it('refuses after the limit per source, whichever accounts it tries', () => {
    const t = new LoginThrottle(policy);
    for (const [i, user] of ['a', 'b', 'c'].entries()) t.recordFailure(user, 'evil', i);
    expect(t.retryAfterMs('d', 'evil', 10)).toBe(990);
    expect(t.retryAfterMs('d', 'good', 10)).toBe(0);
  });

  it('forgets an account\'s failures after a successful login', () => {
    const t = new LoginThrottle(policy);
    for (const at of [0, 1, 2]) t.recordFailure('alice', `s${at}`, at);
    t.recordSuccess('alice');
    expect(t.retryAfterMs('alice', 'elsewhere', 3)).toBe(0);
  });
});
