import { createHash, randomBytes } from 'node:crypto';
import { SsoStartResponse } from '@gantry/specs';
import { NextResponse, type NextRequest } from 'next/server';
import { apiUrl } from '../../../../lib/api-url';
import { BINDING_COOKIE } from '../../../../lib/sso';

/**
 * A sign-in button: binds the login to this browser (HttpOnly cookie), asks the API to
 * start it, and sends the browser to the identity provider.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ provider: string }> }) {
  const { provider } = await params;
  const binding = randomBytes(32).toString('base64url');
  const failed = (code: string) => NextResponse.redirect(new URL(`/login?error=1&code=${code}`, request.nextUrl), 303);
  let redirectUrl: string;
  try {
    const response = await fetch(`${apiUrl()}/v1/auth/sso/${encodeURIComponent(provider)}/start`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, cache: 'no-store',
      body: JSON.stringify({ binding: createHash('sha256').update(binding).digest('base64url') }),
    });
    const body = SsoStartResponse.safeParse(await response.json());
    if (!response.ok || !body.success) return failed('sso_unavailable');
    redirectUrl = body.data.redirectUrl;
  } catch {
    return failed('api_unreachable');
  }
  const response = NextResponse.redirect(redirectUrl, 303);
  response.cookies.set(BINDING_COOKIE, binding, {
    httpOnly: true, sameSite: 'lax', secure: request.nextUrl.protocol === 'https:', path: '/sso', maxAge: 10 * 60,
  });
  return response;
}
