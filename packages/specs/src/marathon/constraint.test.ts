import { describe, expect, it } from 'vitest';
import { AppConstraint } from './constraint.js';
import { parseWith } from './validation.js';

describe('AppConstraint', () => {
  it.each([
    [['hostname', 'UNIQUE'], ['hostname', 'UNIQUE']],
    [['hostname', 'unique'], ['hostname', 'UNIQUE']],
    [['rack', 'CLUSTER'], ['rack', 'CLUSTER']],
    [['rack', 'CLUSTER', 'rack-1'], ['rack', 'CLUSTER', 'rack-1']],
    [['zone', 'GROUP_BY'], ['zone', 'GROUP_BY']],
    [['zone', 'group_by', '3'], ['zone', 'GROUP_BY', '3']],
    [['hostname', 'LIKE', 'srv2.*'], ['hostname', 'LIKE', 'srv2.*']],
    [['hostname', 'UNLIKE', 'web-[0-9]+|db'], ['hostname', 'UNLIKE', 'web-[0-9]+|db']],
    [['rack', 'MAX_PER', '2'], ['rack', 'MAX_PER', '2']],
    [['zone', 'IS', 'a'], ['zone', 'IS', 'a']],
    [['cores', 'IS', '4.5'], ['cores', 'IS', '4.5']],
  ])('accepts %j as %j', (input, expected) => {
    expect(parseWith(AppConstraint, input, [])).toEqual({ ok: true, value: expected });
  });

  it.each([
    [['hostname'], 'a constraint is [field, operator] or [field, operator, value]'],
    [['hostname', 'UNIQUE', 'x', 'y'], 'a constraint is [field, operator] or [field, operator, value]'],
    [['', 'UNIQUE'], 'the constraint field must not be empty'],
    [['hostname', 'SPREAD'], 'operator "SPREAD" is unknown: use one of UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS'],
    [['hostname', 'UNIQUE', 'x'], 'UNIQUE takes no value'],
    [['zone', 'GROUP_BY', 'many'], 'GROUP_BY takes no value or the number of distinct values'],
    [['zone', 'GROUP_BY', '0'], 'GROUP_BY takes no value or the number of distinct values'],
    [['rack', 'MAX_PER'], 'MAX_PER needs the most instances per value'],
    [['rack', 'MAX_PER', '-1'], 'MAX_PER needs the most instances per value'],
    [['rack', 'MAX_PER', '1.5'], 'MAX_PER needs the most instances per value'],
    [['hostname', 'LIKE'], 'LIKE needs a regular expression'],
    [['hostname', 'UNLIKE', ''], 'UNLIKE needs a regular expression'],
    [['hostname', 'LIKE', 'srv[2'], '"srv[2" is not a valid regular expression'],
    [['zone', 'IS'], 'IS needs a text or number'],
    [['zone', 'IS', '[1-2]'], 'IS needs a text or number'],
  ])('refuses %j: %s', (input, message) => {
    const result = parseWith(AppConstraint, input, ['constraints', 0]);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.path).toEqual(['constraints', 0]);
    expect(result.problems[0]?.message.startsWith(message)).toBe(true);
  });

  it('names a non-string part', () => {
    expect(parseWith(AppConstraint, ['hostname', 7], ['constraints', 1])).toEqual({
      ok: false,
      problems: [{ path: ['constraints', 1, 1], message: 'must be a string, not 7' }],
    });
  });
});
