import type { Db } from '../db/prisma.js';
import type { EventBus } from '../events/bus.js';
import type { AgentCommands } from '../tasks/agent-commands.js';
import { ConsoleRepository } from './console-repository.js';
import { Fresh } from './fresh.js';
import { DEFAULT_SAMPLE_MS, MetricsHistory } from './metrics-history.js';

/** What the console's tRPC procedures need beyond the API's context: its read model and the capacity history. */
export interface ConsoleServices {
  repository: ConsoleRepository;
  metrics: MetricsHistory;
  /** Values recomputed on the next cluster event (or after `maxAgeMs`), shared by every console. */
  fresh: <T>(key: string, maxAgeMs: number, load: () => Promise<T>) => Promise<T>;
}

export interface ConsoleDeps {
  db: Db;
  commands: AgentCommands;
  /** Every cluster event invalidates the shared values. */
  events: EventBus;
  now: () => Date;
  /** False once the replica closes: sampling stops. */
  open: () => boolean;
  sampleMs?: number;
}

// Keyed by the replica's AgentRepository, which every tRPC context of that replica
// carries: several replicas in one process (the failover tests) keep their own.
const registry = new WeakMap<object, ConsoleServices>();

/** Starts the console's services for one API replica (server.ts calls it once). */
export function startConsole(replicaKey: object, deps: ConsoleDeps): ConsoleServices {
  const repository = new ConsoleRepository(deps.db);
  const metrics = new MetricsHistory({
    totals: () => repository.capacityTotals(),
    activeAgentIds: () => repository.activeAgentIds(),
    usage: (agentId) => deps.commands.usage(agentId),
    open: deps.open,
    now: deps.now,
  }, deps.sampleMs ?? DEFAULT_SAMPLE_MS);
  metrics.start();
  const values = new Map<string, Fresh<unknown>>();
  void (async () => {
    for await (const _event of deps.events.subscribe(undefined)) for (const value of values.values()) value.invalidate();
  })();
  const fresh = <T>(key: string, maxAgeMs: number, load: () => Promise<T>): Promise<T> => {
    let value = values.get(key) as Fresh<T> | undefined;
    if (!value) values.set(key, (value = new Fresh(load, maxAgeMs)));
    return value.get();
  };
  const services = { repository, metrics, fresh };
  registry.set(replicaKey, services);
  return services;
}

export function consoleOf(replicaKey: object): ConsoleServices {
  const services = registry.get(replicaKey);
  if (!services) throw new Error('the console read model was not started for this API replica (startConsole in server.ts)');
  return services;
}
