import { request } from 'node:http';
import { hashPassword, issueToken } from '@gantry/auth';
import { base64url, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDb, type Db } from '../db/prisma.js';
import { restRoutes } from '../http/routes.js';
import type { RunningApi } from '../server.js';
import { bearer, startTestApi, TEST_ADMIN_PASSWORD } from '../testing/api.js';
import { createTestDatabase } from '../testing/database.js';
import { startAgent } from '../testing/processes.js';
import { waitFor } from '../testing/wait-for.js';
import { appRouter } from '../trpc/router.js';
import { IamRepository } from './repository.js';

const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('authentication and authorization at the edge (real API, real Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let prisma: Db;

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url);
    await waitFor('leadership', () => api.isLeader());
    prisma = createDb(db.url);
    const iam = new IamRepository(prisma);
    await iam.createLocalUserIfAbsent('alice', await hashPassword('alice-password'), 'team-a developer');
    await iam.grant({ kind: 'USER', id: 'alice' }, { resource: 'gantry:service:/team-a', action: 'full' });
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await api?.close();
    await db?.drop();
  });

  it('answers 401 on every route and procedure but the public ones when no token is sent', async () => {
    const routes = restRoutes({} as never).map((r) => ({ method: r.method, path: r.path, access: r.access }));
    const publicRoutes = routes.filter((r) => r.access === 'public').map((r) => `${r.method} ${r.path}`).sort();
    expect(publicRoutes).toEqual([
      'GET /health', 'GET /v1/auth/jwks',
      // Single sign-on: the sign-in page's buttons, the IdP's way back, SAML metadata, the console's code exchange.
      'GET /v1/auth/oidc/:provider/callback', 'GET /v1/auth/saml/:provider/metadata', 'GET /v1/auth/sso/providers',
      'POST /v1/auth/login',
      'POST /v1/auth/saml/:provider/acs', 'POST /v1/auth/sso/:provider/start', 'POST /v1/auth/sso/exchange',
    ]);
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const path = route.path.replace(/[:*](\w+)/g, 'x');
      const response = await fetch(`${api.url}${path}`, { method: route.method });
      expect(response.status, `${route.method} ${route.path}`).toBe(401);
      expect(((await response.json()) as { message: string }).message).toMatch(/^missing bearer token/);
    }
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>);
    expect(procedures.length).toBeGreaterThan(0);
    for (const [path, proc] of procedures) {
      const response = proc._def.type === 'mutation'
        ? await fetch(`${api.url}/trpc/${path}`, json({}))
        : await fetch(`${api.url}/trpc/${path}`);
      expect(response.status, `tRPC ${path}`).toBe(401);
    }
  });

  it('gives the same answer for an unknown user and a wrong password, and a token for the right one', async () => {
    const unknown = await fetch(`${api.url}/v1/auth/login`, json({ uid: 'nobody', password: 'x' }));
    const wrong = await fetch(`${api.url}/v1/auth/login`, json({ uid: 'admin', password: 'wrong' }));
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(await unknown.json()).toEqual(await wrong.json());
    const right = await fetch(`${api.url}/v1/auth/login`, json({ uid: 'admin', password: TEST_ADMIN_PASSWORD }));
    expect(right.status).toBe(200);
    expect(((await right.json()) as { token: string }).token).toMatch(/^eyJ/);
  });

  it('rejects a malformed login with every field named, an oversized one with 413, a non-JSON one with 415', async () => {
    const invalid = await fetch(`${api.url}/v1/auth/login`, json({ uid: '', extra: 1 }));
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({
      message: 'Object is not valid',
      details: [
        { path: '/', errors: ['Unrecognized key: "extra"', 'send either password (a person) or token (a service account), not both or neither'] },
        { path: '/uid', errors: ['uid is required'] },
      ],
    });
    const huge = await fetch(`${api.url}/v1/auth/login`, json({ uid: 'admin', password: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    const text = await fetch(`${api.url}/v1/auth/login`, { method: 'POST', body: 'uid=admin' });
    expect(text.status).toBe(415);
  });

  it('refuses tampered, wrong-signature and revoked tokens', async () => {
    const token = (await bearer(api.url)).slice('Bearer '.length);
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${s}`;
    const badSignature = `${h}.${p}.${s!.slice(0, -4)}AAAA`;
    for (const bad of [tampered, badSignature, 'not-a-jwt']) {
      expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: `Bearer ${bad}` } })).status).toBe(401);
    }
    expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const logout = await fetch(`${api.url}/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(logout.status).toBe(204);
    const after = await fetch(`${api.url}/v1/nodes`, { headers: { authorization: `Bearer ${token}` } });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ message: 'token was revoked (logged out)' });
  });

  it('refuses expired, alg:none, wrong-key and HMAC-confused tokens, each with 401', async () => {
    const iam = new IamRepository(prisma);
    const key = (await iam.activeSigningKey())!;
    const nowSeconds = Math.floor(Date.now() / 1000);
    const valid = await issueToken(key, { uid: 'admin', kind: 'user' }, 'fresh', nowSeconds, 60);
    const expired = await issueToken(key, { uid: 'admin', kind: 'user' }, 'old', nowSeconds - 7200, 3600);
    const [, payload] = valid.split('.');
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid: key.kid, typ: 'JWT' }))}.${payload}.`;
    // Another RSA key claiming the real key's id.
    const impostor = await new SignJWT({ kind: 'user' }).setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer('gantry').setAudience('gantry').setSubject('admin').setJti('impostor').setIssuedAt(nowSeconds).setExpirationTime(nowSeconds + 60)
      .sign((await generateKeyPair('RS256')).privateKey);
    // The public key used as an HMAC secret (the classic RS256 → HS256 confusion).
    const hmac = await new SignJWT({ kind: 'user' }).setProtectedHeader({ alg: 'HS256', kid: key.kid })
      .setIssuer('gantry').setAudience('gantry').setSubject('admin').setJti('hmac').setExpirationTime(nowSeconds + 60)
      .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    const answers: Record<string, [number, string]> = {};
    for (const [name, token] of Object.entries({ expired, none, impostor, hmac })) {
      const response = await fetch(`${api.url}/v1/nodes`, { headers: { authorization: `Bearer ${token}` } });
      answers[name] = [response.status, ((await response.json()) as { message: string }).message];
    }
    expect(answers).toEqual({
      expired: [401, 'token expired'], none: [401, 'token is not valid'], impostor: [401, 'token is not valid'], hmac: [401, 'token is not valid'],
    });
    expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: `Bearer ${valid}` } })).status).toBe(200);
  });

  it('tells a token who it is and what it holds (whoami), and stops a deleted account\'s tokens', async () => {
    const admin = await bearer(api.url);
    const put = (path: string, body?: unknown) => fetch(`${api.url}${path}`, {
      method: 'PUT', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}),
    });
    expect((await put('/v1/iam/users/dora', { password: 'dora-password' })).status).toBe(201);
    expect((await put('/v1/iam/groups/team-d')).status).toBe(200);
    expect((await put('/v1/iam/groups/team-d/users/dora')).status).toBe(204);
    await fetch(`${api.url}/v1/iam/grants`, {
      method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ subject: { kind: 'GROUP', id: 'team-d' }, resource: 'gantry:service:/team-d', action: 'full' }),
    });
    const dora = await bearer(api.url, 'dora', 'dora-password');
    const whoami = await fetch(`${api.url}/v1/auth/whoami`, { headers: { authorization: dora } });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toEqual({
      uid: 'dora', kind: 'user', groups: ['team-d'], grants: [{ resource: 'gantry:service:/team-d', action: 'full' }], expiresAt: expect.any(String),
    });
    expect((await fetch(`${api.url}/v1/iam/users/dora`, { method: 'DELETE', headers: { authorization: admin } })).status).toBe(204);
    const after = await fetch(`${api.url}/v1/auth/whoami`, { headers: { authorization: dora } });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ message: 'the account of this token no longer exists' });
  });

  it('forbids a user without the grant, over REST and tRPC alike', async () => {
    const alice = await bearer(api.url, 'alice', 'alice-password');
    const rest = await fetch(`${api.url}/v1/nodes`, { headers: { authorization: alice } });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toEqual({ message: 'forbidden: no grant of read on gantry:node' });
    const trpc = await fetch(`${api.url}/trpc/nodes.list`, { headers: { authorization: alice } });
    expect(trpc.status).toBe(403);
  });

  it('publishes its verification keys', async () => {
    const { keys } = (await (await fetch(`${api.url}/v1/auth/jwks`)).json()) as { keys: Record<string, unknown>[] };
    expect(keys).toEqual([expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })]);
    expect(keys[0]).not.toHaveProperty('d'); // never the private part
  });

  it('refuses an agent without the cluster join token, with one clear line', async () => {
    const agent = await startAgent({ hostname: 'intruder', masters: [api.url], token: 'wrong-token' });
    expect(await agent.exited).toBe(1);
    expect(agent.output().trim().split('\n').at(-1)).toBe(
      `gantry agent: ${api.url} refused this agent's join token (HTTP 401): set GANTRY_AGENT_TOKEN or --token-file to the cluster's token`,
    );
  });
});

/** A login from a chosen loopback address: every 127.x.y.z reaches the API, each a source of its own. */
function loginFrom(apiUrl: string, localAddress: string, body: unknown): Promise<{ status: number; retryAfter: string | undefined; body: unknown }> {
  const url = new URL('/v1/auth/login', apiUrl);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: JSON.parse(text) }));
    });
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

describe('login throttling shared by every API replica (real Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let replicas: RunningApi[];

  beforeAll(async () => {
    db = await createTestDatabase();
    replicas = [await startTestApi(db.url, { replicaName: 'one' }), await startTestApi(db.url, { replicaName: 'two' })];
  });
  afterAll(async () => {
    for (const replica of replicas ?? []) await replica.close();
    await db?.drop();
  });

  it('refuses an account after 100 failures an hour across replicas and sources, with 429 and Retry-After', async () => {
    // 100 failures for one account, alternating replicas, from four sources (25 each).
    for (let i = 0; i < 100; i++) {
      const answer = await loginFrom(replicas[i % 2]!.url, `127.0.1.${1 + (i % 4)}`, { uid: 'mallory', password: `guess-${i}` });
      expect(answer.status, `attempt ${i + 1}`).toBe(401);
    }
    for (const replica of replicas) {
      const refused = await loginFrom(replica.url, '127.0.1.9', { uid: 'mallory', password: 'guess-101' });
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThan(3500);
      expect(refused.body).toEqual({ message: expect.stringMatching(/^too many failed logins; try again in \d+ s$/) });
    }
    // Another account from that source is not held up by mallory's failures.
    expect((await loginFrom(replicas[0]!.url, '127.0.1.9', { uid: 'admin', password: TEST_ADMIN_PASSWORD })).status).toBe(200);
  });

  it('refuses a source after 100 failures an hour, whichever accounts it tries, known or not, alike', async () => {
    for (let i = 0; i < 100; i++) {
      const answer = await loginFrom(replicas[i % 2]!.url, '127.0.2.1', { uid: i % 2 ? `nobody-${i}` : 'admin', password: `guess-${i}` });
      expect(answer.status, `attempt ${i + 1}`).toBe(401);
    }
    const unknown = await loginFrom(replicas[1]!.url, '127.0.2.1', { uid: 'nobody-at-all', password: 'x' });
    const known = await loginFrom(replicas[0]!.url, '127.0.2.1', { uid: 'admin', password: 'wrong' });
    expect([unknown.status, known.status]).toEqual([429, 429]);
    expect(unknown.body).toEqual(known.body);
    // Even the right password waits: the source is refused before anything is checked.
    expect((await loginFrom(replicas[0]!.url, '127.0.2.1', { uid: 'admin', password: TEST_ADMIN_PASSWORD })).status).toBe(429);
    // The same accounts from elsewhere are fine: nobody was locked out by a stranger's source.
    expect((await loginFrom(replicas[1]!.url, '127.0.2.2', { uid: 'admin', password: TEST_ADMIN_PASSWORD })).status).toBe(200);
  });
});

describe('first start without GANTRY_ADMIN_PASSWORD', () => {
  it('creates admin with a random password printed once, hashed with argon2id (OWASP parameters)', async () => {
    const db = await createTestDatabase();
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const printed = () => log.mock.calls.map((c) => String(c[0])).filter((line) => line.includes('created the user "admin"'));
    let api: RunningApi | null = null;
    const prisma = createDb(db.url);
    try {
      api = await startTestApi(db.url, { adminPassword: undefined });
      const [line] = printed();
      const password = /with the password (\S+) \(shown once/.exec(line ?? '')?.[1];
      expect(password, line).toMatch(/^[0-9a-f]{20}$/);
      expect((await fetch(`${api.url}/v1/auth/login`, json({ uid: 'admin', password }))).status).toBe(200);
      const admin = await prisma.user.findUnique({ where: { uid: 'admin' }, select: { passwordHash: true } });
      expect(admin!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(admin!.passwordHash).not.toContain(password!);
      // A restart finds admin and prints nothing: the password was shown once.
      await api.close();
      api = await startTestApi(db.url, { adminPassword: undefined });
      expect(printed()).toHaveLength(1);
    } finally {
      log.mockRestore();
      await prisma.$disconnect();
      await api?.close();
      await db.drop();
    }
  });
});
