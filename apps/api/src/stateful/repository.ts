import { Resources, type PlanState, type PodInstanceState, type PodReservation, type Resource } from '@gantry/scheduler-core';
import type { StatefulServiceDefinition } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import type { Tx } from '../db/fenced.js';
import { fenced } from '../db/fenced.js';
import { notify } from '../events/notify.js';

/** A stateful service as stored: what is wanted, and where its plans and pods stand. */
export interface StatefulRecord {
  id: string;
  definition: StatefulServiceDefinition;
  configId: string;
  pastDefinitions: Record<string, StatefulServiceDefinition>;
  plans: PlanState[];
  podInstances: PodInstanceState[];
  uninstall: { destroyData: boolean } | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export class RevisionConflictError extends Error {
  override name = 'RevisionConflictError';
}

// Reservations hold `Resources` (an immutable class): stored as its item list.
type StoredReservation = Omit<PodReservation, 'resources'> & { resources: Resource[] };
type StoredInstance = Omit<PodInstanceState, 'reservation' | 'retired'> & { reservation: StoredReservation | null; retired: StoredReservation[] };

const storeReservation = (r: PodReservation): StoredReservation => ({ ...r, resources: [...r.resources.items] });
const loadReservation = (r: StoredReservation): PodReservation => ({ ...r, resources: Resources.of(r.resources) });

export function storeInstances(instances: readonly PodInstanceState[]): StoredInstance[] {
  return instances.map((i) => ({ ...i, reservation: i.reservation && storeReservation(i.reservation), retired: i.retired.map(storeReservation) }));
}

export function loadInstances(stored: unknown): PodInstanceState[] {
  return (stored as StoredInstance[]).map((i) => ({ ...i, reservation: i.reservation && loadReservation(i.reservation), retired: i.retired.map(loadReservation) }));
}

const select = {
  id: true, definition: true, configId: true, pastDefinitions: true, plans: true, podInstances: true, uninstall: true, revision: true,
  createdAt: true, updatedAt: true,
} as const;

type Row = { [K in keyof typeof select]: unknown } & { id: string; configId: string; revision: number; createdAt: Date; updatedAt: Date };
const toRecord = (r: Row): StatefulRecord => ({
  id: r.id,
  definition: r.definition as StatefulServiceDefinition,
  configId: r.configId,
  pastDefinitions: r.pastDefinitions as Record<string, StatefulServiceDefinition>,
  plans: r.plans as PlanState[],
  podInstances: loadInstances(r.podInstances),
  uninstall: (r.uninstall as { destroyData: boolean } | null) ?? null,
  revision: r.revision,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

/**
 * Stateful services in Postgres. Desired-state writes (create, update, uninstall,
 * operator verbs) come from any replica; the leader writes the reconciler's plans and
 * pod instances back, fenced. Both go through `revision`: a write that read an older
 * revision fails (RevisionConflictError) instead of losing the other's change.
 */
export class StatefulServiceRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<StatefulRecord[]> {
    return (await this.db.statefulService.findMany({ select, orderBy: { id: 'asc' } })).map((r) => toRecord(r as Row));
  }

  async get(id: string): Promise<StatefulRecord | null> {
    const row = await this.db.statefulService.findUnique({ where: { id }, select });
    return row ? toRecord(row as Row) : null;
  }

  /**
   * The service, its row locked until `tx` ends (a change made inside another transaction,
   * e.g. a resident app's /v2 deployment): the leader's write waits, then finds the revision moved.
   */
  async lockIn(tx: Tx, id: string): Promise<StatefulRecord | null> {
    await tx.$executeRaw`SELECT 1 FROM stateful_services WHERE id = ${id} FOR UPDATE`;
    const row = await tx.statefulService.findUnique({ where: { id }, select });
    return row ? toRecord(row as Row) : null;
  }

  /** A new service; false if one of that id exists. */
  async create(tx: Tx, record: Pick<StatefulRecord, 'id' | 'definition' | 'configId'>, now: Date): Promise<boolean> {
    const inserted = await tx.$executeRaw`
      INSERT INTO stateful_services (id, definition, config_id, past_definitions, created_at, updated_at)
      VALUES (${record.id}, ${JSON.stringify(record.definition)}::jsonb, ${record.configId},
              ${JSON.stringify({ [record.configId]: record.definition })}::jsonb, ${now}, ${now})
      ON CONFLICT (id) DO NOTHING`;
    if (inserted) await notify(tx, { type: 'desired' });
    return inserted === 1;
  }

  /**
   * Changes what is wanted or where the plans stand, from any replica, if nobody wrote
   * since `revision` was read: `change` gets the record and returns the fields to write.
   */
  async update(id: string, revision: number, change: Partial<Pick<StatefulRecord, 'definition' | 'configId' | 'pastDefinitions' | 'plans' | 'podInstances' | 'uninstall'>>, now: Date, tx?: Tx): Promise<void> {
    const run = async (t: Tx) => {
      const changed = await t.statefulService.updateMany({
        where: { id, revision },
        data: {
          ...(change.definition ? { definition: change.definition as object } : {}),
          ...(change.configId ? { configId: change.configId } : {}),
          ...(change.pastDefinitions ? { pastDefinitions: change.pastDefinitions as object } : {}),
          ...(change.plans ? { plans: change.plans as object[] } : {}),
          ...(change.podInstances ? { podInstances: storeInstances(change.podInstances) as object[] } : {}),
          ...(change.uninstall !== undefined ? { uninstall: change.uninstall ?? undefined } : {}),
          revision: { increment: 1 }, updatedAt: now,
        },
      });
      if (changed.count === 0) throw new RevisionConflictError(`stateful service ${id} changed meanwhile (or is gone); read it again`);
      await notify(t, { type: 'desired' });
    };
    if (tx) await run(tx);
    else await this.db.$transaction(run);
  }

  /** The leader writes what the reconciler returned, fenced by its epoch and the revision it read. */
  async recordPass(epoch: number, id: string, revision: number, state: Pick<StatefulRecord, 'plans' | 'podInstances'>, now: Date): Promise<void> {
    await fenced(this.db, epoch, async (tx) => {
      const changed = await tx.statefulService.updateMany({
        where: { id, revision },
        data: { plans: state.plans as object[], podInstances: storeInstances(state.podInstances) as object[], revision: { increment: 1 }, updatedAt: now },
      });
      if (changed.count === 0) throw new RevisionConflictError(`stateful service ${id} changed during the pass; the next pass reads it again`);
    });
  }

  /** An uninstalled service is forgotten (its tasks ended, its data destroyed if asked). */
  async remove(epoch: number, id: string, revision: number): Promise<void> {
    await fenced(this.db, epoch, async (tx) => {
      await tx.statefulService.deleteMany({ where: { id, revision } });
      await notify(tx, { type: 'desired' });
    });
  }
}
