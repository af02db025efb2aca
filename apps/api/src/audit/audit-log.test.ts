import { describe, expect, it } from 'vitest';
import { outcomeOf, shouldAudit } from './audit-log.js';

describe('audit policy', () => {
  it.each([
    ['POST', 200, true], ['PUT', 422, true], ['DELETE', 204, true],
    ['GET', 200, false], ['GET', 404, false], ['GET', 401, true], ['GET', 403, true],
  ] as const)('%s answered %i is audited: %s', (method, status, audited) => {
    expect(shouldAudit(method, status)).toBe(audited);
  });

  it.each([[200, 'allowed'], [204, 'allowed'], [401, 'denied'], [403, 'denied'], [429, 'denied'], [422, 'failed'], [500, 'failed']] as const)(
    'status %i is %s', (status, outcome) => {
      expect(outcomeOf(status)).toBe(outcome);
    },
  );
});
