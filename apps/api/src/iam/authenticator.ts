import { randomUUID } from 'node:crypto';
import {
  generateSigningKey, hashPassword, issueToken, LoginThrottle, verifyDecoy, verifyPassword, verifyServiceLoginToken, verifyToken,
  type Grant, type SubjectKind,
} from '@gantry/auth';
import type { JWK } from 'jose';
import type { PasswordDirectory } from './providers/directory-login.js';
import type { IamRepository } from './repository.js';

/** Who is asking, with everything authorization needs. */
export interface Principal {
  uid: string;
  kind: SubjectKind;
  jti: string;
  exp: number;
  grants: Grant[];
  /** The groups the user belongs to (for the console's `whoami`), when known. */
  groups?: string[];
}

export type LoginCredentials = { uid: string; password: string } | { uid: string; token: string };

export type LoginResult =
  | { ok: true; token: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }
  /** An LDAP directory could not be asked; local users are never affected. */
  | { ok: false; reason: 'unavailable'; message: string };

export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: string };

const TOKEN_TTL_SECONDS = 8 * 60 * 60;

/**
 * The API as identity authority: checks credentials, issues tokens, and turns a
 * bearer token back into a Principal for every request.
 */
export class Authenticator {
  private keys: JWK[] = [];
  private keysLoadedAt = 0;
  private readonly throttle: LoginThrottle;

  /** `throttle` defaults to one counting in Postgres, shared by every replica. */
  constructor(
    private readonly iam: IamRepository,
    private readonly now: () => Date,
    throttle?: LoginThrottle,
    private readonly directory?: PasswordDirectory,
  ) {
    this.throttle = throttle ?? new LoginThrottle(iam.loginFailures);
  }

  /**
   * First start: a signing key, and the user `admin` with the superuser grant and the
   * given password (or a random one, returned so the caller can print it once).
   */
  async bootstrap(adminPassword: string | undefined): Promise<{ adminCreated: boolean; generatedPassword: string | null }> {
    if (!(await this.iam.activeSigningKey())) await this.iam.addSigningKey(await generateSigningKey(randomUUID()));
    if (await this.iam.findUser('admin')) return { adminCreated: false, generatedPassword: null };
    const password = adminPassword ?? randomUUID().replace(/-/g, '').slice(0, 20);
    const created = await this.iam.createLocalUserIfAbsent('admin', await hashPassword(password), 'Cluster administrator');
    if (created) await this.iam.grant({ kind: 'USER', id: 'admin' }, { resource: 'gantry:superuser', action: 'full' });
    return { adminCreated: created, generatedPassword: created && !adminPassword ? password : null };
  }

  /**
   * `{uid, password}` for people, `{uid, token}` for service accounts (a short-lived
   * JWT signed with the account's private key, as DC/OS's service login).
   */
  async login(credentials: LoginCredentials, source: string): Promise<LoginResult> {
    const { uid } = credentials;
    const now = this.now().getTime();
    const wait = await this.throttle.retryAfterMs(uid, source, now);
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };
    const user = await this.iam.findUser(uid);
    let valid: boolean;
    if ('token' in credentials) {
      valid = !!user?.publicKey && (await verifyServiceLoginToken(credentials.token, user.publicKey, uid, this.now()));
    } else {
      // Same work and same answer for an unknown user as for a wrong password.
      valid = user?.passwordHash ? await verifyPassword(user.passwordHash, credentials.password) : await verifyDecoy(credentials.password);
    }
    // Not a local password: ask the LDAP directories, unless the uid is a local (or
    // service) account, which no directory may take over.
    if (!valid && 'password' in credentials && this.directory && (!user || user.provider === 'LDAP')) {
      const directory = await this.directory.login(uid, credentials.password);
      if (directory?.ok) {
        await this.throttle.recordSuccess(uid);
        return { ok: true, token: await this.issue(directory.uid, 'user') };
      }
      if (directory?.reason === 'unavailable') return directory;
    }
    if (!valid) {
      await this.throttle.recordFailure(uid, source, now);
      return { ok: false, reason: 'invalid' };
    }
    await this.throttle.recordSuccess(uid);
    return { ok: true, token: await this.issue(uid, user?.provider === 'SERVICE' ? 'service' : 'user') };
  }

  async issue(uid: string, kind: SubjectKind): Promise<string> {
    const key = await this.iam.activeSigningKey();
    if (!key) throw new Error('no signing key: the API did not bootstrap');
    return issueToken(key, { uid, kind }, randomUUID(), Math.floor(this.now().getTime() / 1000), TOKEN_TTL_SECONDS);
  }

  async authenticate(authorization: string | undefined): Promise<Authentication> {
    const token = /^Bearer (\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return { ok: false, reason: 'missing bearer token: log in at POST /v1/auth/login and send Authorization: Bearer <token>' };
    let verified = await verifyToken(token, await this.publicKeys(false), this.now());
    // A key we have not seen yet (another replica rotated): reload once and retry.
    if (!verified.ok && verified.reason === 'token is not valid') verified = await verifyToken(token, await this.publicKeys(true), this.now());
    if (!verified.ok) return verified;
    if (await this.iam.isRevoked(verified.claims.jti)) return { ok: false, reason: 'token was revoked (logged out)' };
    const { sub, kind, jti, exp } = verified.claims;
    const held = await this.iam.grantsOf(sub);
    // Deleting an account revokes its tokens: nobody acts as a user that is gone.
    if (!held) return { ok: false, reason: 'the account of this token no longer exists' };
    return { ok: true, principal: { uid: sub, kind, jti, exp, grants: held.grants, groups: held.groups } };
  }

  async logout(principal: Principal): Promise<void> {
    await this.iam.revoke(principal.jti, new Date(principal.exp * 1000));
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: await this.publicKeys(true) };
  }

  /**
   * Key rotation without logging anybody out: a new key signs from now on; tokens
   * signed by the old ones stay valid until they expire.
   */
  async rotateSigningKey(): Promise<{ kid: string }> {
    const key = await generateSigningKey(randomUUID());
    await this.iam.rotateSigningKey(key, this.now());
    this.keysLoadedAt = 0;
    this.keys = [];
    return { kid: key.kid };
  }

  private async publicKeys(refresh: boolean): Promise<JWK[]> {
    const now = this.now().getTime();
    // At most one reload a second, so forged kids cannot hammer the database.
    if (this.keys.length === 0 || (refresh && now - this.keysLoadedAt > 1000)) {
      this.keys = await this.iam.publicKeys(this.now(), TOKEN_TTL_SECONDS * 1000);
      this.keysLoadedAt = now;
    }
    return this.keys;
  }
}
