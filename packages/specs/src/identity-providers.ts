import { z } from 'zod';

/**
 * Identity providers an administrator configures: an LDAP directory (users log in with
 * their directory password through POST /v1/auth/login), or an OIDC / SAML provider
 * (users sign in through a button on the console). Secrets (`bindPassword`,
 * `clientSecret`) go in, never out: views carry only which secrets are set.
 */

export const IDP_KINDS = ['LDAP', 'OIDC', 'SAML'] as const;
export type IdpKind = (typeof IDP_KINDS)[number];

/** Provider ids appear in URLs (`/v1/auth/sso/:id/start`): a lowercase slug. */
export const ProviderId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit' });

const DisplayName = z.string().trim().min(1, { message: 'displayName is required' }).max(100);
const HttpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
const Pem = z.string().regex(/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/, { message: 'must be a PEM certificate' });
/** An LDAP attribute name (RFC 4512 descr), never user input spliced into a filter. */
const Attribute = z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, { message: 'must be an LDAP attribute name' });
/** An LDAP filter written by the administrator: parenthesised, balanced. */
const Filter = z
  .string()
  .max(1024)
  .refine((f) => /^\(.*\)$/s.test(f) && balanced(f), { message: 'must be a parenthesised LDAP filter, e.g. (objectClass=person)' });

function balanced(filter: string): boolean {
  let depth = 0;
  for (const c of filter) {
    if (c === '(') depth++;
    if (c === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

export const LdapConfig = z.strictObject({
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  /** `ldaps`: TLS from the first byte; `starttls`: upgrade a plain connection; `none`: plain text (tests, loopback). */
  security: z.enum(['none', 'starttls', 'ldaps']),
  /** PEM CA certificate(s) to trust for TLS; the system's CAs otherwise. */
  caCertificate: Pem.optional(),
  /** The service account that searches the directory (anonymous when absent). */
  bindDn: z.string().max(1024).optional(),
  bindPassword: z.string().max(1024).optional(),
  userSearchBase: z.string().min(1).max(1024),
  /** Narrows the user search; Gantry adds `(uidAttribute=<escaped uid>)` to it. */
  userSearchFilter: Filter.default('(objectClass=person)'),
  /** The attribute holding the login name: `uid` (OpenLDAP), `sAMAccountName` (AD). */
  uidAttribute: Attribute.default('uid'),
  groupSearchBase: z.string().min(1).max(1024).optional(),
  groupSearchFilter: Filter.default('(objectClass=groupOfNames)'),
  /** The group attribute listing members: `member` (DNs) or `memberUid` (login names). */
  groupMemberAttribute: Attribute.default('member'),
  groupMemberValue: z.enum(['dn', 'uid']).default('dn'),
  /** The group attribute that becomes the Gantry group id. */
  groupNameAttribute: Attribute.default('cn'),
});
export type LdapConfig = z.infer<typeof LdapConfig>;

export const OidcConfig = z.strictObject({
  /** The issuer; its `/.well-known/openid-configuration` is discovered. */
  issuer: HttpUrl,
  clientId: z.string().min(1).max(255),
  /** Absent for a public client (PKCE alone). */
  clientSecret: z.string().max(1024).optional(),
  scopes: z.string().regex(/^openid( [\w.:/-]+)*$/, { message: 'must start with "openid", space-separated' }).default('openid profile email'),
  /** The claim that becomes the Gantry uid. */
  uidClaim: z.string().min(1).max(100).default('sub'),
  /** The claim listing the user's groups (an array of names); no groups when absent. */
  groupsClaim: z.string().min(1).max(100).optional(),
});
export type OidcConfig = z.infer<typeof OidcConfig>;

export const SamlConfig = z.strictObject({
  /** The IdP's single sign-on URL (HTTP-Redirect binding). */
  entryPoint: HttpUrl,
  /** The IdP's signing certificate: responses and assertions must both carry its signature. */
  idpCertificate: Pem,
  /** The IdP's entity id, checked against the response's Issuer when set. */
  idpIssuer: z.string().max(1024).optional(),
  /** The attribute holding the uid; the NameID when absent. */
  uidAttribute: z.string().min(1).max(255).optional(),
  /** The attribute listing the user's groups; no groups when absent. */
  groupsAttribute: z.string().min(1).max(255).optional(),
});
export type SamlConfig = z.infer<typeof SamlConfig>;

/** What an administrator sends to replace a provider (PUT: the id is in the path). */
export const IdentityProviderInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('LDAP'), displayName: DisplayName, config: LdapConfig }),
  z.strictObject({ kind: z.literal('OIDC'), displayName: DisplayName, config: OidcConfig }),
  z.strictObject({ kind: z.literal('SAML'), displayName: DisplayName, config: SamlConfig }),
]);
export type IdentityProviderInput = z.infer<typeof IdentityProviderInput>;

/** What an administrator sends to create a provider. */
export const CreateIdentityProvider = z.discriminatedUnion('kind', [
  z.strictObject({ id: ProviderId, kind: z.literal('LDAP'), displayName: DisplayName, config: LdapConfig }),
  z.strictObject({ id: ProviderId, kind: z.literal('OIDC'), displayName: DisplayName, config: OidcConfig }),
  z.strictObject({ id: ProviderId, kind: z.literal('SAML'), displayName: DisplayName, config: SamlConfig }),
]);
export type CreateIdentityProvider = z.infer<typeof CreateIdentityProvider>;

/** The secret fields per kind: stored, used, never shown. */
export const PROVIDER_SECRETS = { LDAP: ['bindPassword'], OIDC: ['clientSecret'], SAML: [] } as const satisfies Record<IdpKind, readonly string[]>;

/** A provider as the API shows it: the config without its secrets, and which secrets are set. */
export interface IdentityProviderView {
  id: string;
  kind: IdpKind;
  displayName: string;
  config: Record<string, unknown>;
  secretsSet: string[];
}

/** What anyone may know before signing in: the buttons on the sign-in page. */
export const SsoProviderSummary = z.object({ id: z.string(), kind: z.enum(['OIDC', 'SAML']), displayName: z.string() });
export type SsoProviderSummary = z.infer<typeof SsoProviderSummary>;

/**
 * The console's server starts a login: `binding` is the SHA-256 (base64url) of a random
 * value kept in the browser's HttpOnly cookie, so the one-time code the login ends with
 * only works for the browser that started it.
 */
export const SsoStartRequest = z.strictObject({ binding: z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: 'must be a base64url SHA-256' }) });
export const SsoStartResponse = z.object({ redirectUrl: z.string() });

/** The console's server exchanges the one-time code (and the cookie's value) for a token. */
export const SsoExchangeRequest = z.strictObject({
  code: z.string().min(1).max(200),
  binding: z.string().min(1).max(200),
});
