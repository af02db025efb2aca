import { SsoProviderSummary } from '@gantry/specs';
import { z } from 'zod';
import { apiUrl } from './api-url';

/**
 * The browser-side half of single sign-on's hand-over: a random binding kept in an
 * HttpOnly cookie on the console. The API only ever sees its hash at the start, and the
 * value itself at the exchange, so a one-time code works only in the browser that
 * started the login.
 */
export const BINDING_COOKIE = 'gantry-sso-binding';

/** The sign-in page's SSO buttons; none when the API cannot be asked. */
export async function ssoProviders(): Promise<SsoProviderSummary[]> {
  try {
    const response = await fetch(`${apiUrl()}/v1/auth/sso/providers`, { cache: 'no-store' });
    const parsed = z.array(SsoProviderSummary).safeParse(await response.json());
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
