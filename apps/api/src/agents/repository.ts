import { noResourcesUsed, type AgentAttributes, type AgentResources, type NodeMode, type NodeState, type NodeView, type ResourceUsage } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import { fenced, type Tx } from '../db/fenced.js';
import { notify } from '../events/notify.js';

/** Everything the API reads and writes about agents. The only place Prisma sees them. */

const nodeSelect = {
  id: true, hostname: true, address: true, state: true, mode: true, resources: true, used: true,
  attributes: true, registeredAt: true, lastHeartbeatAt: true,
} as const;

export interface Registration {
  id: string;
  hostname: string;
  address: string;
  resources: AgentResources;
  attributes: AgentAttributes;
  agentVersion: string;
}

export class AgentRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<NodeView[]> {
    const rows = await this.db.agent.findMany({ select: nodeSelect, orderBy: [{ hostname: 'asc' }, { id: 'asc' }] });
    return rows.map((r) => ({
      ...r,
      resources: r.resources as AgentResources,
      used: r.used as ResourceUsage,
      attributes: r.attributes as AgentAttributes,
      registeredAt: r.registeredAt.toISOString(),
      lastHeartbeatAt: r.lastHeartbeatAt.toISOString(),
    }));
  }

  /** Heartbeat bookkeeping for the liveness check (reachable agents only). */
  async reachable(): Promise<{ id: string; lastHeartbeatAt: Date }[]> {
    return this.db.agent.findMany({ where: { state: 'ACTIVE' }, select: { id: true, lastHeartbeatAt: true } });
  }

  /** Records a (re-)registration: the agent is ACTIVE with what it reported now. */
  async register(epoch: number, agent: Registration, now: Date): Promise<void> {
    await fenced(this.db, epoch, async (tx) => {
      const fields = {
        hostname: agent.hostname, address: agent.address, state: 'ACTIVE' as NodeState,
        resources: agent.resources, attributes: agent.attributes, agentVersion: agent.agentVersion,
        lastHeartbeatAt: now, epoch,
      };
      await tx.agent.upsert({
        where: { id: agent.id },
        create: { id: agent.id, ...fields, used: noResourcesUsed(), registeredAt: now },
        update: fields,
      });
      await notify(tx, { type: 'node', nodeId: agent.id, state: 'ACTIVE' });
    });
  }

  /**
   * Writes a batch of heartbeats in one statement (thousands of agents heartbeat every
   * few seconds; one row-commit each would saturate Postgres). Agents that were
   * UNREACHABLE and heartbeat again turn ACTIVE.
   */
  async recordHeartbeats(epoch: number, beats: ReadonlyMap<string, Date>): Promise<void> {
    if (beats.size === 0) return;
    const ids = [...beats.keys()];
    const times = ids.map((id) => beats.get(id)!.toISOString());
    await fenced(this.db, epoch, async (tx) => {
      const revived = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM agents WHERE id = ANY(${ids}::text[]) AND state <> 'ACTIVE' FOR UPDATE`;
      await tx.$executeRaw`
        UPDATE agents AS a SET last_heartbeat_at = v.t, state = 'ACTIVE', epoch = ${epoch}
        FROM unnest(${ids}::text[], ${times}::timestamptz[]) AS v(id, t)
        WHERE a.id = v.id AND a.last_heartbeat_at < v.t`;
      for (const { id } of revived) await notify(tx, { type: 'node', nodeId: id, state: 'ACTIVE' });
    });
  }

  /**
   * Marks agents UNREACHABLE; `alsoInTransaction` runs in the same transaction with the
   * ids that changed (their tasks turn TASK_UNREACHABLE atomically with them).
   * Returns those ids.
   */
  /** Drain or reactivate a node (any replica may; the leader's scheduler acts on it). */
  async setMode(id: string, mode: NodeMode): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const changed = await tx.agent.updateMany({ where: { id }, data: { mode } });
      if (changed.count === 0) return false;
      const row = await tx.agent.findUniqueOrThrow({ where: { id }, select: { state: true } });
      await notify(tx, { type: 'node', nodeId: id, state: row.state });
      return true;
    });
  }

  /** What the tasks on each agent hold, as the leader's allocator counts it (one statement). */
  async recordUsed(epoch: number, used: ReadonlyMap<string, ResourceUsage>): Promise<void> {
    if (used.size === 0) return;
    const ids = [...used.keys()];
    await fenced(this.db, epoch, (tx) => tx.$executeRaw`
      UPDATE agents AS a SET used = v.u FROM unnest(${ids}::text[], ${ids.map((id) => JSON.stringify(used.get(id)))}::jsonb[]) AS v(id, u)
      WHERE a.id = v.id`);
  }

  async markUnreachable(epoch: number, ids: readonly string[], alsoInTransaction?: (tx: Tx, changed: string[]) => Promise<void>): Promise<string[]> {
    if (ids.length === 0) return [];
    return fenced(this.db, epoch, async (tx) => {
      const changed = (await tx.$queryRaw<{ id: string }[]>`
        UPDATE agents SET state = 'UNREACHABLE', epoch = ${epoch}
        WHERE id = ANY(${[...ids]}::text[]) AND state = 'ACTIVE' RETURNING id`).map((r) => r.id);
      for (const id of changed) await notify(tx, { type: 'node', nodeId: id, state: 'UNREACHABLE' });
      if (changed.length && alsoInTransaction) await alsoInTransaction(tx, changed);
      return changed;
    });
  }
}
