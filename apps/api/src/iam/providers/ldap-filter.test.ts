import { describe, expect, it } from 'vitest';
import { escapeFilterValue, memberFilter, userFilter } from './ldap-filter.js';

describe('LDAP filters from user input', () => {
  it.each([
    ['alice', 'alice'],
    ['*', '\\2a'],
    ['*)(uid=*', '\\2a\\29\\28uid=\\2a'],
    ['a\\b', 'a\\5cb'],
    ['nul\0', 'nul\\00'],
    ['émile', 'émile'],
  ])('escapes %j as %j', (raw, escaped) => {
    expect(escapeFilterValue(raw)).toBe(escaped);
  });

  it('wraps the configured filter and the escaped login name', () => {
    expect(userFilter('(objectClass=person)', 'uid', 'alice)(|(uid=*')).toBe('(&(objectClass=person)(uid=alice\\29\\28|\\28uid=\\2a))');
  });

  it('searches groups by an escaped member DN', () => {
    expect(memberFilter('(objectClass=groupOfNames)', 'member', 'uid=a\\,b,ou=people,dc=x'))
      .toBe('(&(objectClass=groupOfNames)(member=uid=a\\5c,b,ou=people,dc=x))');
  });
});
