import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import type { LdapConfig } from '@gantry/specs';
import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import { groupNames } from './external-identity.js';
import { memberFilter, userFilter } from './ldap-filter.js';

/**
 * The edge to an LDAP directory (ldapts). A login binds as the user with the password
 * typed; the password goes to the directory and nowhere else (never stored or logged).
 */

export type DirectoryLogin =
  | { ok: true; uid: string; groups: string[] }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'unavailable'; message: string };

const TIMEOUT_MS = 5000;

export async function ldapLogin(config: LdapConfig, uid: string, password: string): Promise<DirectoryLogin> {
  // An empty password is an "unauthenticated bind" (RFC 4513 §5.1.2), which many
  // directories accept: it must never count as a login.
  if (password === '') return { ok: false, reason: 'invalid' };
  try {
    const user = await withClient(config, async (client) => {
      await serviceBind(client, config);
      const { searchEntries } = await client.search(config.userSearchBase, {
        scope: 'sub', filter: userFilter(config.userSearchFilter, config.uidAttribute, uid), attributes: [config.uidAttribute], sizeLimit: 2,
      });
      // Zero or several entries: nobody to bind as (several would make the login ambiguous).
      return searchEntries.length === 1 ? searchEntries[0]! : null;
    });
    if (!user) return { ok: false, reason: 'invalid' };
    const bound = await withClient(config, async (client) => {
      try {
        await client.bind(user.dn, password);
        return true;
      } catch (error) {
        if (error instanceof InvalidCredentialsError) return false;
        throw error;
      }
    });
    if (!bound) return { ok: false, reason: 'invalid' };
    const directoryUid = attribute(user, config.uidAttribute) ?? uid;
    const groups = await withClient(config, (client) => searchGroups(client, config, user.dn, directoryUid));
    return { ok: true, uid: directoryUid, groups };
  } catch (error) {
    return { ok: false, reason: 'unavailable', message: describe(error) };
  }
}

/** The console's "test connection": bind as the service account and read the user base. */
export async function ldapCheck(config: LdapConfig): Promise<{ ok: true; users: number } | { ok: false; message: string }> {
  try {
    const users = await withClient(config, async (client) => {
      await serviceBind(client, config);
      const { searchEntries } = await client.search(config.userSearchBase, { scope: 'sub', filter: config.userSearchFilter, attributes: ['dn'], sizeLimit: 1000 });
      return searchEntries.length;
    });
    return { ok: true, users };
  } catch (error) {
    return { ok: false, message: describe(error) };
  }
}

async function searchGroups(client: Client, config: LdapConfig, userDn: string, uid: string): Promise<string[]> {
  if (!config.groupSearchBase) return [];
  await serviceBind(client, config);
  // Search groups by their member attribute, not the user's memberOf: OpenLDAP fills
  // memberOf only through an overlay, and never for entries loaded with slapadd.
  const member = config.groupMemberValue === 'dn' ? userDn : uid;
  const { searchEntries } = await client.search(config.groupSearchBase, {
    scope: 'sub', filter: memberFilter(config.groupSearchFilter, config.groupMemberAttribute, member), attributes: [config.groupNameAttribute],
  });
  return groupNames(searchEntries.map((e) => attribute(e, config.groupNameAttribute)));
}

async function serviceBind(client: Client, config: LdapConfig): Promise<void> {
  if (config.bindDn) await client.bind(config.bindDn, config.bindPassword ?? '');
}

/** One connection per step, always unbound, even after a failed bind (ldapts keeps the socket otherwise). */
async function withClient<T>(config: LdapConfig, use: (client: Client) => Promise<T>): Promise<T> {
  // SNI takes host names only (RFC 6066); an IP address is still checked against the certificate.
  const tlsOptions: ConnectionOptions = {
    ...(isIP(config.host) ? {} : { servername: config.host }), ...(config.caCertificate ? { ca: [config.caCertificate] } : {}),
  };
  const scheme = config.security === 'ldaps' ? 'ldaps' : 'ldap';
  // ldapts speaks TLS from the first byte whenever tlsOptions are given: only for ldaps.
  const client = new Client({
    url: `${scheme}://${config.host}:${config.port}`, timeout: TIMEOUT_MS, connectTimeout: TIMEOUT_MS, ...(scheme === 'ldaps' ? { tlsOptions } : {}),
  });
  try {
    if (config.security === 'starttls') await client.startTLS(tlsOptions);
    return await use(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

function attribute(entry: Entry, name: string): string | undefined {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key ? entry[key] : undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : Buffer.isBuffer(first) ? first.toString('utf8') : undefined;
}

/** A message an administrator can act on; never the bind password. */
function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e.code === 'ECONNREFUSED') return 'the directory refused the connection (is the LDAP server running, host and port right?)';
  if (e.code === 'ENOTFOUND') return 'the directory host name does not resolve';
  if (e instanceof InvalidCredentialsError) return 'the directory refused the service account (bind DN or bind password wrong)';
  if (/timeout/i.test(e.message ?? '')) return 'the directory did not answer in time';
  if (/certificate|self.signed|altnames/i.test(e.message ?? '') || e.code?.startsWith('ERR_TLS') || /CERT|SIGNED/.test(e.code ?? '')) {
    return `the directory's TLS certificate is not trusted (${(e.message ?? '').slice(0, 120)}): set caCertificate to the CA that signed it`;
  }
  return `the directory failed: ${(e.message ?? String(error)).slice(0, 200)}`;
}
