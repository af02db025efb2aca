import { LdapConfig } from '@gantry/specs';
import { isUsableName } from './external-identity.js';
import { ldapLogin, type DirectoryLogin } from './ldap-directory.js';
import type { ProviderRepository } from './repository.js';

/** Password logins against the configured LDAP directories (the Authenticator's fallback). */
export interface PasswordDirectory {
  /** null when no directory is configured. */
  login(uid: string, password: string): Promise<DirectoryLogin | null>;
}

/**
 * Tries every configured LDAP provider in id order; the first that accepts the
 * password wins and the user's groups are synced from it. When none accepts and one
 * could not be reached, the answer is "unavailable" (naming it) rather than "invalid":
 * the password may well be right.
 */
export class LdapDirectories implements PasswordDirectory {
  constructor(private readonly providers: ProviderRepository) {}

  async login(uid: string, password: string): Promise<DirectoryLogin | null> {
    const directories = await this.providers.list('LDAP');
    if (directories.length === 0) return null;
    let unavailable: string | null = null;
    for (const directory of directories) {
      const config = LdapConfig.safeParse(directory.config);
      if (!config.success) {
        unavailable ??= `the directory "${directory.displayName}" is misconfigured`;
        continue;
      }
      const result = await ldapLogin(config.data, uid, password);
      if (result.ok) {
        if (!isUsableName(result.uid)) {
          console.error(`LDAP provider ${directory.id}: the directory's uid "${result.uid.slice(0, 100)}" is not a valid Gantry user id`);
          return { ok: false, reason: 'invalid' };
        }
        const synced = await this.providers.syncExternalUser(result.uid, 'LDAP', result.groups, `from ${directory.displayName}`);
        return synced.ok ? result : { ok: false, reason: 'invalid' };
      }
      if (result.reason === 'unavailable') {
        console.error(`LDAP provider ${directory.id}: ${result.message}`);
        unavailable ??= `the directory "${directory.displayName}" is unavailable: ${result.message}`;
      }
    }
    return unavailable ? { ok: false, reason: 'unavailable', message: unavailable } : { ok: false, reason: 'invalid' };
  }
}
