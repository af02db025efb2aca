import pg from 'pg';

/**
 * Scheduler leadership: a Postgres advisory lock held on a dedicated connection,
 * plus the `leadership` row whose `epoch` grows by one with every new leader.
 *
 * The lock alone is not enough: a leader whose lock connection died may not know it
 * yet and keep writing. So every leader write runs in a transaction that first reads
 * the leadership row `FOR SHARE` and checks its own epoch (see `fenced`): the next
 * leader's epoch bump waits for those transactions, and every later one fails.
 */

// Arbitrary constant shared by every replica: "gantry leader".
const LEADER_LOCK_KEY = 0x6c656164;

export interface LeaderIdentity {
  holder: string;
  address: string;
}

export interface LeadershipEvents {
  elected(epoch: number): void;
  deposed(reason: string): void;
}

export class LeaderElector {
  private client: pg.Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private currentEpoch: number | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly identity: LeaderIdentity,
    private readonly retryMs: number,
    private readonly events: LeadershipEvents,
  ) {}

  /** The epoch this replica leads with, or null while it is a standby. */
  get epoch(): number | null {
    return this.currentEpoch;
  }

  start(): void {
    this.stopped = false;
    void this.attempt();
  }

  /**
   * Steps down and releases the lock (Marathon's abdication, or a leader that found
   * itself fenced), then stands again after `pauseMs`, so that another replica can
   * win the election meanwhile.
   */
  async abdicate(pauseMs: number): Promise<void> {
    await this.stop();
    this.stopped = false;
    this.timer = setTimeout(() => void this.attempt(), pauseMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    this.stepDown('stopping');
    // Closing the session releases the advisory lock at once, so a standby takes over
    // within its retry interval instead of waiting for a TCP timeout.
    await client?.end().catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.attempt(), this.retryMs);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.databaseUrl, keepAlive: true });
        client.on('error', () => this.lose(client, 'lost the leadership connection to Postgres'));
        client.on('end', () => this.lose(client, 'the leadership connection to Postgres closed'));
        this.client = client;
        await client.connect();
      }
      const client = this.client;
      if (this.currentEpoch === null) {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [LEADER_LOCK_KEY]);
        if (rows[0]?.ok) {
          const result = await client.query<{ epoch: number }>(
            `INSERT INTO leadership (id, epoch, holder, address, acquired_at) VALUES (1, 1, $1, $2, now())
             ON CONFLICT (id) DO UPDATE SET epoch = leadership.epoch + 1, holder = $1, address = $2, acquired_at = now()
             RETURNING epoch`,
            [this.identity.holder, this.identity.address],
          );
          this.currentEpoch = result.rows[0]!.epoch;
          this.events.elected(this.currentEpoch);
        }
      } else {
        // Still leading: prove the lock connection is alive, so a dead one is noticed
        // within one retry interval.
        await client.query('SELECT 1');
      }
    } catch (error) {
      if (this.client) this.lose(this.client, `leadership check failed: ${(error as Error).message}`);
    }
    this.schedule();
  }

  private lose(client: pg.Client, reason: string): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => undefined);
    this.stepDown(reason);
  }

  private stepDown(reason: string): void {
    if (this.currentEpoch === null) return;
    this.currentEpoch = null;
    this.events.deposed(reason);
  }
}

/** Thrown by a fenced write when a newer leader exists. */
export class DeposedError extends Error {
  override name = 'DeposedError';
  constructor(
    readonly heldEpoch: number,
    readonly currentEpoch: number | null,
  ) {
    super(`leader epoch ${heldEpoch} was superseded by epoch ${currentEpoch ?? 'none'}`);
  }
}
