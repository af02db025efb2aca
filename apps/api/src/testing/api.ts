import type { ApiConfig } from '../config.js';
import { startApi, type RunningApi } from '../server.js';

export const TEST_AGENT_TOKEN = 'test-agent-join-token-0123456789abcdef';
export const TEST_ADMIN_PASSWORD = 'test-admin-password';

/** Fast heartbeats so liveness is observable in a test: unreachable after 3 × 150 ms (after a failover too: no re-register window). */
export function testConfig(databaseUrl: string, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    databaseUrl, host: '127.0.0.1', port: 0, heartbeatIntervalMs: 150, missedHeartbeatsAllowed: 3,
    leaderRetryMs: 100, agentReregisterMs: 0, replicaName: 'test-api', agentToken: TEST_AGENT_TOKEN, adminPassword: TEST_ADMIN_PASSWORD,
    consoleUrl: 'http://localhost:3000', ...overrides,
  };
}

export async function startTestApi(databaseUrl: string, overrides: Partial<ApiConfig> = {}): Promise<RunningApi> {
  return startApi(testConfig(databaseUrl, overrides));
}

/** Logs in and returns the Authorization header value for `uid` (default: the admin). */
export async function bearer(apiUrl: string, uid = 'admin', password = TEST_ADMIN_PASSWORD): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid, password }),
  });
  if (!response.ok) throw new Error(`login as ${uid} failed: HTTP ${response.status} ${await response.text()}`);
  return `Bearer ${((await response.json()) as { token: string }).token}`;
}

export interface RestAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * The REST API as a test calls it: JSON in, status, parsed body and headers out. The
 * URL and Authorization header are read at each call (the API starts in `beforeAll`).
 */
export function restClient(url: () => string, authorization: () => string) {
  return async <T = unknown>(method: string, path: string, body?: unknown): Promise<RestAnswer<T>> => {
    const response = await fetch(`${url()}${path}`, {
      method, headers: { authorization: authorization(), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers };
  };
}
