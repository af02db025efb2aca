import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { apiError, distinct, objectSchema, parseWith, withoutNulls } from './validation.js';

describe('parseWith', () => {
  it.each<[string, z.ZodType, unknown, string]>([
    ['a missing value', z.number(), undefined, 'is required'],
    ['a wrong type', z.number(), 'x', 'must be a number, not "x"'],
    ['a fraction for a whole number', z.int(), 1.5, 'must be a whole number, not 1.5'],
    ['an object for a string', z.string(), {}, 'must be a string, not an object'],
    ['an array for an object', z.object({}), [], 'must be an object, not an array'],
    ['null', z.boolean(), null, 'must be true or false, not null'],
    ['a number below its minimum', z.number().min(1), 0, 'must be at least 1, not 0'],
    ['a number above its maximum', z.number().max(1), 2, 'must be at most 1, not 2'],
    ['an empty string', z.string().min(1), '', 'must not be empty'],
    ['a short string', z.string().min(3), 'ab', 'must be at least 3 characters long'],
    ['a long string', z.string().max(2), 'abc', 'must be at most 2 characters long'],
    ['too few items', z.array(z.int()).min(1), [], 'must have at least 1 item'],
    ['too many items', z.array(z.int()).max(1), [1, 2], 'must have at most 1 items'],
    ['a value outside an enum', z.enum(['a', 'b']), 'c', 'must be one of "a", "b", not "c"'],
    ['a long string outside an enum', z.enum(['a']), 'x'.repeat(50), `must be one of "a", not "${'x'.repeat(40)}…"`],
  ])('says what is wrong with %s', (_, schema, value, message) => {
    expect(parseWith(schema, value, ['field'])).toEqual({ ok: false, problems: [{ path: ['field'], message }] });
  });

  it('keeps a message the schema gives itself', () => {
    expect(parseWith(z.string().regex(/^a$/, { message: 'must be a' }), 'b', [])).toEqual({ ok: false, problems: [{ path: [], message: 'must be a' }] });
  });

  it('names each unknown field at its own path when fields are rejected, and drops them when ignored', () => {
    const shape = { a: z.int() };
    expect(parseWith(objectSchema('reject', shape), { a: 1, b: 2, c: 3 }, ['x', 0])).toEqual({
      ok: false,
      problems: [
        { path: ['x', 0, 'b'], message: 'is not a field Marathon knows here: check its spelling, or remove it' },
        { path: ['x', 0, 'c'], message: 'is not a field Marathon knows here: check its spelling, or remove it' },
      ],
    });
    expect(parseWith(objectSchema('ignore', shape), { a: 1, b: 2 }, [])).toEqual({ ok: true, value: { a: 1 } });
  });
});

describe('apiError', () => {
  it("groups problems per path, sorted, in Marathon's error shape", () => {
    expect(
      apiError([
        { path: ['mem'], message: 'm' },
        { path: ['cpus'], message: 'c1' },
        { path: [], message: 'whole' },
        { path: ['cpus'], message: 'c2' },
        { path: ['healthChecks', 0, 'portIndex'], message: 'p' },
      ]),
    ).toEqual({
      message: 'Object is not valid',
      details: [
        { path: '/', errors: ['whole'] },
        { path: '/cpus', errors: ['c1', 'c2'] },
        { path: '/healthChecks/0/portIndex', errors: ['p'] },
        { path: '/mem', errors: ['m'] },
      ],
    });
  });
});

describe('distinct', () => {
  it('keeps the first of equal items, in order', () => {
    expect(distinct([['a', 'UNIQUE'], ['b'], ['a', 'UNIQUE']])).toEqual([['a', 'UNIQUE'], ['b']]);
    expect(distinct([3, 1, 3, 2, 1])).toEqual([3, 1, 2]);
  });
});

describe('withoutNulls', () => {
  it('drops null fields at every depth and keeps null items of arrays', () => {
    expect(withoutNulls({ a: null, b: { c: null, d: 1 }, e: [null, { f: null }], g: 0, h: '' })).toEqual({ b: { d: 1 }, e: [null, {}], g: 0, h: '' });
    expect(withoutNulls(null)).toBeNull();
  });
});
