import type { LoginFailureStore } from '@gantry/auth';
import type { Db } from '../db/prisma.js';

/**
 * The login throttle's failures in Postgres (`login_failures`), so every API replica
 * counts the same ones: behind a load balancer, a per-replica count would let an
 * attacker multiply the limit by the number of replicas.
 *
 * Two concurrent attempts may both pass the check before either failure is written,
 * so the limit can be overshot by the number of attempts in flight at once; that
 * bounds nothing an attacker gains (100 guesses an hour become 100 + a few).
 */
export class LoginFailures implements LoginFailureStore {
  private lastSweep = 0;

  constructor(private readonly db: Db, private readonly retentionMs: number = 60 * 60 * 1000) {}

  async recent(keys: readonly string[], since: number): Promise<Map<string, number[]>> {
    const rows = await this.db.loginFailure.findMany({
      where: { key: { in: [...keys] }, at: { gte: new Date(since) } },
      select: { key: true, at: true },
      orderBy: { at: 'asc' },
    });
    const out = new Map<string, number[]>();
    for (const row of rows) out.set(row.key, [...(out.get(row.key) ?? []), row.at.getTime()]);
    return out;
  }

  async record(keys: readonly string[], at: number): Promise<void> {
    await this.db.loginFailure.createMany({ data: keys.map((key) => ({ key, at: new Date(at) })) });
    // Failures older than the window count for nothing: sweep them now and then.
    if (at - this.lastSweep > 60_000) {
      this.lastSweep = at;
      await this.db.loginFailure.deleteMany({ where: { at: { lt: new Date(at - this.retentionMs) } } });
    }
  }

  async clear(key: string): Promise<void> {
    await this.db.loginFailure.deleteMany({ where: { key } });
  }
}
