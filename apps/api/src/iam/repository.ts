import type { Action, Grant, SigningKey } from '@gantry/auth';
import type { JWK } from 'jose';
import type { Db } from '../db/prisma.js';

/** Everything the API stores about identities, grants and token keys. */
export class IamRepository {
  constructor(private readonly db: Db) {}

  findUser(uid: string) {
    return this.db.user.findUnique({ where: { uid }, select: { uid: true, provider: true, passwordHash: true } });
  }

  /** Creates a local user unless it exists; true when this call created it. */
  async createLocalUserIfAbsent(uid: string, passwordHash: string, description: string): Promise<boolean> {
    const created = await this.db.user.createMany({ data: [{ uid, passwordHash, description, provider: 'LOCAL' }], skipDuplicates: true });
    return created.count === 1;
  }

  async grant(subject: { kind: 'USER' | 'GROUP'; id: string }, grant: Grant): Promise<void> {
    await this.db.grant.createMany({
      data: [{ subjectKind: subject.kind, subjectId: subject.id, resource: grant.resource, action: grant.action }],
      skipDuplicates: true,
    });
  }

  /** The user's own grants and those of every group it belongs to. */
  async grantsOf(uid: string): Promise<Grant[]> {
    const groups = await this.db.groupMember.findMany({ where: { uid }, select: { gid: true } });
    const rows = await this.db.grant.findMany({
      where: {
        OR: [
          { subjectKind: 'USER', subjectId: uid },
          ...(groups.length ? [{ subjectKind: 'GROUP' as const, subjectId: { in: groups.map((g) => g.gid) } }] : []),
        ],
      },
      select: { resource: true, action: true },
    });
    return rows.map((r) => ({ resource: r.resource, action: r.action as Action }));
  }

  /** The key that signs new tokens: the newest one not retired. */
  async activeSigningKey(): Promise<SigningKey | null> {
    const row = await this.db.signingKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    return row ? { kid: row.kid, privatePem: row.privatePem, publicJwk: row.publicJwk as JWK } : null;
  }

  async addSigningKey(key: SigningKey): Promise<void> {
    await this.db.signingKey.create({ data: { kid: key.kid, privatePem: key.privatePem, publicJwk: key.publicJwk as object } });
  }

  /** Every key that may still verify tokens (retired keys verify until their tokens expire). */
  async publicKeys(): Promise<JWK[]> {
    const rows = await this.db.signingKey.findMany({ select: { publicJwk: true }, orderBy: { createdAt: 'desc' } });
    return rows.map((r) => r.publicJwk as JWK);
  }

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    await this.db.revokedToken.createMany({ data: [{ jti, expiresAt }], skipDuplicates: true });
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.db.revokedToken.count({ where: { jti } })) > 0;
  }
}
