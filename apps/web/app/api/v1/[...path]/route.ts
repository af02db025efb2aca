import { apiToken } from '../../../../lib/api-token';
import { apiUrl } from '../../../../lib/api-url';
import { isSameOrigin } from '../../../../lib/same-origin';

/**
 * Relays the console's REST calls (`/api/v1/...` → the API's `/v1/...`) with the
 * session's API token attached server-side. The API authorizes every call as the
 * signed-in user, so the console can do exactly what that user may do.
 */
export const dynamic = 'force-dynamic';

async function relay(request: Request, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  if (!isSameOrigin(request)) return Response.json({ message: 'cross-site request refused' }, { status: 403 });
  const token = await apiToken(request);
  if (!token) return Response.json({ message: 'sign in first' }, { status: 401 });
  const { path } = await params;
  const url = new URL(request.url);
  const target = `${apiUrl()}/v1/${path.map(encodeURIComponent).join('/')}${url.search}`;
  const headers = new Headers({ authorization: `Bearer ${token}` });
  const type = request.headers.get('content-type');
  if (type) headers.set('content-type', type);
  try {
    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer(),
      cache: 'no-store',
    });
    const body = upstream.status === 204 ? null : await upstream.arrayBuffer();
    return new Response(body, { status: upstream.status, headers: { 'content-type': upstream.headers.get('content-type') ?? 'application/json' } });
  } catch {
    return Response.json({ message: 'The Gantry API is unreachable from the console server' }, { status: 502 });
  }
}

export { relay as GET, relay as POST, relay as PUT, relay as DELETE };
