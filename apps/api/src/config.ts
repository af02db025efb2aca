import { z } from 'zod';

/** Agents reconnect with a backoff of up to a minute: two minutes lets every one of them come back after a failover. */
export const DEFAULT_AGENT_REREGISTER_MS = 120_000;

/** The API server's settings, from the environment (every variable is in the README). */
export const ApiConfig = z.object({
  databaseUrl: z.string().url({ message: 'DATABASE_URL must be a postgresql:// URL' }),
  host: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535),
  /** URL agents and other replicas reach this replica at; defaults to http://host:port. */
  advertiseUrl: z.string().url().optional(),
  heartbeatIntervalMs: z.coerce.number().int().min(50).max(600_000),
  missedHeartbeatsAllowed: z.coerce.number().int().min(1).max(100),
  leaderRetryMs: z.coerce.number().int().min(50).max(60_000),
  /** How long a new leader waits for agents to re-register before it may declare them unreachable (never less than the heartbeat timeout). */
  agentReregisterMs: z.coerce.number().int().min(0).max(3_600_000).default(() => DEFAULT_AGENT_REREGISTER_MS),
  /** Human name of this replica in the leadership row. */
  replicaName: z.string().min(1).max(200),
  /** The secret agents present to join the cluster (like a k3s node token). */
  agentToken: z.string().min(32, { message: 'must be a secret of at least 32 characters that agents present to join' }),
  /** Password of the first `admin` user; a random one is printed once when unset. */
  adminPassword: z.string().min(8, { message: 'must be at least 8 characters' }).optional(),
  /** Where browsers reach the console: single sign-on logins end there. */
  consoleUrl: z.url({ protocol: /^https?$/, message: 'must be the console\'s http(s) URL' }).default('http://localhost:3000'),
  /** Services scheduler timings (tests shorten them). */
  scheduler: z.object({ tickMs: z.number().int().min(10), killRetryMs: z.number().int().min(100) }).partial().optional(),
});
export type ApiConfig = z.infer<typeof ApiConfig>;

export function configFromEnv(env: NodeJS.ProcessEnv): ApiConfig {
  const parsed = ApiConfig.safeParse({
    databaseUrl: env.DATABASE_URL,
    host: env.GANTRY_API_HOST ?? '127.0.0.1',
    port: env.GANTRY_API_PORT ?? 8080,
    advertiseUrl: env.GANTRY_ADVERTISE_URL || undefined,
    heartbeatIntervalMs: env.GANTRY_HEARTBEAT_INTERVAL_MS ?? 2000,
    missedHeartbeatsAllowed: env.GANTRY_MISSED_HEARTBEATS ?? 3,
    leaderRetryMs: env.GANTRY_LEADER_RETRY_MS ?? 1000,
    agentReregisterMs: env.GANTRY_AGENT_REREGISTER_MS,
    replicaName: env.GANTRY_REPLICA_NAME ?? `api-${process.pid}`,
    agentToken: env.GANTRY_AGENT_TOKEN ?? '',
    adminPassword: env.GANTRY_ADMIN_PASSWORD || undefined,
    consoleUrl: env.GANTRY_CONSOLE_URL || `http://localhost:${env.GANTRY_WEB_PORT || 3000}`,
  });
  if (!parsed.success) {
    const names: Record<string, string> = {
      databaseUrl: 'DATABASE_URL', host: 'GANTRY_API_HOST', port: 'GANTRY_API_PORT',
      advertiseUrl: 'GANTRY_ADVERTISE_URL', heartbeatIntervalMs: 'GANTRY_HEARTBEAT_INTERVAL_MS',
      missedHeartbeatsAllowed: 'GANTRY_MISSED_HEARTBEATS', leaderRetryMs: 'GANTRY_LEADER_RETRY_MS', agentReregisterMs: 'GANTRY_AGENT_REREGISTER_MS',
      replicaName: 'GANTRY_REPLICA_NAME', agentToken: 'GANTRY_AGENT_TOKEN', adminPassword: 'GANTRY_ADMIN_PASSWORD',
      consoleUrl: 'GANTRY_CONSOLE_URL',
    };
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]);
    throw new ConfigError(`${names[key] ?? key}: ${issue.message}`);
  }
  return parsed.data;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}
