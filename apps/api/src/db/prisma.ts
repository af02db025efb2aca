import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type Db = PrismaClient;

// A request must not wait forever on a Postgres that has gone away: connecting gives up
// after 5 s, a query after 30 s (client side: a dead peer that never answers is caught
// too), and TCP keepalive notices a silent drop. The caller then answers 503.
const CONNECT_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 30_000;

export function createDb(databaseUrl: string): Db {
  return new PrismaClient({
    adapter: new PrismaPg({
      connectionString: databaseUrl, max: 10, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS,
      keepAlive: true, keepAliveInitialDelayMillis: 10_000,
    }),
  });
}

/** Whether an error says Postgres could not be reached (as opposed to a bug or a bad query). */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message } = e as { code?: string; message?: string };
    if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'P1001', 'P1017', '57P01', '57P03'].includes(code)) return true;
    if (message && /connection terminated|timeout exceeded when trying to connect|Connection terminated unexpectedly|Query read timeout|the database system is (starting up|shutting down)|Can't reach database server|Server has closed the connection/i.test(message)) return true;
  }
  return false;
}
