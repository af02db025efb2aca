/**
 * A deterministic cluster simulator: a virtual clock, a seeded random source, agents
 * that join, fail, return and drain, and frameworks with demand that answer offers using
 * the placement pipeline — all driving the real allocator and offer book.
 *
 * Each step of `stepMs` virtual milliseconds:
 *   1. tasks whose time is up finish and return their resources;
 *   2. random cluster events (agent failure / return / join / drain, demand arrival);
 *   3. offers past their timeout are rescinded;
 *   4. one allocation round (the coalesced pending one; a full one every `fullRoundEvery`);
 *   5. every framework answers its new offers: place pending tasks (LAUNCH), decline the
 *      rest with a random `refuseSeconds` — or, sometimes, leave an offer unanswered.
 *
 * The checker (invariants.ts) watches every offer and every step. Same config, same
 * seed → the same run, event for event: a failing seed replays exactly.
 */
import { HierarchicalAllocator } from '../allocator/hierarchical-allocator.js';
import type { AgentSpec } from '../allocator/types.js';
import { OfferBook, type Offer } from '../offers/offer-book.js';
import { placeInstances } from '../placement/pipeline.js';
import type { PlacementCandidate, PlacementRequest } from '../placement/types.js';
import { SeededRandom } from '../random/seeded-random.js';
import { res } from '../resources/parse.js';
import type { Resources } from '../resources/resources.js';
import { scalars } from '../resources/scalars.js';
import { InvariantChecker } from './invariants.js';

export interface SimFramework {
  readonly id: string;
  readonly role: string;
  readonly weight?: number;
  /** Guaranteed cpus/mem for the role (quota). */
  readonly guarantee?: { cpus: number; mem: number };
  readonly task: { cpus: number; mem: number; ports?: number };
  /** Tasks wanting to run at the start; `Infinity` for unbounded demand. */
  readonly initialDemand: number;
  /** Probability per step that 1–5 more tasks arrive. */
  readonly arrivalRate?: number;
  readonly taskDurationMs: readonly [min: number, max: number];
  readonly constraints?: PlacementRequest['constraints'];
}

export interface SimulationConfig {
  readonly seed: number;
  readonly steps: number;
  readonly stepMs?: number;
  readonly agents: number;
  readonly frameworks: readonly SimFramework[];
  /** Per-step probabilities of cluster events. */
  readonly agentFailureRate?: number;
  readonly agentReturnRate?: number;
  readonly agentJoinRate?: number;
  readonly drainRate?: number;
  /** Probability that a framework leaves an offer unanswered (to exercise expiry). */
  readonly ignoreOfferRate?: number;
  readonly offerTimeoutMs?: number;
  /** Fraction of agents with half their resources statically reserved for a framework's role. */
  readonly reservedAgentFraction?: number;
  readonly fullRoundEvery?: number;
  /** Record a human-readable event trace (costly; for replaying a failing seed). */
  readonly trace?: boolean;
}

export interface SimulationResult {
  readonly seed: number;
  readonly violations: readonly string[];
  readonly tasksLaunched: number;
  readonly tasksFinished: number;
  readonly tasksLost: number;
  readonly offers: { created: number; accepted: number; declined: number; rescinded: number };
  /** Per role: mean dominant share over the second half of the run. */
  readonly meanShares: Readonly<Record<string, number>>;
  readonly trace: readonly string[];
}

interface RunningTask {
  readonly id: string;
  readonly frameworkId: string;
  readonly role: string;
  readonly agentId: string;
  readonly resources: Resources;
  readonly endsAt: number;
}

const SIZES = ['cpus:4;mem:8192;disk:100000;ports:[31000-31099]', 'cpus:8;mem:16384;disk:100000;ports:[31000-31199]', 'cpus:16;mem:32768;disk:100000;ports:[31000-31499]'];

