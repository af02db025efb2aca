import { TaskSpec, type TaskStatus } from '@gantry/specs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRepository } from '../agents/repository.js';
import { createDb, type Db } from '../db/prisma.js';
import { DeposedError } from '../leadership/elector.js';
import type { RunningApi } from '../server.js';
import { startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';
import { TaskRepository } from './repository.js';

/** Status updates against real Postgres: applied once per uuid, fenced by the leader epoch. */
describe('task repository', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let db: Db;
  let tasks: TaskRepository;
  let epoch: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = await startTestApi(database.url);
    await waitFor('leadership', () => api.isLeader());
    db = createDb(database.url);
    tasks = new TaskRepository(db);
    epoch = (await db.leadership.findUniqueOrThrow({ where: { id: 1 } })).epoch;
    await new AgentRepository(db).register(epoch, {
      id: 'agent-0001', hostname: 'a', address: '127.0.0.1', resources: { cpus: 1, mem: 64, disk: 0, ports: [] }, attributes: {}, agentVersion: 't',
    }, new Date());
  });
  afterAll(async () => {
    await db?.$disconnect();
    await api?.close();
    await database?.drop();
  });

  const status = (uuid: string, state: TaskStatus['state']): TaskStatus => ({ uuid, taskId: 't1', state, timestamp: new Date().toISOString() });

  it('applies an update once; a re-delivered duplicate changes nothing', async () => {
    await tasks.stage(epoch, 'agent-0001', TaskSpec.parse({ taskId: 't1', cmd: 'true', resources: { cpus: 1, mem: 8 } }), new Date());
    expect(await tasks.recordStatus(epoch, 'agent-0001', status('u1', 'TASK_RUNNING'), new Date())).toBe('applied');
    expect(await tasks.recordStatus(epoch, 'agent-0001', status('u2', 'TASK_FINISHED'), new Date())).toBe('applied');
    expect(await tasks.recordStatus(epoch, 'agent-0001', status('u1', 'TASK_RUNNING'), new Date())).toBe('duplicate');
    expect((await tasks.get('t1'))?.state).toBe('TASK_FINISHED');
    expect(await tasks.appliedUpdates('t1')).toHaveLength(2);
  });

  it('never moves a task out of a terminal state', async () => {
    expect(await tasks.recordStatus(epoch, 'agent-0001', status('u3', 'TASK_RUNNING'), new Date())).toBe('stale');
    expect((await tasks.get('t1'))?.state).toBe('TASK_FINISHED');
  });

  it('writes a batch in one transaction: each update applied once, duplicates and terminal tasks untouched', async () => {
    const spec = (taskId: string) => TaskSpec.parse({ taskId, cmd: 'true', resources: { cpus: 1, mem: 8 } });
    await tasks.stage(epoch, 'agent-0001', spec('b1'), new Date());
    await tasks.stage(epoch, 'agent-0001', spec('b2'), new Date());
    const s = (uuid: string, taskId: string, state: TaskStatus['state'], extra: Partial<TaskStatus> = {}) =>
      ({ agentId: 'agent-0001', status: { uuid, taskId, state, timestamp: new Date().toISOString(), ...extra } });
    const outcomes = await tasks.recordStatuses(epoch, [
      s('b1-run', 'b1', 'TASK_RUNNING', { pid: 42, healthy: true }),
      s('b2-fail', 'b2', 'TASK_FAILED', { exitCode: 3, message: 'Command exited with status 3' }),
      s('b1-run', 'b1', 'TASK_RUNNING', { pid: 42, healthy: true }), // the same update twice in one batch
      s('u1', 't1', 'TASK_RUNNING'), // applied long ago
    ], new Date());
    expect(outcomes).toEqual(['applied', 'applied', 'applied', 'duplicate']);
    expect(await tasks.get('b1')).toMatchObject({ state: 'TASK_RUNNING', pid: 42, healthy: true });
    expect(await tasks.get('b2')).toMatchObject({ state: 'TASK_FAILED', exitCode: 3, message: 'Command exited with status 3' });
    expect(await tasks.recordStatuses(epoch, [s('b2-late', 'b2', 'TASK_RUNNING')], new Date())).toEqual(['stale']);
    expect((await tasks.get('b2'))?.state).toBe('TASK_FAILED');
  });

  it('refuses a deposed leader\'s write', async () => {
    await expect(tasks.recordStatus(epoch - 1 || 99, 'agent-0001', status('u4', 'TASK_RUNNING'), new Date())).rejects.toBeInstanceOf(DeposedError);
  });

  it('reconciles: a staged task the agent does not know is DROPPED; a live task the master does not know is to be killed', async () => {
    await tasks.stage(epoch, 'agent-0001', TaskSpec.parse({ taskId: 't2', cmd: 'true', resources: { cpus: 1, mem: 8 } }), new Date());
    const unwanted = await tasks.reconcile(epoch, 'agent-0001', [{ taskId: 'stranger', state: 'TASK_RUNNING' }], new Date());
    expect(unwanted).toEqual(['stranger']);
    expect(await tasks.get('t2')).toMatchObject({ state: 'TASK_DROPPED', reason: 'REASON_RECONCILIATION' });
  });
});
