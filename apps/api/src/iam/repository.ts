import type { Action, Grant, SigningKey } from '@gantry/auth';
import type { JWK } from 'jose';
import type { Db } from '../db/prisma.js';
import { LoginFailures } from './login-failures.js';

/** Everything the API stores about identities, grants and token keys. */
export class IamRepository {
  /** The login throttle's count, shared by every replica. */
  readonly loginFailures: LoginFailures;

  constructor(private readonly db: Db) {
    this.loginFailures = new LoginFailures(db);
  }

  findUser(uid: string) {
    return this.db.user.findUnique({ where: { uid }, select: { uid: true, provider: true, passwordHash: true, publicKey: true } });
  }

  /** Creates a local user unless it exists; true when this call created it. */
  async createLocalUserIfAbsent(uid: string, passwordHash: string, description: string): Promise<boolean> {
    const created = await this.db.user.createMany({ data: [{ uid, passwordHash, description, provider: 'LOCAL' }], skipDuplicates: true });
    return created.count === 1;
  }

  listUsers() {
    return this.db.user.findMany({
      select: { uid: true, description: true, provider: true, createdAt: true, memberships: { select: { gid: true } } },
      orderBy: { uid: 'asc' },
    });
  }

  /** Creates or updates a local user (password optional on update). */
  async putLocalUser(uid: string, description: string, passwordHash: string | undefined): Promise<'created' | 'updated'> {
    const existing = await this.db.user.findUnique({ where: { uid }, select: { provider: true } });
    if (existing && existing.provider !== 'LOCAL') throw new ConflictError(`${uid} is a ${existing.provider.toLowerCase()} account, not a local user`);
    if (!existing && !passwordHash) throw new ConflictError(`a new user needs a password`);
    await this.db.user.upsert({
      where: { uid },
      create: { uid, description, provider: 'LOCAL', passwordHash: passwordHash! },
      update: { description, ...(passwordHash ? { passwordHash } : {}) },
    });
    return existing ? 'updated' : 'created';
  }

  async putServiceAccount(uid: string, description: string, publicKey: string): Promise<'created' | 'updated'> {
    const existing = await this.db.user.findUnique({ where: { uid }, select: { provider: true } });
    if (existing && existing.provider !== 'SERVICE') throw new ConflictError(`${uid} exists and is not a service account`);
    await this.db.user.upsert({ where: { uid }, create: { uid, description, provider: 'SERVICE', publicKey }, update: { description, publicKey } });
    return existing ? 'updated' : 'created';
  }

