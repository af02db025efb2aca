import type { ApiConfig } from '../config.js';
import { startApi, type RunningApi } from '../server.js';

/** Fast heartbeats so liveness is observable in a test: unreachable after 3 × 150 ms. */
export function testConfig(databaseUrl: string, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    databaseUrl, host: '127.0.0.1', port: 0, heartbeatIntervalMs: 150, missedHeartbeatsAllowed: 3,
    leaderRetryMs: 100, replicaName: 'test-api', ...overrides,
  };
}

export async function startTestApi(databaseUrl: string, overrides: Partial<ApiConfig> = {}): Promise<RunningApi> {
  return startApi(testConfig(databaseUrl, overrides));
}
