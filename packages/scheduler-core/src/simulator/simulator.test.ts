import { describe, expect, it } from 'vitest';
import type { SimulationConfig } from './simulator.js';
import { simulate } from './simulator.js';

/** A small, eventful cluster: failures, returns, joins, drains, ignored offers, reservations. */
function chaos(seed: number, steps = 30): SimulationConfig {
  return {
    seed,
    steps,
    agents: 6,
    agentFailureRate: 0.1,
    agentReturnRate: 0.2,
    agentJoinRate: 0.05,
    drainRate: 0.08,
    ignoreOfferRate: 0.1,
    offerTimeoutMs: 3000,
    reservedAgentFraction: 0.4,
    frameworks: [
      { id: 'web', role: 'team-a/web', task: { cpus: 1, mem: 1024, ports: 2 }, initialDemand: 20, arrivalRate: 0.3, taskDurationMs: [2000, 8000], constraints: [{ field: 'hostname', operator: 'MAX_PER', value: '3' }] },
      { id: 'batch', role: 'team-a/batch', weight: 2, task: { cpus: 2, mem: 2048 }, initialDemand: 10, arrivalRate: 0.2, taskDurationMs: [1000, 4000] },
      { id: 'db', role: 'db', guarantee: { cpus: 4, mem: 4096 }, task: { cpus: 0.5, mem: 512 }, initialDemand: 5, arrivalRate: 0.1, taskDurationMs: [5000, 20000] },
    ],
  };
}

describe('cluster simulator', () => {
  it('replays a run exactly from its seed', () => {
    const a = simulate({ ...chaos(1234, 40), trace: true });
    const b = simulate({ ...chaos(1234, 40), trace: true });
    expect(b).toEqual(a);
    expect(a.trace.length).toBeGreaterThan(10);
    expect(simulate({ ...chaos(1235, 40), trace: true }).trace).not.toEqual(a.trace);
  });

  it('does real work: launches, finishes, loses tasks and rescinds offers', () => {
    const r = simulate(chaos(7, 80));
    expect(r.violations).toEqual([]);
    expect(r.tasksLaunched).toBeGreaterThan(20);
    expect(r.tasksFinished).toBeGreaterThan(5);
    expect(r.offers.rescinded).toBeGreaterThan(0);
    expect(r.offers.created).toBe(r.offers.accepted + r.offers.declined + r.offers.rescinded);
  });

  it('holds every safety invariant across 1,000 seeded chaotic runs', () => {
    // Invariants: no over-commit, no foreign reservation offered, filters honoured,
    // every offer answered or rescinded. A failure prints its seed for replay.
    const failures: string[] = [];
    for (let seed = 0; seed < 1000; seed++) {
      const r = simulate(chaos(seed, 25));
      if (r.violations.length > 0) failures.push(`seed ${seed}: ${r.violations[0]}`);
    }
    expect(failures).toEqual([]);
  });

  it('converges DRF shares to role weights under contention', () => {
    // Three roles with unbounded demand of identical small tasks; weights 1 : 2 : 3.
    // Expected dominant shares ≈ total utilisation × w / Σw.
    const r = simulate({
      seed: 99,
      steps: 300,
      agents: 12,
      frameworks: [1, 2, 3].map((w) => ({
        id: `fw${w}`,
        role: `w${w}`,
        weight: w,
        task: { cpus: 0.5, mem: 512 },
        initialDemand: Infinity,
        taskDurationMs: [1000, 3000] as const,
      })),
    });
    expect(r.violations).toEqual([]);
    const s = r.meanShares;
    const perWeight = [s.w1! / 1, s.w2! / 2, s.w3! / 3];
    const mean = perWeight.reduce((a, b) => a + b, 0) / 3;
    for (const x of perWeight) expect(Math.abs(x - mean) / mean).toBeLessThan(0.15);
  });
});
