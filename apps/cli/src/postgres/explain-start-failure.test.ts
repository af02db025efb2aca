import { describe, expect, it } from 'vitest';
import { explainStartFailure } from './embedded.js';

describe('explainStartFailure', () => {
  const dir = '/srv/gantry/postgres/data';
  it.each([
    ['LOG:  could not bind IPv4 address "127.0.0.1": Address already in use', 'port 5432 is already in use, so Postgres cannot listen there — stop what holds it or set GANTRY_PG_PORT to a free port'],
    ['FATAL:  lock file "postmaster.pid" already exists', `another Postgres is already running on ${dir} (postmaster.pid) — stop the other Gantry first`],
    ['FATAL:  database files are incompatible with server\nDETAIL: initialized by version 9', `the data in ${dir} was made by another Postgres version — move it away (or export it) and start again`],
    [`postgres: could not access directory "${dir}": Permission denied`, `Postgres cannot use its data directory ${dir} (could not access directory "${dir}": Permission denied) — fix its ownership or permissions, or remove it`],
    ['PANIC:  could not locate a valid checkpoint record', `Postgres did not start: PANIC:  could not locate a valid checkpoint record — check the data directory ${dir}`],
  ])('turns %j into one line with a fix', (log, expected) => {
    expect(explainStartFailure(log, dir, 5432)).toBe(expected);
  });
});
