import { describe, expect, it } from 'vitest';
import { mergeSecrets, providerView } from './provider-view.js';

const ldap = {
  id: 'corp', kind: 'LDAP' as const, displayName: 'Corp',
  config: { host: 'ldap', port: 389, security: 'none', bindDn: 'cn=svc', bindPassword: 's3cret', userSearchBase: 'dc=x' },
};

describe('provider secrets', () => {
  it('never shows a secret, only that it is set', () => {
    const view = providerView(ldap);
    expect(view.config).not.toHaveProperty('bindPassword');
    expect(JSON.stringify(view)).not.toContain('s3cret');
    expect(view.secretsSet).toEqual(['bindPassword']);
  });

  it('keeps the stored secret when an update leaves it out, clears it on an empty string', () => {
    const { bindPassword: _, ...rest } = ldap.config;
    const update = { kind: 'LDAP' as const, displayName: 'Corp', config: { ...rest, security: 'none' as const } } as never;
    expect(mergeSecrets(update, ldap)).toMatchObject({ bindPassword: 's3cret' });
    const cleared = { kind: 'LDAP', displayName: 'Corp', config: { ...rest, bindPassword: '' } } as never;
    expect(mergeSecrets(cleared, ldap)).not.toHaveProperty('bindPassword');
  });
});
