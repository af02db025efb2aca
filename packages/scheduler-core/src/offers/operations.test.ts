import { describe, expect, it } from 'vitest';
import { res } from '../resources/parse.js';
import { dynamicReservation, scalar } from '../resources/resource.js';
import { Resources } from '../resources/resources.js';
import type { Operation } from './operations.js';
import { applyOperations } from './operations.js';

const ctx = { role: 'db', principal: 'ops' };
const reservedDb = (text: string) => res(text).reservedAs(dynamicReservation('db', 'ops'));
const volume = (id: string, size: number) =>
  Resources.of([scalar('disk', size, { reservation: dynamicReservation('db', 'ops'), volume: { id, containerPath: 'data', mode: 'RW' } })]);
const launch = (taskId: string, text: string | Resources): Operation => ({
  type: 'LAUNCH',
  tasks: [{ taskId, resources: typeof text === 'string' ? res(text) : text }],
});

describe('applyOperations', () => {
  it('launches tasks out of the offer and leaves the rest', () => {
    const r = applyOperations(res('cpus:4;mem:1024'), [launch('t1', 'cpus:1;mem:256'), launch('t2', 'cpus:1;mem:256')], ctx);
    expect(r.ok && r.applied.remaining.toString()).toBe('cpus:2;mem:512');
    expect(r.ok && r.applied.launched.map((t) => t.taskId)).toEqual(['t1', 't2']);
  });

  it('reserves, creates a volume and launches on it in one accept (the stateful-service sequence)', () => {
    const offered = res('cpus:4;mem:1024;disk:1000');
    const ops: Operation[] = [
      { type: 'RESERVE', resources: reservedDb('cpus:1;mem:256;disk:100') },
      { type: 'CREATE', volumes: volume('v1', 100) },
      launch('t1', reservedDb('cpus:1;mem:256').plus(volume('v1', 100))),
    ];
    const r = applyOperations(offered, ops, ctx);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.applied.remaining.toString()).toBe('cpus:3;disk:900;mem:768');
    expect(r.applied.conversions).toHaveLength(2);
  });

  it.each<[string, Resources, Operation[], string]>([
    ['over-commit', res('cpus:1'), [launch('t', 'cpus:2')], 'InsufficientResources'],
    ['two tasks over-commit together', res('cpus:1'), [launch('a', 'cpus:0.6'), launch('b', 'cpus:0.6')], 'InsufficientResources'],
    ["another role's reservation", res('cpus(web):1'), [launch('t', 'cpus(web):1')], 'OtherRolesReservation'],
    ['reserve for another role', res('cpus:1'), [{ type: 'RESERVE', resources: res('cpus:1').reservedAs(dynamicReservation('web', 'ops')) }], 'OtherRolesReservation'],
    ['reserve with a foreign principal', res('cpus:1'), [{ type: 'RESERVE', resources: res('cpus:1').reservedAs(dynamicReservation('db', 'mallory')) }], 'InvalidReservation'],
    ['unreserve a static reservation', res('cpus(db):1'), [{ type: 'UNRESERVE', resources: res('cpus(db):1') }], 'StaticReservation'],
    ['create a volume on unreserved disk', res('disk:100'), [{ type: 'CREATE', volumes: Resources.of([scalar('disk', 100, { volume: { id: 'v', containerPath: 'd', mode: 'RW' } })]) }], 'InvalidVolume'],
    ['create a volume twice', reservedDb('disk:200'), [{ type: 'CREATE', volumes: volume('v1', 100) }, { type: 'CREATE', volumes: volume('v1', 100) }], 'DuplicateVolume'],
    ['destroy a volume that is not offered', reservedDb('disk:100'), [{ type: 'DESTROY', volumes: volume('v1', 100) }], 'InsufficientResources'],
    ['a task id used twice', res('cpus:2'), [launch('t', 'cpus:1'), launch('t', 'cpus:1')], 'DuplicateTaskId'],
  ])('rejects %s', (_name, offered, ops, reason) => {
    const r = applyOperations(offered, ops, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.reason).toBe(reason);
  });

  it('unreserves dynamic reservations and destroys volumes back to plain disk', () => {
    const offered = reservedDb('cpus:1').plus(volume('v1', 100));
    const r = applyOperations(
      offered,
      [
        { type: 'DESTROY', volumes: volume('v1', 100) },
        { type: 'UNRESERVE', resources: reservedDb('cpus:1;disk:100') },
      ],
      ctx,
    );
    expect(r.ok && r.applied.remaining.toString()).toBe('cpus:1;disk:100');
  });
});
