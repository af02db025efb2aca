import { describe, expect, it } from 'vitest';
import { readinessCheckSchema } from './readiness-check.js';
import { parseWith } from './validation.js';

describe('readinessCheckSchema', () => {
  it('keeps a full check, with each ready status once', () => {
    const check = { name: 'myReadyCheck', protocol: 'HTTPS', path: '/v1/plan', portName: 'http', intervalSeconds: 10, timeoutSeconds: 3, httpStatusCodesForReady: [200, 204, 200], preserveLastResponse: true };
    expect(parseWith(readinessCheckSchema('reject'), check, [])).toEqual({ ok: true, value: { ...check, httpStatusCodesForReady: [200, 204] } });
  });

  it.each([
    [{ intervalSeconds: 10, timeoutSeconds: 10 }, ['timeoutSeconds'], 'must be less than intervalSeconds (10)'],
    [{ timeoutSeconds: 0 }, ['timeoutSeconds'], 'must be at least 1, not 0'],
    [{ httpStatusCodesForReady: [] }, ['httpStatusCodesForReady'], 'must have at least 1 item'],
    [{ httpStatusCodesForReady: [99] }, ['httpStatusCodesForReady', 0], 'must be at least 100, not 99'],
    [{ protocol: 'TCP' }, ['protocol'], 'must be one of "HTTP", "HTTPS", not "TCP"'],
    [{ portName: 'HTTP' }, ['portName'], 'a port name is lowercase letters, digits and hyphens'],
  ])('refuses %j', (check, path, message) => {
    expect(parseWith(readinessCheckSchema('reject'), check, [])).toEqual({ ok: false, problems: [{ path, message: expect.stringContaining(message) }] });
  });
});