export function simulate(config: SimulationConfig): SimulationResult {
  const rnd = new SeededRandom(config.seed);
  const stepMs = config.stepMs ?? 1000;
  const trace: string[] = [];
  const log = (now: number, line: string) => {
    if (config.trace) trace.push(`${now} ${line}`);
  };
  const allocator = new HierarchicalAllocator({ seed: rnd.nextUint32() });
  const checker = new InvariantChecker(allocator);
  const book = new OfferBook(allocator, {
    offerTimeoutMs: config.offerTimeoutMs ?? 10_000,
    idPrefix: `sim${config.seed}`,
    onOffers: (_fw, offers) => checker.onOffers(offers, now),
  });
  let now = 0;
  const roles = [...new Set(config.frameworks.map((f) => f.role))];

  for (const f of config.frameworks) {
    if (f.weight !== undefined) allocator.setWeight(f.role, f.weight);
    if (f.guarantee) allocator.setQuota(f.role, { guarantee: scalars(f.guarantee), limit: new Map() });
    allocator.addFramework({ id: f.id, roles: [f.role], principal: f.id });
  }

  let agentSeq = 0;
  const down: AgentSpec[] = [];
  const drainingUntil = new Map<string, number>();
  const makeAgent = (): AgentSpec => {
    const id = `agent-${String(agentSeq++).padStart(4, '0')}`;
    let text = rnd.pick(SIZES);
    if (roles.length > 0 && rnd.chance(config.reservedAgentFraction ?? 0)) {
      const role = rnd.pick(roles);
      text = `${text};cpus(${role}):2;mem(${role}):4096`;
    }
    return { id, hostname: `${id}.sim`, resources: res(text), zone: rnd.pick(['a', 'b', 'c']), attributes: { rack: `r${rnd.int(4)}` } };
  };
  const addAgent = (spec: AgentSpec) => {
    allocator.addAgent(spec);
    log(now, `agent+ ${spec.id}`);
  };
  for (let i = 0; i < config.agents; i++) addAgent(makeAgent());

  const pending = new Map<string, number>(config.frameworks.map((f) => [f.id, f.initialDemand]));
  const running = new Map<string, RunningTask>();
  const specs = new Map<string, AgentSpec>();
  for (const id of allocator.agentIds()) specs.set(id, allocator.agent(id)!.spec);
  let taskSeq = 0;
  let tasksLaunched = 0;
  let tasksFinished = 0;
  let tasksLost = 0;
  const shareSums = new Map<string, number>(roles.map((r) => [r, 0]));
  let shareSamples = 0;

  const revive = (frameworkId: string) => {
    allocator.revive(frameworkId);
    checker.onRevive(frameworkId);
    log(now, `revive ${frameworkId}`);
  };
  const loseTasksOn = (agentId: string) => {
    for (const t of [...running.values()]) {
      if (t.agentId !== agentId) continue;
      running.delete(t.id);
      const before = pending.get(t.frameworkId) ?? 0;
      pending.set(t.frameworkId, before + 1);
      if (before === 0) revive(t.frameworkId); // lost tasks are demand again
      tasksLost++;
    }
  };

  for (let step = 0; step < config.steps; step++) {
    now += stepMs;

    // 1. Finished tasks return their resources.
    for (const t of [...running.values()]) {
      if (t.endsAt > now) continue;
      running.delete(t.id);
      const r = book.releaseTaskResources(t.frameworkId, t.role, t.agentId, t.resources, now);
      if (!r.ok) checker.violation(now, `finishing ${t.id}: ${r.error}`);
      tasksFinished++;
    }

    // 2. Cluster events.
    const up = allocator.agentIds().filter((id) => !drainingUntil.has(id));
    if (up.length > 1 && rnd.chance(config.agentFailureRate ?? 0)) {
      const id = rnd.pick(up);
      const { rescinded } = book.removeAgent(id, now);
      checker.onRescinded(rescinded.map((r) => r.offer));
      checker.onAgentRemoved(id);
      loseTasksOn(id);
      down.push(specs.get(id)!);
      log(now, `agent- ${id} (${rescinded.length} offers rescinded)`);
    }
    if (down.length > 0 && rnd.chance(config.agentReturnRate ?? 0)) {
      const spec = down.splice(rnd.int(down.length), 1)[0]!;
      addAgent(spec);
    }
    if (rnd.chance(config.agentJoinRate ?? 0)) {
      const spec = makeAgent();
      specs.set(spec.id, spec);
      addAgent(spec);
    }
    if (up.length > 0 && rnd.chance(config.drainRate ?? 0)) {
      const id = rnd.pick(up);
      const { rescinded } = book.setAgentMode(id, 'DRAINING', now);
      checker.onRescinded(rescinded.map((r) => r.offer));
      drainingUntil.set(id, now + rnd.between(2, 10) * stepMs);
      log(now, `drain ${id}`);
    }
    for (const [id, until] of [...drainingUntil]) {
      if (until > now) continue;
      drainingUntil.delete(id);
      if (allocator.agent(id)) book.setAgentMode(id, 'UP', now);
    }
    for (const f of config.frameworks) {
      if (f.arrivalRate && rnd.chance(f.arrivalRate)) {
        const before = pending.get(f.id)!;
        pending.set(f.id, before + rnd.between(1, 5));
        if (before === 0) revive(f.id);
      }
    }

    // 3. Offer timeouts.
    checker.onRescinded(book.expire(now).map((r) => r.offer));

    // 4. One allocation round.
    if (step % (config.fullRoundEvery ?? 5) === 0) allocator.allocate(now);
    else allocator.runPendingAllocation(now);

    // 5. Frameworks answer.
    for (const f of config.frameworks) {
      const offers = book.outstanding(f.id).filter((o) => checker.isNew(o.id));
      for (const o of offers) checker.markSeen(o.id);
      if (offers.length === 0) continue;
      const answerable = offers.filter(() => !rnd.chance(config.ignoreOfferRate ?? 0));
      const want = pending.get(f.id)!;
      const candidates: PlacementCandidate[] = answerable.map((o) => toCandidate(o, allocator));
      const request: PlacementRequest = {
        runSpecId: f.id,
        cpus: f.task.cpus,
        mem: f.task.mem,
        ports: new Array<number>(f.task.ports ?? 0).fill(0),
        acceptedResourceRoles: ['*', f.role],
        ...(f.constraints ? { constraints: f.constraints } : {}),
      };
      const placedNow = [...running.values()].filter((t) => t.frameworkId === f.id).map((t) => {
        const spec = specs.get(t.agentId)!;
        return { agentId: t.agentId, hostname: spec.hostname, ...(spec.zone ? { zone: spec.zone } : {}), ...(spec.attributes ? { attributes: spec.attributes } : {}) };
      });
      const batch = want > 0 ? placeInstances(request, Math.min(want, 10_000), candidates, placedNow) : { placements: [] };
      const byOffer = new Map<string, typeof batch.placements[number][]>();
      for (const p of batch.placements) {
        const list = byOffer.get(p.candidateId) ?? [];
        list.push(p);
        byOffer.set(p.candidateId, list);
      }
      for (const o of answerable) {
        const ps = byOffer.get(o.id);
        if (!ps) {
          const refuse = rnd.pick([0, 1, 2, 5, 5, 10]);
          book.decline(f.id, [o.id], now, { refuseSeconds: refuse });
          checker.onDeclined(o, refuse, now);
          continue;
        }
        const tasks = ps.map((p) => ({ taskId: `${f.id}-t${taskSeq++}`, resources: p.resources }));
        const refuse = rnd.pick([0, 1, 5]);
        const r = book.accept(f.id, [o.id], [{ type: 'LAUNCH', tasks }], now, { refuseSeconds: refuse });
        if (!r.ok) {
          checker.violation(now, `accept of ${o.id} failed: ${r.error.message}`);
          continue;
        }
        checker.onAccepted(o, r.remaining, refuse, now);
        for (const t of tasks) {
          const [lo, hi] = f.taskDurationMs;
          running.set(t.taskId, { id: t.taskId, frameworkId: f.id, role: f.role, agentId: o.agentId, resources: t.resources, endsAt: now + rnd.between(lo, hi) });
          tasksLaunched++;
        }
        pending.set(f.id, pending.get(f.id)! - tasks.length);
        log(now, `launch ${f.id} ×${tasks.length} on ${o.agentId}`);
      }
      if (pending.get(f.id) === 0) allocator.suppress(f.id);
    }

    checker.checkStep(now, running.values());
    if (step >= config.steps / 2) {
      shareSamples++;
      for (const r of roles) shareSums.set(r, shareSums.get(r)! + checker.dominantShare(r, running.values()));
    }
  }

  // Drain the book: every offer must end answered or rescinded.
  checker.onRescinded(book.expire(Infinity).map((r) => r.offer));
  checker.checkEnd(book);

  const meanShares: Record<string, number> = {};
  for (const r of roles) meanShares[r] = shareSamples > 0 ? shareSums.get(r)! / shareSamples : 0;
  return {
    seed: config.seed,
    violations: checker.violations,
    tasksLaunched,
    tasksFinished,
    tasksLost,
    offers: { ...book.stats },
    meanShares,
    trace,
  };
}

function toCandidate(o: Offer, allocator: HierarchicalAllocator): PlacementCandidate {
  const a = allocator.agent(o.agentId)!;
  return {
    id: o.id,
    agentId: o.agentId,
    hostname: o.hostname,
    role: o.role,
    resources: o.resources,
    agentTotal: a.total,
    mode: a.mode,
    ...(a.spec.zone ? { zone: a.spec.zone } : {}),
    ...(a.spec.attributes ? { attributes: a.spec.attributes } : {}),
  };
}
