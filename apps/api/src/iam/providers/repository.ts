import type { IdpKind } from '@gantry/specs';
import type { Db } from '../../db/prisma.js';
import type { Prisma } from '../../generated/prisma/client.js';

export interface StoredProvider {
  id: string;
  kind: IdpKind;
  displayName: string;
  /** The kind's config as stored, secrets included: parse before use, redact before showing. */
  config: unknown;
}

const providerColumns = { id: true, kind: true, displayName: true, config: true } as const;

export type ExternalUserSync = { ok: true } | { ok: false; reason: string };

/** Storage of identity providers, SSO logins in flight, and external users' groups. */
export class ProviderRepository {
  constructor(private readonly db: Db) {}

  list(kind?: IdpKind): Promise<StoredProvider[]> {
    return this.db.identityProviderSetting.findMany({ where: kind ? { kind } : {}, select: providerColumns, orderBy: { id: 'asc' } });
  }

  get(id: string): Promise<StoredProvider | null> {
    return this.db.identityProviderSetting.findUnique({ where: { id }, select: providerColumns });
  }

  /** False when the id is taken. */
  async create(provider: StoredProvider): Promise<boolean> {
    const created = await this.db.identityProviderSetting.createMany({
      data: [{ id: provider.id, kind: provider.kind, displayName: provider.displayName, config: provider.config as Prisma.InputJsonValue }],
      skipDuplicates: true,
    });
    return created.count === 1;
  }

  /** False when there is no such provider. */
  async update(provider: StoredProvider, now: Date): Promise<boolean> {
    const updated = await this.db.identityProviderSetting.updateMany({
      where: { id: provider.id },
      data: { kind: provider.kind, displayName: provider.displayName, config: provider.config as Prisma.InputJsonValue, updatedAt: now },
    });
    return updated.count === 1;
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.identityProviderSetting.deleteMany({ where: { id } })).count === 1;
  }

  /**
   * Creates or refreshes a directory/SSO user and makes its group memberships exactly
   * those the provider sent (groups created as needed): the provider is the source of
   * truth for its users' groups. A uid that belongs to a local account or to another
   * kind of provider is refused, so no IdP can take over `admin`.
   */
  async syncExternalUser(uid: string, kind: IdpKind, groups: string[], description: string): Promise<ExternalUserSync> {
    return this.db.$transaction(async (tx) => {
      await tx.user.createMany({ data: [{ uid, provider: kind, description }], skipDuplicates: true });
      const user = await tx.user.findUnique({ where: { uid }, select: { provider: true } });
      if (user?.provider !== kind) return { ok: false, reason: `the user "${uid}" exists and is not a ${kind} user` };
      if (groups.length) await tx.group.createMany({ data: groups.map((gid) => ({ gid })), skipDuplicates: true });
      await tx.groupMember.deleteMany({ where: { uid, gid: { notIn: groups } } });
      if (groups.length) await tx.groupMember.createMany({ data: groups.map((gid) => ({ gid, uid })), skipDuplicates: true });
      return { ok: true };
    });
  }

  async startFlow(flow: { state: string; providerId: string; bindingHash: string; verifier: string; expiresAt: Date }, now: Date): Promise<void> {
    // Abandoned logins are swept here, so the table holds minutes of traffic at most.
    await this.db.ssoFlow.deleteMany({ where: { expiresAt: { lt: now } } });
    await this.db.ssoFlow.create({ data: flow });
  }

  /** The flow for `state`, removed in the same statement so that it works once; null when unknown or expired. */
  async takeFlow(state: string, now: Date): Promise<{ providerId: string; bindingHash: string; verifier: string } | null> {
    const rows = await this.db.$queryRaw<{ provider_id: string; binding_hash: string; verifier: string }[]>`
      DELETE FROM "sso_flows" WHERE "state" = ${state} AND "expires_at" >= ${now} RETURNING "provider_id", "binding_hash", "verifier"`;
    return rows[0] ? { providerId: rows[0].provider_id, bindingHash: rows[0].binding_hash, verifier: rows[0].verifier } : null;
  }

  async addHandoff(handoff: { codeHash: string; uid: string; bindingHash: string; expiresAt: Date }, now: Date): Promise<void> {
    await this.db.ssoHandoff.deleteMany({ where: { expiresAt: { lt: now } } });
    await this.db.ssoHandoff.create({ data: handoff });
  }

  /** The handoff for a code hash, removed in the same statement: a code is exchanged once. */
  async takeHandoff(codeHash: string, now: Date): Promise<{ uid: string; bindingHash: string } | null> {
    const rows = await this.db.$queryRaw<{ uid: string; binding_hash: string }[]>`
      DELETE FROM "sso_handoffs" WHERE "code_hash" = ${codeHash} AND "expires_at" >= ${now} RETURNING "uid", "binding_hash"`;
    return rows[0] ? { uid: rows[0].uid, bindingHash: rows[0].binding_hash } : null;
  }
}
