import { describe, expect, it } from 'vitest';
import { healthCheckSchema } from './health-check.js';
import { parseWith } from './validation.js';

const timing = { gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, delaySeconds: 15 };

describe('healthCheckSchema', () => {
  it.each([
    [{}, { protocol: 'HTTP', path: '/', portIndex: 0, ignoreHttp1xx: false, ipProtocol: 'IPv4', ...timing }],
    [{ protocol: 'HTTPS', path: '/health', port: 8443, ignoreHttp1xx: true }, { protocol: 'HTTPS', path: '/health', port: 8443, ignoreHttp1xx: true, ipProtocol: 'IPv4', ...timing }],
    [{ protocol: 'TCP', portIndex: 2, path: '/dropped' }, { protocol: 'TCP', portIndex: 2, ipProtocol: 'IPv4', ...timing }],
    [{ protocol: 'MESOS_HTTP', ignoreHttp1xx: true }, { protocol: 'MESOS_HTTP', path: '/', portIndex: 0, ipProtocol: 'IPv4', ...timing }],
    [{ protocol: 'COMMAND', command: { value: 'pgrep app' }, port: 80 }, { protocol: 'COMMAND', command: { value: 'pgrep app' }, ipProtocol: 'IPv4', ...timing }],
    [{ intervalSeconds: 5, maxConsecutiveFailures: 0, delaySeconds: 0 }, { protocol: 'HTTP', path: '/', portIndex: 0, ignoreHttp1xx: false, ipProtocol: 'IPv4', ...timing, intervalSeconds: 5, maxConsecutiveFailures: 0, delaySeconds: 0 }],
  ])('reads %j with the fields its protocol uses', (check, expected) => {
    expect(parseWith(healthCheckSchema('reject'), check, [])).toEqual({ ok: true, value: expected });
  });

  it.each([
    [{ protocol: 'COMMAND' }, ['command'], 'a COMMAND health check needs a command'],
    [{ protocol: 'COMMAND', command: { value: '' } }, ['command', 'value'], 'must not be empty'],
    [{ protocol: 'TCP', command: { value: 'true' } }, ['protocol'], 'must have protocol COMMAND, not TCP'],
    [{ port: 80, portIndex: 0 }, ['port'], 'give either port or portIndex, not both'],
    [{ portIndex: -1 }, ['portIndex'], 'must be at least 0, not -1'],
    [{ gracePeriodSeconds: 1.5 }, ['gracePeriodSeconds'], 'must be a whole number, not 1.5'],
  ])('refuses %j', (check, path, message) => {
    expect(parseWith(healthCheckSchema('reject'), check, [])).toEqual({ ok: false, problems: [{ path, message: expect.stringContaining(message) }] });
  });

  it('drops unknown fields when they are ignored', () => {
    expect(parseWith(healthCheckSchema('ignore'), { protocol: 'TCP', legacy: true }, [])).toEqual({ ok: true, value: { protocol: 'TCP', portIndex: 0, ipProtocol: 'IPv4', ...timing } });
  });
});
