import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '@gantry/api/router';
import { apiToken } from './api-token';
import { apiUrl } from './api-url';

/**
 * The API as the signed-in user, from server components: the first screen of every
 * page is rendered with its data (no empty flash, no layout shift, and the largest
 * paint needs no second round trip). The token stays on the console's server.
 */
export async function serverTrpc() {
  const token = await apiToken();
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${apiUrl()}/trpc`,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        fetch: (url, init) => fetch(url, { ...(init as RequestInit), cache: 'no-store', signal: AbortSignal.timeout(5000) }),
      }),
    ],
  });
}

/**
 * A first-screen read that may fail: the page then renders without it and the client
 * shows the error state (with retry) or its own fetch. Never throws.
 */
export async function prefetch<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof TRPCClientError) && !(error instanceof Error)) throw error;
    return undefined;
  }
}
