import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { waitFor } from '../testing/wait-for.js';

/** The multitenant story of the IAM API, against a real API and Postgres. */
describe('managing identities, grants and the audit trail', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let admin: string;

  const call = async (authorization: string | null, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${api.url}${path}`, {
      method,
      headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
    admin = await bearer(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await db?.drop();
  });

  it('lets a team member work inside its group and nowhere else, and never grant more than it holds', async () => {
    expect((await call(admin, 'PUT', '/v1/iam/groups/team-a', { description: 'Team A' })).status).toBe(200);
    expect((await call(admin, 'PUT', '/v1/iam/users/alice', { password: 'alice-password' })).status).toBe(201);
    expect((await call(admin, 'PUT', '/v1/iam/users/bob', { password: 'bob-password' })).status).toBe(201);
    expect((await call(admin, 'PUT', '/v1/iam/groups/team-a/users/alice')).status).toBe(204);
    for (const grant of [
      { subject: { kind: 'GROUP', id: 'team-a' }, resource: 'gantry:service:/team-a', action: 'full' },
      { subject: { kind: 'USER', id: 'alice' }, resource: 'gantry:iam', action: 'update' },
    ]) {
      expect((await call(admin, 'POST', '/v1/iam/grants', grant)).status).toBe(201);
    }

    const alice = await bearer(api.url, 'alice', 'alice-password');
    // Within what she holds: fine.
    const within = await call(alice, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'bob' }, resource: 'gantry:service:/team-a/web', action: 'read' });
    expect(within.status).toBe(201);
    // Beyond it, through a path trick or outright: refused, naming why.
    for (const resource of ['gantry:service:/team-b', 'gantry:service:/team-a/../team-b', 'gantry:superuser']) {
      const beyond = await call(alice, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'alice' }, resource, action: 'full' });
      expect(beyond.status, resource).toBe(403);
      expect(beyond.body.message).toBe(`forbidden: you do not hold full on ${resource}, so you cannot grant it`);
    }
    // No read on IAM, no nodes.
    expect((await call(alice, 'GET', '/v1/iam/users')).status).toBe(403);
    expect((await call(alice, 'GET', '/v1/nodes')).status).toBe(403);

    const users = await call(admin, 'GET', '/v1/iam/users');
    expect(users.body.users.find((u: { uid: string }) => u.uid === 'alice')).toMatchObject({ provider: 'LOCAL', kind: 'user', groups: ['team-a'] });
    const grants = (await call(admin, 'GET', '/v1/iam/grants')).body.grants;
    expect(grants).toContainEqual({ subject: { kind: 'USER', id: 'bob' }, resource: 'gantry:service:/team-a/web', action: 'read' });
  });

  it('names every bad field when creating identities', async () => {
    const badUser = await call(admin, 'PUT', '/v1/iam/users/Bad%20Name', { password: 'short' });
    expect(badUser).toEqual({ status: 422, body: { message: 'Object is not valid', details: [{ path: '/uid', errors: [expect.stringMatching(/^use 1-64 lowercase letters/)] }] } });
    const badPassword = await call(admin, 'PUT', '/v1/iam/users/carol', { password: 'short', extra: true });
    expect(badPassword.status).toBe(422);
    expect(badPassword.body.details.map((d: { path: string }) => d.path)).toEqual(['/', '/password']);
    const badGrant = await call(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'ROBOT', id: 'x' }, resource: 'no spaces allowed', action: 'admin' });
    expect(badGrant.body.details.map((d: { path: string }) => d.path)).toEqual(['/action', '/resource', '/subject/kind']);
    const noSubject = await call(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'ghost' }, resource: 'gantry:node', action: 'read' });
    expect(noSubject).toEqual({ status: 404, body: { message: 'no user ghost' } });
  });

  it('logs a service account in with a JWT signed by its own private key (DC/OS service login)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const put = await call(admin, 'PUT', '/v1/iam/service-accounts/ci-bot', { description: 'CI', publicKey: await exportSPKI(publicKey) });
    expect(put.status).toBe(201);
    expect((await call(admin, 'PUT', '/v1/iam/service-accounts/ci-bot2', { publicKey: 'nope' })).body.details).toEqual([
      { path: '/publicKey', errors: ['not an RSA public key in PEM (SPKI) form; make one with: openssl rsa -in key.pem -pubout'] },
    ]);
    await call(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'USER', id: 'ci-bot' }, resource: 'gantry:node', action: 'read' });

    const loginToken = await new SignJWT({ uid: 'ci-bot' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('2m').sign(privateKey);
    const login = await call(null, 'POST', '/v1/auth/login', { uid: 'ci-bot', token: loginToken });
    expect(login.status).toBe(200);
    const claims = JSON.parse(Buffer.from(login.body.token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'ci-bot', kind: 'service' });
    expect((await call(`Bearer ${login.body.token}`, 'GET', '/v1/nodes')).status).toBe(200);

    const forged = await new SignJWT({ uid: 'ci-bot' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('2m').sign((await generateKeyPair('RS256')).privateKey);
    expect((await call(null, 'POST', '/v1/auth/login', { uid: 'ci-bot', token: forged })).status).toBe(401);
    // A person's password cannot log a service account in, nor a key a person.
    expect((await call(null, 'POST', '/v1/auth/login', { uid: 'alice', token: loginToken })).status).toBe(401);
  });

  it('keeps an append-only audit trail of writes and denials, searchable by actor', async () => {
    await call(null, 'POST', '/v1/auth/login', { uid: 'alice', password: 'wrong-password' });
    const { entries } = (await call(admin, 'GET', '/v1/audit?actor=alice&limit=50')).body;
    const seen = entries.map((e: { action: string; outcome: string; status: number; target: string | null }) => `${e.action} ${e.status} ${e.outcome} ${e.target ?? '-'}`);
    expect(seen).toEqual(expect.arrayContaining([
      'POST /v1/auth/login 401 denied -',
      'POST /v1/iam/grants 201 allowed gantry:iam',
      'POST /v1/iam/grants 403 denied gantry:iam',
      'GET /v1/iam/users 403 denied gantry:iam',
      'GET /v1/nodes 403 denied gantry:node',
    ]));
    expect(entries.every((e: { source: string; at: string }) => e.source && !Number.isNaN(Date.parse(e.at)))).toBe(true);
    // Nothing about a password, ever.
    expect(JSON.stringify(entries)).not.toContain('wrong-password');

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await expect(client.query(`UPDATE audit_events SET actor = 'nobody'`)).rejects.toThrow(/append-only/);
      await expect(client.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    } finally {
      await client.end();
    }
  });
});

describe('signing key rotation', () => {
  it('signs new tokens with the new key and keeps old tokens valid (nobody is logged out)', async () => {
    const db = await createTestDatabase();
    const api = await startTestApi(db.url);
    try {
      await waitFor('leadership', () => api.isLeader());
      const before = await bearer(api.url);
      const kidOf = (authorization: string) => JSON.parse(Buffer.from(authorization.slice(7).split('.')[0]!, 'base64url').toString()).kid;
      const rotated = await fetch(`${api.url}/v1/auth/keys/rotate`, { method: 'POST', headers: { authorization: before } });
      expect(rotated.status).toBe(201);
      const { kid } = (await rotated.json()) as { kid: string };
      expect(kid).not.toBe(kidOf(before));

      const after = await bearer(api.url);
      expect(kidOf(after)).toBe(kid);
      for (const token of [before, after]) {
        expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: token } })).status).toBe(200);
      }
      const { keys } = (await (await fetch(`${api.url}/v1/auth/jwks`)).json()) as { keys: { kid: string }[] };
      expect(keys.map((k) => k.kid).sort()).toEqual([kid, kidOf(before)].sort());
    } finally {
      await api.close();
      await db.drop();
    }
  });
});
