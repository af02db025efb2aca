import { HealthCheck } from '@gantry/specs';
import { describe, expect, it } from 'vitest';
import { initialHealth, judge, type HealthState } from './health-verdict.js';

const check = HealthCheck.parse({ protocol: 'MESOS_TCP', gracePeriodSeconds: 10, maxConsecutiveFailures: 3 });
const pass = { ok: true, detail: 'ok' };
const fail = { ok: false, detail: 'connection refused' };

/** Runs results through `judge` and returns what each reported (h = healthy, u = unhealthy, K = kill, - = nothing). */
function run(results: [boolean, number][], start: HealthState = initialHealth()): string {
  let state = start;
  return results.map(([ok, atMs]) => {
    const outcome = judge(state, check, ok ? pass : fail, atMs);
    state = outcome.state;
    if (!outcome.report) return '-';
    return outcome.report.killRecommended ? 'K' : outcome.report.healthy ? 'h' : 'u';
  }).join('');
}

describe('health verdict', () => {
  it.each<[string, [boolean, number][], string]>([
    ['failures inside the grace period are ignored before the first pass', [[false, 1000], [false, 5000], [true, 6000]], '--h'],
    ['failures after the grace period count', [[false, 11_000], [false, 12_000], [false, 13_000], [false, 14_000]], 'u-K-'],
    ['after a first pass, even a failure inside the grace period counts', [[true, 1000], [false, 2000]], 'hu'],
    ['a pass resets the consecutive count', [[true, 0], [false, 11_000], [false, 12_000], [true, 13_000], [false, 14_000], [false, 15_000], [false, 16_000]], 'hu-hu-K'],
    ['repeated passes report nothing new', [[true, 0], [true, 1000], [true, 2000]], 'h--'],
  ])('%s', (_what, results, expected) => {
    expect(run(results)).toBe(expected);
  });

  it('uses Marathon\'s defaults when the check leaves them out', () => {
    expect(HealthCheck.parse({ protocol: 'MESOS_HTTP' })).toMatchObject({
      gracePeriodSeconds: 300, intervalSeconds: 60, timeoutSeconds: 20, maxConsecutiveFailures: 3, delaySeconds: 15, path: '/', portIndex: 0,
    });
  });
});
