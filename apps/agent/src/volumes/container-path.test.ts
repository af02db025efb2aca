import { describe, expect, it } from 'vitest';
import { containerPath } from './container-path.js';

describe('containerPath', () => {
  it.each([
    ['data', 'data'],
    ['data/', 'data'],
    ['a/./b', 'a/b'],
    ['a/../b', 'b'],
  ])('keeps %s inside the sandbox as %s', (input, relative) => {
    expect(containerPath(input)).toEqual({ ok: true, relative });
  });

  it.each([
    ['/etc', 'must be relative'],
    ['..', 'escapes the sandbox'],
    ['../x', 'escapes the sandbox'],
    ['a/../../x', 'escapes the sandbox'],
    ['.', 'the sandbox itself'],
    ['.gantry/x', 'reserved'],
  ])('refuses %s', (input, error) => {
    const result = containerPath(input);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(error);
  });
});
