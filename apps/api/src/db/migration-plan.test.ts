import { describe, expect, it } from 'vitest';
import { planMigrations } from './migration-plan.js';

const m = (name: string, checksum = `sum-${name}`) => ({ name, checksum, sql: `-- ${name}` });
const done = (name: string, checksum = `sum-${name}`, finished = true) => ({ name, checksum, finished });

describe('planMigrations', () => {
  it('applies what is not yet recorded, in name order', () => {
    const plan = planMigrations([m('2_b'), m('1_a'), m('3_c')], [done('1_a')]);
    expect(plan).toEqual({ ok: true, pending: [m('2_b'), m('3_c')] });
  });

  it('applies nothing when everything is recorded', () => {
    expect(planMigrations([m('1_a')], [done('1_a')])).toEqual({ ok: true, pending: [] });
  });

  it('refuses a migration edited after it was applied', () => {
    const plan = planMigrations([m('1_a', 'new')], [done('1_a', 'old')]);
    expect(plan).toEqual({ ok: false, error: expect.stringContaining('1_a was edited after it was applied') });
  });

  it('refuses a database migrated by a newer Gantry', () => {
    const plan = planMigrations([m('1_a')], [done('1_a'), done('2_b')]);
    expect(plan).toEqual({ ok: false, error: expect.stringContaining('2_b, which this Gantry does not know') });
  });

  it('refuses to continue past a half-applied migration', () => {
    const plan = planMigrations([m('1_a')], [done('1_a', 'sum-1_a', false)]);
    expect(plan).toEqual({ ok: false, error: expect.stringContaining('started but never finished') });
  });
});
