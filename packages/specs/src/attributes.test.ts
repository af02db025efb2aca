import { describe, expect, it } from 'vitest';
import { parseAttributes } from './attributes.js';

describe('parseAttributes', () => {
  it.each([
    ['zone:a,rack:r1', { zone: 'a', rack: 'r1' }],
    ['zone:a;rack:r1', { zone: 'a', rack: 'r1' }],
    [' zone:a , rack:r1 ', { zone: 'a', rack: 'r1' }],
    ['', {}],
    ['path:/data/ssd', { path: '/data/ssd' }],
  ])('reads %j', (text, expected) => {
    expect(parseAttributes(text)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['zone', 'attribute "zone" is not name:value (e.g. zone:a,rack:r1)'],
    ['zone:', 'attribute "zone:" is not name:value (e.g. zone:a,rack:r1)'],
    [':a', 'attribute ":a" is not name:value (e.g. zone:a,rack:r1)'],
    ['zone:a,zone:b', 'attribute "zone" is given twice'],
  ])('rejects %j with a message naming the fix', (text, error) => {
    expect(parseAttributes(text)).toEqual({ ok: false, error });
  });

  it('rejects characters placement cannot match on', () => {
    const result = parseAttributes('zone:a b');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^attribute zone: attribute values use/);
  });
});
