/**
 * What an external provider says about a user, mapped to a Gantry uid and groups.
 * Pure: OIDC claims and SAML attributes come in as plain data, a verdict comes out.
 */

export type ExternalIdentity =
  | { ok: true; uid: string; groups: string[] }
  | { ok: false; reason: string };

// Gantry uids and gids appear in resource strings and URLs: keep them to a safe alphabet.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/;

/** True when an external name can be a Gantry uid or gid as it is. */
export function isUsableName(name: string): boolean {
  return NAME.test(name);
}

/** Maps claims (OIDC) or attributes (SAML) to a user and its groups. */
export function mapIdentity(claims: Record<string, unknown>, mapping: { uidClaim: string; groupsClaim?: string | undefined }): ExternalIdentity {
  const rawUid = first(claims[mapping.uidClaim]);
  if (typeof rawUid !== 'string' || rawUid === '') return { ok: false, reason: `the identity provider sent no "${mapping.uidClaim}" to use as the user id` };
  if (!NAME.test(rawUid)) return { ok: false, reason: `the user id "${rawUid.slice(0, 100)}" from "${mapping.uidClaim}" is not a valid Gantry user id` };
  return { ok: true, uid: rawUid, groups: mapping.groupsClaim ? groupNames(claims[mapping.groupsClaim]) : [] };
}

/**
 * Group names from a claim: an array or a single string. Names Gantry cannot use as a
 * group id are dropped rather than failing the login; duplicates collapse.
 */
export function groupNames(value: unknown): string[] {
  const values = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && NAME.test(v)))].sort();
}

function first(value: unknown): unknown {
  return Array.isArray(value) ? value[0] : value;
}
