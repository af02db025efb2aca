import { describe, expect, it } from 'vitest';
import { jsonDepth } from './body.js';

describe('JSON depth', () => {
  it('counts nesting of objects and arrays, ignoring brackets inside strings', () => {
    expect(jsonDepth('1', 5)).toBe(0);
    expect(jsonDepth('{"a":[1,{"b":2}]}', 5)).toBe(3);
    expect(jsonDepth('{"a":"[[[[[[\\"{{{{"}', 5)).toBe(1);
  });

  it('stops counting as soon as the limit is passed', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonDepth(deep, 32)).toBe(33);
  });
});
