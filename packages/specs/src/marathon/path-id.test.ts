import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUnder, parentPath, pathSegments, resolvePathId, taskIdPrefix } from './path-id.js';

describe('resolvePathId', () => {
  it.each([
    ['/team-a/web', '/', '/team-a/web'],
    ['web', '/team-a', '/team-a/web'],
    ['./web', '/team-a', '/team-a/web'],
    ['../b/web', '/team-a/x', '/team-a/b/web'],
    ['..', '/a/b', '/a'],
    ['/', '/a', '/'],
    ['/a//b/', '/', '/a/b'],
    ['web', '/', '/web'],
    ['web.v2', '/', '/web.v2'],
    ['0', '/', '/0'],
    ['a-b-c/d.e.f', '/x', '/x/a-b-c/d.e.f'],
    ['/a/./b/../c', '/', '/a/c'],
  ])('resolves %j against %j to %j', (raw, base, id) => {
    expect(resolvePathId(raw, base)).toEqual({ ok: true, id });
  });

  it.each([
    ['/team-a/Web', 'segment "Web" of "/team-a/Web" is not valid'],
    ['/-web', 'segment "-web" of "/-web" is not valid'],
    ['/web-', 'segment "web-" of "/web-" is not valid'],
    ['/a_b', 'segment "a_b" of "/a_b" is not valid'],
    ['/a..b', 'segment "a..b" of "/a..b" is not valid'],
    ['/.web', 'segment ".web" of "/.web" is not valid'],
    ['/a b', 'segment "a b" of "/a b" is not valid'],
  ])('names the bad segment of %j and the rule', (raw, start) => {
    const result = resolvePathId(raw);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.startsWith(start)).toBe(true);
    expect(result.error).toContain('lowercase letters (a-z), digits (0-9), hyphens and dots');
  });

  it('refuses an empty id', () => {
    expect(resolvePathId('')).toEqual({ ok: false, error: expect.stringContaining('must not be empty') });
  });

  it('refuses to climb above the root (Marathon clamps silently)', () => {
    expect(resolvePathId('../../x', '/a')).toEqual({ ok: false, error: expect.stringContaining('climbs above the root group') });
  });

  it.each(['/a/tasks', '/versions', 'restart'])('refuses the reserved last segment of %j', (raw) => {
    expect(resolvePathId(raw)).toEqual({ ok: false, error: expect.stringContaining('reserved by the /v2 API') });
  });

  it('keeps reserved words inside a path', () => {
    expect(resolvePathId('/tasks/web')).toEqual({ ok: true, id: '/tasks/web' });
  });

  const segment = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/).filter((s) => !['restart', 'tasks', 'versions'].includes(s));
  const canonical = fc.array(segment, { maxLength: 5 }).map((s) => '/' + s.join('/'));

  it('is idempotent: a canonical id resolves to itself from any base', () => {
    fc.assert(
      fc.property(canonical, canonical, (id, base) => {
        expect(resolvePathId(id, base)).toEqual({ ok: true, id });
      }),
    );
  });

  it('resolves a relative name to a child of its base', () => {
    fc.assert(
      fc.property(segment, canonical, (name, base) => {
        const result = resolvePathId(name, base);
        expect(result.ok && parentPath(result.id) === base && isUnder(result.id, base)).toBe(true);
      }),
    );
  });
});

describe('path helpers', () => {
  it.each([
    ['/a/b/c', '/a/b', ['a', 'b', 'c'], 'a_b_c'],
    ['/a', '/', ['a'], 'a'],
    ['/', '/', [], ''],
    ['/team-a/web', '/team-a', ['team-a', 'web'], 'team-a_web'],
  ])('%j: parent %j, segments %j, task id prefix %j', (id, parent, segments, prefix) => {
    expect(parentPath(id)).toBe(parent);
    expect(pathSegments(id)).toEqual(segments);
    expect(taskIdPrefix(id)).toBe(prefix);
  });

  it.each([
    ['/a/b', '/a', true],
    ['/a', '/a', true],
    ['/ab', '/a', false],
    ['/a', '/a/b', false],
    ['/anything/at/all', '/', true],
    ['/', '/', true],
    ['/b/a', '/a', false],
  ])('isUnder(%j, %j) is %j', (id, group, expected) => {
    expect(isUnder(id, group)).toBe(expected);
  });
});
