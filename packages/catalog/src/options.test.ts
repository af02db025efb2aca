import { describe, expect, it } from 'vitest';
import { compileOptionsSchema, validateAgainstSchema } from './json-schema.js';
import { deepMerge, extractDefaults, mergeOptions } from './options.js';

const schema = {
  type: 'object',
  properties: {
    service: {
      type: 'object',
      properties: {
        name: { type: 'string', default: 'svc' },
        cpus: { type: 'number', default: 0.5, minimum: 0.1 },
        labels: { type: 'object', default: { a: '1' } },
        noDefault: { type: 'string' },
      },
      required: ['name'],
      additionalProperties: false,
    },
    empty: { type: 'object', properties: { x: { type: 'string' } } },
    list: { type: 'array', default: [1, 2] },
  },
  additionalProperties: false,
};

describe('defaults and merging, as Cosmos does', () => {
  it('takes each property\'s default, recurses into nested properties, leaves out what has none', () => {
    expect(extractDefaults(schema)).toEqual({ service: { name: 'svc', cpus: 0.5, labels: { a: '1' } }, list: [1, 2] });
  });

  it('merges the user\'s options over the defaults deeply: objects merge, anything else is replaced', () => {
    expect(mergeOptions(schema, { service: { cpus: 2, labels: { b: '2' } }, list: [3] })).toEqual({
      service: { name: 'svc', cpus: 2, labels: { a: '1', b: '2' } },
      list: [3],
    });
    expect(deepMerge({ a: { b: 1 } }, { a: 5 })).toEqual({ a: 5 });
    expect(deepMerge({ a: 5 }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });
});

describe('validating options against config.json', () => {
  const compiled = compileOptionsSchema(schema);
  const validate = compiled.ok ? compiled.validate : undefined;

  it('answers {path, errors} pointing at each option', () => {
    expect(validateAgainstSchema(validate!, { service: { cpus: 0, extra: 1 }, list: 'x' })).toEqual([
      { path: '/list', errors: ['must be array'] },
      { path: '/service/cpus', errors: ['must be >= 0.1'] },
      { path: '/service/extra', errors: ['is not an option of this package'] },
      { path: '/service/name', errors: ['is required'] },
    ]);
    expect(validateAgainstSchema(validate!, mergeOptions(schema, {}))).toEqual([]);
  });

  it('reads draft-04 schemas as Universe writes them (boolean exclusiveMinimum, $schema, UI keywords)', () => {
    const draft4 = compileOptionsSchema({ $schema: 'http://json-schema.org/schema#', type: 'object', properties: { n: { type: 'number', minimum: 1, exclusiveMinimum: true, media: { type: 'x' } } } });
    expect(draft4.ok).toBe(true);
    expect(draft4.ok && validateAgainstSchema(draft4.validate, { n: 1 })).toEqual([{ path: '/n', errors: ['must be > 1'] }]);
    expect(compileOptionsSchema({ type: 'object', properties: { n: { type: 'nonsense' } } }).ok).toBe(false);
  });
});