  /** Removes a user with its memberships and its own grants; false if there was none. */
  async deleteUser(uid: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      await tx.grant.deleteMany({ where: { subjectKind: 'USER', subjectId: uid } });
      return (await tx.user.deleteMany({ where: { uid } })).count === 1;
    });
  }

  listGroups() {
    return this.db.group.findMany({
      select: { gid: true, description: true, members: { select: { uid: true } } },
      orderBy: { gid: 'asc' },
    });
  }

  async putGroup(gid: string, description: string): Promise<void> {
    await this.db.group.upsert({ where: { gid }, create: { gid, description }, update: { description } });
  }

  async deleteGroup(gid: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      await tx.grant.deleteMany({ where: { subjectKind: 'GROUP', subjectId: gid } });
      return (await tx.group.deleteMany({ where: { gid } })).count === 1;
    });
  }

  async addMember(gid: string, uid: string): Promise<void> {
    const [group, user] = await Promise.all([
      this.db.group.findUnique({ where: { gid }, select: { gid: true } }),
      this.db.user.findUnique({ where: { uid }, select: { uid: true } }),
    ]);
    if (!group) throw new NotFoundError(`no group ${gid}`);
    if (!user) throw new NotFoundError(`no user ${uid}`);
    await this.db.groupMember.createMany({ data: [{ gid, uid }], skipDuplicates: true });
  }

  async removeMember(gid: string, uid: string): Promise<boolean> {
    return (await this.db.groupMember.deleteMany({ where: { gid, uid } })).count === 1;
  }

  async listGrants(subject?: { kind: 'USER' | 'GROUP'; id: string }) {
    const rows = await this.db.grant.findMany({
      where: subject ? { subjectKind: subject.kind, subjectId: subject.id } : {},
      select: { subjectKind: true, subjectId: true, resource: true, action: true },
      orderBy: [{ subjectKind: 'asc' }, { subjectId: 'asc' }, { resource: 'asc' }, { action: 'asc' }],
    });
    return rows.map((r) => ({ subject: { kind: r.subjectKind, id: r.subjectId }, resource: r.resource, action: r.action as Action }));
  }

  async subjectExists(subject: { kind: 'USER' | 'GROUP'; id: string }): Promise<boolean> {
    return subject.kind === 'USER'
      ? (await this.db.user.count({ where: { uid: subject.id } })) > 0
      : (await this.db.group.count({ where: { gid: subject.id } })) > 0;
  }

  async revokeGrant(subject: { kind: 'USER' | 'GROUP'; id: string }, grant: Grant): Promise<boolean> {
    const removed = await this.db.grant.deleteMany({
      where: { subjectKind: subject.kind, subjectId: subject.id, resource: grant.resource, action: grant.action },
    });
    return removed.count > 0;
  }

  async grant(subject: { kind: 'USER' | 'GROUP'; id: string }, grant: Grant): Promise<void> {
    await this.db.grant.createMany({
      data: [{ subjectKind: subject.kind, subjectId: subject.id, resource: grant.resource, action: grant.action }],
      skipDuplicates: true,
    });
  }

  /**
   * The user's own grants and those of every group it belongs to, with its groups;
   * null when the account no longer exists (its tokens stop working with it).
   */
  async grantsOf(uid: string): Promise<{ grants: Grant[]; groups: string[] } | null> {
    const user = await this.db.user.findUnique({ where: { uid }, select: { memberships: { select: { gid: true } } } });
    if (!user) return null;
    const groups = user.memberships.map((m) => m.gid).sort();
    const rows = await this.db.grant.findMany({
      where: {
        OR: [
          { subjectKind: 'USER', subjectId: uid },
          ...(groups.length ? [{ subjectKind: 'GROUP' as const, subjectId: { in: groups } }] : []),
        ],
      },
      select: { resource: true, action: true },
    });
    return { grants: rows.map((r) => ({ resource: r.resource, action: r.action as Action })), groups };
  }

  /** The key that signs new tokens: the newest one not retired. */
  async activeSigningKey(): Promise<SigningKey | null> {
    const row = await this.db.signingKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    return row ? { kid: row.kid, privatePem: row.privatePem, publicJwk: row.publicJwk as JWK } : null;
  }

  async addSigningKey(key: SigningKey): Promise<void> {
    await this.db.signingKey.create({ data: { kid: key.kid, privatePem: key.privatePem, publicJwk: key.publicJwk as object } });
  }

  /**
   * Every key that may still verify tokens: the active one, and retired ones until no
   * token they signed can still be valid (retired longer than a token lives: dropped).
   */
  async publicKeys(now: Date, tokenLifetimeMs: number): Promise<JWK[]> {
    const rows = await this.db.signingKey.findMany({
      where: { OR: [{ retiredAt: null }, { retiredAt: { gt: new Date(now.getTime() - tokenLifetimeMs) } }] },
      select: { publicJwk: true },
      orderBy: { createdAt: 'desc' },
    });
    return rows.map((r) => r.publicJwk as JWK);
  }

  /** Makes `key` the one that signs; the previous keys only verify from now on. */
  async rotateSigningKey(key: SigningKey, now: Date): Promise<void> {
    await this.db.$transaction([
      this.db.signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: now } }),
      this.db.signingKey.create({ data: { kid: key.kid, privatePem: key.privatePem, publicJwk: key.publicJwk as object } }),
    ]);
  }

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    await this.db.revokedToken.createMany({ data: [{ jti, expiresAt }], skipDuplicates: true });
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.db.revokedToken.count({ where: { jti } })) > 0;
  }
}

export class ConflictError extends Error {
  override name = 'ConflictError';
}

export class NotFoundError extends Error {
  override name = 'NotFoundError';
}
