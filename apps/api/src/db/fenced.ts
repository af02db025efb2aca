import type { Db } from './prisma.js';
import { DeposedError } from '../leadership/elector.js';

export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/**
 * Runs a leader write in a transaction that first locks the leadership row FOR SHARE
 * and checks the epoch: a deposed leader's write throws DeposedError and changes
 * nothing, and a new leader's epoch bump waits until this write has committed.
 */
export async function fenced<T>(db: Db, epoch: number, write: (tx: Tx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const rows = await tx.$queryRaw<{ epoch: number }[]>`SELECT epoch FROM leadership WHERE id = 1 FOR SHARE`;
    const current = rows[0]?.epoch ?? null;
    if (current !== epoch) throw new DeposedError(epoch, current);
    return write(tx);
  });
}
