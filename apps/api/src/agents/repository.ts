import { noResourcesUsed, type AgentAttributes, type AgentResources, type NodeMode, type NodeState, type NodeView, type ResourceUsage } from '@gantry/specs';
import type { Db } from '../db/prisma.js';
import { fenced, type Tx } from '../db/fenced.js';
import type { ClusterEvent } from '../events/cluster-event.js';
import { EVENTS_CHANNEL, notify } from '../events/notify.js';

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

type NodeRow = { id: string; hostname: string; address: string; state: NodeState; mode: NodeMode; resources: unknown; used: unknown; attributes: unknown; registeredAt: Date; lastHeartbeatAt: Date };
const toView = (r: NodeRow): NodeView => ({
  ...r,
  resources: r.resources as AgentResources,
  used: r.used as ResourceUsage,
  attributes: r.attributes as AgentAttributes,
  registeredAt: r.registeredAt.toISOString(),
  lastHeartbeatAt: r.lastHeartbeatAt.toISOString(),
});

const USED_CHUNK = 500;

export class AgentRepository {
  constructor(private readonly db: Db) {}

  async list(): Promise<NodeView[]> {
    const rows = await this.db.agent.findMany({ select: nodeSelect, orderBy: [{ hostname: 'asc' }, { id: 'asc' }] });
    return rows.map(toView);
  }

  /** These agents (those that exist), for a reader that follows node events instead of listing every agent. */
  async byIds(ids: readonly string[]): Promise<NodeView[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.agent.findMany({ where: { id: { in: [...ids] } }, select: nodeSelect });
    return rows.map(toView);
  }

  /** Heartbeat bookkeeping for the liveness check (reachable agents only). */
  async reachable(): Promise<{ id: string; lastHeartbeatAt: Date }[]> {
    return this.db.agent.findMany({ where: { state: 'ACTIVE' }, select: { id: true, lastHeartbeatAt: true } });
  }

  /** Records a (re-)registration: the agent is ACTIVE with what it reported now. */
  async register(epoch: number, agent: Registration, now: Date): Promise<void> {
    await this.registerMany(epoch, [agent], now);
  }

