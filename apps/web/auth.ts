import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { apiUrl } from './lib/api-url';

/**
 * The console's session. The API is the one identity authority: signing in asks it
 * for a token, and the session (an encrypted, HttpOnly, SameSite=Lax cookie) only
 * carries that token. The token never reaches browser JavaScript: the session
 * callback hands the page only the user's name.
 *
 * Cookies: always HttpOnly and SameSite=Lax; next-auth also marks them Secure, with
 * the `__Secure-` / `__Host-` prefixes, when the console's URL (AUTH_URL, which
 * lib/api-token.ts reads too) is https — set it to the public https URL behind a
 * TLS-terminating proxy; `gantry up`'s http://localhost console is not. next-auth's
 * own POST endpoints check a double-submit CSRF token, and the console's relays check
 * the Origin (lib/same-origin.ts). e2e/tests/organization-security.spec.ts proves each.
 */
declare module 'next-auth' {
  interface User {
    apiToken?: string;
  }
}

class ApiUnreachable extends CredentialsSignin {
  override code = 'api_unreachable';
}
class Throttled extends CredentialsSignin {
  override code = 'throttled';
}
/** The API could not ask an LDAP directory (503): the password may well be right. */
class DirectoryUnavailable extends CredentialsSignin {
  override code = 'directory_unavailable';
}

const EIGHT_HOURS = 8 * 60 * 60; // the API token's lifetime

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  session: { strategy: 'jwt', maxAge: EIGHT_HOURS },
  pages: { signIn: '/login' },
  providers: [
    Credentials({
      credentials: { uid: { label: 'User' }, password: { label: 'Password', type: 'password' } },
      authorize: async (credentials) => {
        const uid = String(credentials.uid ?? '');
        const password = String(credentials.password ?? '');
        let response: Response;
        try {
          response = await fetch(`${apiUrl()}/v1/auth/login`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ uid, password }),
            cache: 'no-store',
          });
        } catch {
          throw new ApiUnreachable();
        }
        if (response.status === 429) throw new Throttled();
        if (response.status === 503) throw new DirectoryUnavailable();
        if (!response.ok) return null;
        const { token } = (await response.json()) as { token: string };
        return { id: uid, name: uid, apiToken: token };
      },
    }),
    // Single sign-on ends here: the console's /sso/callback route hands over the one-time
    // code the API gave the browser and the binding secret from the browser's cookie.
    Credentials({
      id: 'sso',
      credentials: { code: {}, binding: {} },
      authorize: async (credentials) => {
        const code = String(credentials.code ?? '');
        const binding = String(credentials.binding ?? '');
        if (!code || !binding) return null;
        let response: Response;
        try {
          response = await fetch(`${apiUrl()}/v1/auth/sso/exchange`, {
            method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, binding }), cache: 'no-store',
          });
        } catch {
          throw new ApiUnreachable();
        }
        if (!response.ok) return null;
        const { token } = (await response.json()) as { token: string };
        // The uid is the token's subject; the console only displays it.
        const uid = String(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')).sub ?? '');
        return { id: uid, name: uid, apiToken: token };
      },
    }),
  ],
  callbacks: {
    jwt: ({ token, user }) => (user?.apiToken ? { ...token, apiToken: user.apiToken } : token),
    session: ({ session }) => ({ ...session, user: { name: session.user?.name ?? '' } }) as typeof session,
  },
  events: {
    // Signing out of the console revokes the API token too.
    signOut: async (message) => {
      const apiToken = 'token' in message ? (message.token?.apiToken as string | undefined) : undefined;
      if (!apiToken) return;
      await fetch(`${apiUrl()}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${apiToken}` } }).catch(() => undefined);
    },
  },
});
