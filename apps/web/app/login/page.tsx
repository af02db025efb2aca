import { AuthError } from 'next-auth';
import { redirect } from 'next/navigation';
import { signIn } from '../../auth';
import { ssoProviders } from '../../lib/sso';

export const metadata = { title: 'Sign in · Gantry' };

const messages: Record<string, string> = {
  credentials: 'Invalid user or password.',
  throttled: 'Too many failed sign-ins. Wait a while and try again.',
  api_unreachable: 'The Gantry API is unreachable. Try again when it is back.',
  directory_unavailable: 'The directory that checks your password cannot be reached right now. Try again later; local accounts can still sign in.',
  sso_unavailable: 'The identity provider is unavailable. Try again later, or sign in with a password.',
  sso_expired: 'The single sign-on took too long or was already used. Sign in again.',
  sso_denied: 'The identity provider’s answer could not be verified. Sign in again.',
  sso_user: 'The identity provider did not name a user Gantry can sign in. Ask your administrator.',
  sso_failed: 'The single sign-on could not be completed in this browser. Sign in again.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; code?: string }> }) {
  const { error, code } = await searchParams;
  const message = error ? (messages[code ?? ''] ?? messages.credentials) : null;
  const sso = await ssoProviders();
  return (
    <main className="login" id="main">
      <form
        aria-labelledby="login-title"
        action={async (form: FormData) => {
          'use server';
          try {
            await signIn('credentials', { uid: form.get('uid'), password: form.get('password'), redirectTo: '/' });
          } catch (e) {
            if (e instanceof AuthError) {
              const reason = 'code' in e && typeof e.code === 'string' ? e.code : 'credentials';
              redirect(`/login?error=1&code=${encodeURIComponent(reason)}`);
            }
            throw e; // the redirect after a successful sign-in
          }
        }}
      >
        <h1 id="login-title"><span aria-hidden="true" className="logo">▚</span> Sign in to Gantry</h1>
        {message && <p role="alert" className="banner">{message}</p>}
        <label htmlFor="uid">User</label>
        <input id="uid" name="uid" autoComplete="username" required autoFocus />
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required />
        <button type="submit">Sign in</button>
        {sso.length > 0 && (
          <ul aria-label="Single sign-on" style={{ listStyle: 'none', padding: 0, margin: '8px 0 0', display: 'grid', gap: 8 }}>
            {sso.map((p) => (
              <li key={p.id}>
                {/* A link, not a form: a navigation the IdP's redirects can follow. */}
                <a href={`/sso/${encodeURIComponent(p.id)}/start`} style={{ display: 'block', textAlign: 'center', padding: '4px 10px', border: '1px solid var(--line)', borderRadius: 6 }}>
                  Sign in with {p.displayName}
                </a>
              </li>
            ))}
          </ul>
        )}
      </form>
    </main>
  );
}
