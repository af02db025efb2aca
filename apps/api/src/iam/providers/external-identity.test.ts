import { describe, expect, it } from 'vitest';
import { groupNames, isUsableName, mapIdentity } from './external-identity.js';

describe('mapping external claims to a Gantry user', () => {
  it('takes the uid and groups from the configured claims', () => {
    expect(mapIdentity({ sub: '123', preferred_username: 'carol', groups: ['team-a', 'ops'] }, { uidClaim: 'preferred_username', groupsClaim: 'groups' }))
      .toEqual({ ok: true, uid: 'carol', groups: ['ops', 'team-a'] });
  });

  it('gives no groups when no groups claim is configured', () => {
    expect(mapIdentity({ sub: 'carol', groups: ['team-a'] }, { uidClaim: 'sub' })).toEqual({ ok: true, uid: 'carol', groups: [] });
  });

  it('takes the first value of a multi-valued attribute (SAML)', () => {
    expect(mapIdentity({ uid: ['dave', 'david'] }, { uidClaim: 'uid' })).toEqual({ ok: true, uid: 'dave', groups: [] });
  });

  it('refuses a missing or unusable uid with the reason', () => {
    expect(mapIdentity({ sub: 'x' }, { uidClaim: 'email' })).toEqual({ ok: false, reason: 'the identity provider sent no "email" to use as the user id' });
    expect(mapIdentity({ sub: '../admin' }, { uidClaim: 'sub' })).toMatchObject({ ok: false });
    expect(mapIdentity({ sub: 42 }, { uidClaim: 'sub' })).toMatchObject({ ok: false });
  });

  it('drops group names Gantry cannot use and duplicates', () => {
    expect(groupNames(['b', 'a', 'b', 7, '', '/etc', 'ok.group'])).toEqual(['a', 'b', 'ok.group']);
    expect(groupNames('solo')).toEqual(['solo']);
    expect(groupNames(undefined)).toEqual([]);
  });

  it.each([['alice', true], ['a.b@corp', true], ['with space', false], ['../x', false], ['', false]])('accepts %j as a Gantry name: %s', (name, usable) => {
    expect(isUsableName(name)).toBe(usable);
  });
});
