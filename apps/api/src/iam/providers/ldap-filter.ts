/**
 * LDAP search filters built from a login name. The login name is user input: it is
 * escaped per RFC 4515 §3 before it enters a filter, so `*)(uid=*` matches the literal
 * string instead of every entry (LDAP injection).
 */

/** RFC 4515: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[*()\\\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** `(&<configured filter>(<uidAttribute>=<escaped uid>))`. */
export function userFilter(searchFilter: string, uidAttribute: string, uid: string): string {
  return `(&${searchFilter}(${uidAttribute}=${escapeFilterValue(uid)}))`;
}

/** The user's groups: `(&<configured filter>(<memberAttribute>=<escaped DN or uid>))`. */
export function memberFilter(groupFilter: string, memberAttribute: string, member: string): string {
  return `(&${groupFilter}(${memberAttribute}=${escapeFilterValue(member)}))`;
}
