import type { ApiError } from '@gantry/specs';

/** A REST call through the console's relay; a non-2xx answer throws its ApiError. */
export async function rest<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const json = (await response.json().catch(() => ({ message: `HTTP ${response.status}` }))) as T | ApiError;
  if (!response.ok) throw new RestError(response.status, json as ApiError);
  return json as T;
}

export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }

  /** The errors for one field (`/resource`), for showing next to it. */
  at(path: string): string | undefined {
    return this.error.details?.find((d) => d.path === path)?.errors.join('; ');
  }
}
