import { apiToken } from '../../../../lib/api-token';
import { apiUrl } from '../../../../lib/api-url';
import { isSameOrigin } from '../../../../lib/same-origin';

/**
 * The browser talks tRPC to the console's own origin; this route relays each call to
 * the API, streaming (subscriptions are server-sent events), with the session's API
 * token attached here: the browser never holds API credentials.
 */
export const dynamic = 'force-dynamic';

async function relay(request: Request, { params }: { params: Promise<{ trpc: string }> }): Promise<Response> {
  const { trpc } = await params;
  if (!isSameOrigin(request)) return Response.json({ error: { message: 'cross-site request refused', code: -32003, data: { code: 'FORBIDDEN', httpStatus: 403 } } }, { status: 403 });
  const token = await apiToken(request);
  if (!token) return Response.json({ error: { message: 'sign in first', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } } }, { status: 401 });
  const url = new URL(request.url);
  const target = `${apiUrl()}/trpc/${encodeURIComponent(trpc).replace(/%2C/g, ',')}${url.search}`;
  const headers = new Headers({ authorization: `Bearer ${token}` });
  for (const name of ['content-type', 'accept', 'last-event-id', 'trpc-accept']) {
    const value = request.headers.get(name);
    if (value) headers.set(name, value);
  }
  try {
    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer(),
      signal: request.signal,
      cache: 'no-store',
    });
    const responseHeaders = new Headers();
    for (const name of ['content-type', 'cache-control']) {
      const value = upstream.headers.get(name);
      if (value) responseHeaders.set(name, value);
    }
    return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
  } catch {
    return Response.json(
      [{ error: { message: 'The Gantry API is unreachable from the console server', code: -32603, data: { code: 'BAD_GATEWAY', httpStatus: 502 } } }],
      { status: 502 },
    );
  }
}

export { relay as GET, relay as POST };
