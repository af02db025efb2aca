import { getToken } from 'next-auth/jwt';
import { cookies } from 'next/headers';

/**
 * The signed-in user's API token, read server-side from the encrypted session cookie.
 * Null when nobody is signed in.
 */
export async function apiToken(request?: Request): Promise<string | null> {
  const secret = process.env.AUTH_SECRET;
  if (!secret) return null;
  const secureCookie = (process.env.AUTH_URL ?? '').startsWith('https://');
  const headers = request?.headers ?? new Headers({ cookie: (await cookies()).toString() });
  const token = await getToken({ req: { headers }, secret, secureCookie });
  return typeof token?.apiToken === 'string' ? token.apiToken : null;
}
