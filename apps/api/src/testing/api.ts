import type { ApiConfig } from '../config.js';
import { startApi, type RunningApi } from '../server.js';

export const TEST_AGENT_TOKEN = 'test-agent-join-token-0123456789abcdef';
export const TEST_ADMIN_PASSWORD = 'test-admin-password';

/** Fast heartbeats so liveness is observable in a test: unreachable after 3 × 150 ms. */
export function testConfig(databaseUrl: string, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    databaseUrl, host: '127.0.0.1', port: 0, heartbeatIntervalMs: 150, missedHeartbeatsAllowed: 3,
    leaderRetryMs: 100, replicaName: 'test-api', agentToken: TEST_AGENT_TOKEN, adminPassword: TEST_ADMIN_PASSWORD,
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
