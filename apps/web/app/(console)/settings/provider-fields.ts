import type { IdpKind } from '@gantry/specs';

/**
 * The form of each kind of identity provider, field by field, as packages/specs'
 * LdapConfig / OidcConfig / SamlConfig read them. Secrets are write-only: the form
 * never shows them, and leaving one empty on an edit keeps the stored one.
 */
export interface ProviderField {
  name: string;
  label: string;
  type: 'text' | 'number' | 'secret' | 'pem' | 'select';
  options?: readonly string[];
  required?: boolean;
  placeholder?: string;
  hint?: string;
}

export const PROVIDER_FIELDS: Record<IdpKind, readonly ProviderField[]> = {
  LDAP: [
    { name: 'host', label: 'Host', type: 'text', required: true, placeholder: 'ldap.example.com' },
    { name: 'port', label: 'Port', type: 'number', required: true, placeholder: '389 (636 for LDAPS)' },
    { name: 'security', label: 'Security', type: 'select', options: ['starttls', 'ldaps', 'none'], required: true },
    { name: 'caCertificate', label: 'CA certificate (PEM)', type: 'pem', hint: 'Trusted for TLS instead of the system\'s CAs.' },
    { name: 'bindDn', label: 'Bind DN', type: 'text', placeholder: 'cn=gantry,ou=services,dc=example,dc=com', hint: 'The account that searches the directory; anonymous when empty.' },
    { name: 'bindPassword', label: 'Bind password', type: 'secret' },
    { name: 'userSearchBase', label: 'User search base', type: 'text', required: true, placeholder: 'ou=people,dc=example,dc=com' },
    { name: 'userSearchFilter', label: 'User search filter', type: 'text', placeholder: '(objectClass=person)' },
    { name: 'uidAttribute', label: 'User name attribute', type: 'text', placeholder: 'uid (sAMAccountName on AD)' },
    { name: 'groupSearchBase', label: 'Group search base', type: 'text', placeholder: 'ou=groups,dc=example,dc=com', hint: 'No groups are imported when empty.' },
    { name: 'groupSearchFilter', label: 'Group search filter', type: 'text', placeholder: '(objectClass=groupOfNames)' },
    { name: 'groupMemberAttribute', label: 'Group member attribute', type: 'text', placeholder: 'member' },
    { name: 'groupMemberValue', label: 'Members are listed by', type: 'select', options: ['dn', 'uid'] },
    { name: 'groupNameAttribute', label: 'Group name attribute', type: 'text', placeholder: 'cn' },
  ],
  OIDC: [
    { name: 'issuer', label: 'Issuer URL', type: 'text', required: true, placeholder: 'https://idp.example.com' },
    { name: 'clientId', label: 'Client ID', type: 'text', required: true },
    { name: 'clientSecret', label: 'Client secret', type: 'secret', hint: 'Empty for a public client (PKCE alone).' },
    { name: 'scopes', label: 'Scopes', type: 'text', placeholder: 'openid profile email' },
    { name: 'uidClaim', label: 'User name claim', type: 'text', placeholder: 'sub' },
    { name: 'groupsClaim', label: 'Groups claim', type: 'text', placeholder: 'groups' },
  ],
  SAML: [
    { name: 'entryPoint', label: 'IdP sign-on URL', type: 'text', required: true, placeholder: 'https://idp.example.com/sso' },
    { name: 'idpCertificate', label: 'IdP signing certificate (PEM)', type: 'pem', required: true },
    { name: 'idpIssuer', label: 'IdP entity ID', type: 'text' },
    { name: 'uidAttribute', label: 'User name attribute', type: 'text', placeholder: 'the NameID when empty' },
    { name: 'groupsAttribute', label: 'Groups attribute', type: 'text' },
  ],
};

/** The config to send: empty fields left out (the API's defaults apply), numbers as numbers, blank secrets kept. */
export function configFrom(kind: IdpKind, values: Record<string, string>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of PROVIDER_FIELDS[kind]) {
    // A select left alone shows its first option: send that.
    const value = (values[field.name] ?? '').trim() || (field.type === 'select' ? field.options![0]! : '');
    if (value === '') continue;
    config[field.name] = field.type === 'number' ? Number(value) : field.type === 'pem' ? values[field.name] : value;
  }
  return config;
}

/** A stored provider's config as form values (views carry no secrets). */
export function valuesFrom(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [k, v === undefined || v === null ? '' : String(v)]));
}
