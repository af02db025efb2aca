/**
 * Cross-site request forgery guard for the console's relays: a request that changes
 * anything must come from the console's own pages. Browsers always send `Origin` on
 * POST/PUT/DELETE; a page on another origin (another port on localhost included) fails
 * here even though the session cookie would ride along.
 */
export function isSameOrigin(request: Request): boolean {
  if (request.method === 'GET' || request.method === 'HEAD') return true;
  const origin = request.headers.get('origin');
  if (!origin) return false;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
