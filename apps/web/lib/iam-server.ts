import { authorize, type Action } from '@gantry/auth/grants';
import { apiToken } from './api-token';
import { apiUrl } from './api-url';
import type { Principal } from './iam-permissions';

/**
 * The signed-in user's principal for server components and layouts (e.g. to leave a
 * section out of the navigation): `GET /v1/auth/whoami` with the session's token.
 * Null when nobody is signed in or the API cannot say.
 */
export async function serverPrincipal(): Promise<Principal | null> {
  const token = await apiToken();
  if (!token) return null;
  try {
    const response = await fetch(`${apiUrl()}/v1/auth/whoami`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
    return response.ok ? ((await response.json()) as Principal) : null;
  } catch {
    return null;
  }
}

export function serverCan(principal: Principal | null, resource: string, action: Action): boolean {
  return !!principal && authorize(principal.grants, { resource, action }).allowed;
}
