import type { DeploymentAction } from '@gantry/scheduler-core';
import type { App } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import { fenced, type Tx } from '../db/fenced.js';

/** Deployments: the plans that move apps from what they were to what is wanted. */

/** An app inside a deployment's before/after picture (null: absent). */
export interface DeployedApp {
  app: App;
  version: string;
  lastScalingAt: string;
  lastConfigChangeAt: string;
}

export interface DeploymentRecord {
  id: string;
  version: Date;
  status: 'ACTIVE' | 'SUCCEEDED' | 'CANCELED';
  affectedApps: string[];
  steps: DeploymentAction[][];
  currentStep: number;
  original: Record<string, DeployedApp | null>;
  target: Record<string, DeployedApp | null>;
  createdAt: Date;
  finishedAt: Date | null;
}

const select = {
  id: true, version: true, status: true, affectedApps: true, steps: true, currentStep: true, original: true, target: true, createdAt: true, finishedAt: true,
} as const;

type Row = Omit<DeploymentRecord, 'steps' | 'original' | 'target'> & { steps: unknown; original: unknown; target: unknown };
const toRecord = (r: Row): DeploymentRecord => ({
  ...r, steps: r.steps as DeploymentAction[][], original: r.original as DeploymentRecord['original'], target: r.target as DeploymentRecord['target'],
});

export class DeploymentRepository {
  constructor(private readonly db: Db) {}

  /** Active deployments, oldest first (the order they were asked for). */
  async active(): Promise<DeploymentRecord[]> {
    return (await this.db.deployment.findMany({ where: { status: 'ACTIVE' }, select, orderBy: { createdAt: 'asc' } })).map(toRecord);
  }

  async get(id: string): Promise<DeploymentRecord | null> {
    const row = await this.db.deployment.findUnique({ where: { id }, select });
    return row ? toRecord(row) : null;
  }

  /** The most recent deployments, finished ones included (the console's history). */
  async recent(limit: number): Promise<DeploymentRecord[]> {
    return (await this.db.deployment.findMany({ select, orderBy: { createdAt: 'desc' }, take: limit })).map(toRecord);
  }

  async activeIn(tx: Tx): Promise<DeploymentRecord[]> {
    return (await tx.deployment.findMany({ where: { status: 'ACTIVE' }, select, orderBy: { createdAt: 'asc' } })).map(toRecord);
  }

  async create(tx: Tx, record: DeploymentRecord): Promise<void> {
    await tx.deployment.create({
      data: {
        id: record.id, version: record.version, status: record.status, affectedApps: record.affectedApps,
        steps: record.steps as object, currentStep: record.currentStep, original: record.original as object, target: record.target as object,
        createdAt: record.createdAt, finishedAt: record.finishedAt,
      },
    });
  }

  async cancel(tx: Tx, ids: readonly string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await tx.deployment.updateMany({ where: { id: { in: [...ids] }, status: 'ACTIVE' }, data: { status: 'CANCELED', finishedAt: now } });
  }

  /**
   * The leader moves a deployment on (fenced); `also` writes its events in the same
   * transaction. Returns false when the deployment is no longer active (canceled
   * meanwhile by an API call): the caller drops its view of it.
   */
  async advance(epoch: number, id: string, currentStep: number, finished: boolean, now: Date, also: (tx: Tx) => Promise<void>): Promise<boolean> {
    return fenced(this.db, epoch, async (tx) => {
      const changed = await tx.deployment.updateMany({
        where: { id, status: 'ACTIVE' },
        data: { currentStep, ...(finished ? { status: 'SUCCEEDED' as const, finishedAt: now } : {}) },
      });
      if (changed.count === 0) return false;
      await also(tx);
      return true;
    });
  }
}
