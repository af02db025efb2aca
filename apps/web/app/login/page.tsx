import { AuthError } from 'next-auth';
import { redirect } from 'next/navigation';
import { signIn } from '../../auth';

export const metadata = { title: 'Sign in · Gantry' };

const messages: Record<string, string> = {
  credentials: 'Invalid user or password.',
  throttled: 'Too many failed sign-ins. Wait a while and try again.',
  api_unreachable: 'The Gantry API is unreachable. Try again when it is back.',
};

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string; code?: string }> }) {
  const { error, code } = await searchParams;
  const message = error ? (messages[code ?? ''] ?? messages.credentials) : null;
  return (
    <main className="login" id="main">
      <form
        aria-labelledby="login-title"
        action={async (form: FormData) => {
          'use server';
          try {
            await signIn('credentials', { uid: form.get('uid'), password: form.get('password'), redirectTo: '/nodes' });
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
      </form>
    </main>
  );
}
