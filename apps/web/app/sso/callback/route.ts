import { AuthError } from 'next-auth';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import type { NextRequest } from 'next/server';
import { signIn } from '../../../auth';
import { BINDING_COOKIE } from '../../../lib/sso';

/**
 * Where the API sends the browser after an SSO login: exchanges the one-time code (with
 * this browser's binding) for the API token and starts the console session.
 */
export async function GET(request: NextRequest) {
  const code = request.nextUrl.searchParams.get('code') ?? '';
  const jar = await cookies();
  const binding = jar.get(BINDING_COOKIE)?.value ?? '';
  jar.delete({ name: BINDING_COOKIE, path: '/sso' });
  try {
    await signIn('sso', { code, binding, redirectTo: '/' });
  } catch (e) {
    if (e instanceof AuthError) redirect('/login?error=1&code=sso_failed');
    throw e; // the redirect after a successful sign-in
  }
}