  /**
   * Many (re-)registrations in one fenced transaction of two statements (after a failover
   * thousands of agents register within seconds; a transaction each would queue them for
   * longer than their handshake lasts). The same as `register` for each, in input order:
   * the last registration of an id wins.
   */
  async registerMany(epoch: number, agents: readonly Registration[], now: Date): Promise<void> {
    if (agents.length === 0) return;
    // One row per id (an upsert cannot touch a row twice), locked in id order like every multi-row agent write.
    const rows = [...new Map(agents.map((a) => [a.id, a])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const col = <T>(pick: (a: Registration) => T) => rows.map(pick);
    await fenced(this.db, epoch, async (tx) => {
      await tx.$executeRaw`
        INSERT INTO agents AS a (id, hostname, address, state, resources, used, attributes, agent_version, registered_at, last_heartbeat_at, epoch)
        SELECT id, hostname, address, 'ACTIVE', resources, ${JSON.stringify(noResourcesUsed())}::jsonb, attributes, version, ${now}, ${now}, ${epoch}
        FROM unnest(${col((a) => a.id)}::text[], ${col((a) => a.hostname)}::text[], ${col((a) => a.address)}::text[],
                    ${col((a) => JSON.stringify(a.resources))}::jsonb[], ${col((a) => JSON.stringify(a.attributes))}::jsonb[],
                    ${col((a) => a.agentVersion)}::text[]) AS v(id, hostname, address, resources, attributes, version)
        ORDER BY id
        ON CONFLICT (id) DO UPDATE SET
          hostname = EXCLUDED.hostname, address = EXCLUDED.address, state = 'ACTIVE', resources = EXCLUDED.resources,
          attributes = EXCLUDED.attributes, agent_version = EXCLUDED.agent_version, last_heartbeat_at = EXCLUDED.last_heartbeat_at,
          epoch = EXCLUDED.epoch`;
      await notifyNodes(tx, rows.map((a) => a.id), 'ACTIVE');
    });
  }

  /**
   * Writes a batch of heartbeats in one statement (thousands of agents heartbeat every
   * few seconds; one row-commit each would saturate Postgres). Agents that were
   * UNREACHABLE and heartbeat again turn ACTIVE.
   */
  async recordHeartbeats(epoch: number, beats: ReadonlyMap<string, Date>): Promise<void> {
    if (beats.size === 0) return;
    const ids = [...beats.keys()].sort();
    const times = ids.map((id) => beats.get(id)!.toISOString());
    await fenced(this.db, epoch, async (tx) => {
      // Every row is locked first, in id order, as every multi-row agent write does (no deadlocks between them).
      const revived = (await tx.$queryRaw<{ id: string; state: NodeState }[]>`
        SELECT id, state::text AS state FROM agents WHERE id = ANY(${ids}::text[]) ORDER BY id FOR NO KEY UPDATE`).filter((r) => r.state !== 'ACTIVE');
      await tx.$executeRaw`
        UPDATE agents AS a SET last_heartbeat_at = v.t, state = 'ACTIVE', epoch = ${epoch}
        FROM unnest(${ids}::text[], ${times}::timestamptz[]) AS v(id, t)
        WHERE a.id = v.id AND a.last_heartbeat_at < v.t`;
      await notifyNodes(tx, revived.map((r) => r.id), 'ACTIVE');
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

  /**
   * What the tasks on each agent hold, as the leader's allocator counts it: a statement per
   * 500 agents, each its own short transaction, so that heartbeats (which write the same
   * rows) never wait long behind it.
   */
  async recordUsed(epoch: number, used: ReadonlyMap<string, ResourceUsage>): Promise<void> {
    if (used.size === 0) return;
    const all = [...used.keys()].sort();
    for (let i = 0; i < all.length; i += USED_CHUNK) {
      const ids = all.slice(i, i + USED_CHUNK);
      await fenced(this.db, epoch, (tx) => tx.$executeRaw`
        UPDATE agents AS a SET used = v.u FROM unnest(${ids}::text[], ${ids.map((id) => JSON.stringify(used.get(id)))}::jsonb[]) AS v(id, u)
        WHERE a.id = v.id AND a.id IN (SELECT id FROM agents WHERE id = ANY(${ids}::text[]) ORDER BY id FOR NO KEY UPDATE)`);
    }
  }

  async markUnreachable(epoch: number, silent: readonly { id: string; lastHeartbeatAt: Date }[], alsoInTransaction?: (tx: Tx, changed: string[]) => Promise<void>): Promise<string[]> {
    if (silent.length === 0) return [];
    const ids = silent.map((a) => a.id);
    const heard = silent.map((a) => a.lastHeartbeatAt.toISOString());
    return fenced(this.db, epoch, async (tx) => {
      // Only if nothing was heard from it since the check read it: an agent that
      // re-registered or sent a heartbeat meanwhile stays ACTIVE.
      const changed = (await tx.$queryRaw<{ id: string }[]>`
        UPDATE agents AS a SET state = 'UNREACHABLE', epoch = ${epoch}
        FROM unnest(${ids}::text[], ${heard}::timestamptz[]) AS s(id, heard)
        WHERE a.id = s.id AND a.id IN (SELECT id FROM agents WHERE id = ANY(${ids}::text[]) ORDER BY id FOR NO KEY UPDATE)
          AND a.state = 'ACTIVE' AND a.last_heartbeat_at = s.heard
        RETURNING a.id`).map((r) => r.id);
      await notifyNodes(tx, changed, 'UNREACHABLE');
      if (changed.length && alsoInTransaction) await alsoInTransaction(tx, changed);
      return changed;
    });
  }
}

/** One node event per agent, in one statement (heard once the transaction commits). */
async function notifyNodes(tx: Tx, ids: readonly string[], state: NodeState): Promise<void> {
  if (ids.length === 0) return;
  const payloads = ids.map((nodeId) => JSON.stringify({ type: 'node', nodeId, state } satisfies ClusterEvent));
  await tx.$executeRaw`SELECT count(pg_notify(${EVENTS_CHANNEL}, p)) FROM unnest(${payloads}::text[]) AS p`;
}
