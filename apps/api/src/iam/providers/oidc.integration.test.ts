import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/prisma.js';
import type { RunningApi } from '../../server.js';
import { bearer, startTestApi } from '../../testing/api.js';
import { createTestDatabase } from '../../testing/database.js';
import { startTestIdp, type TestIdp } from '../../testing/oidc-idp.js';
import { waitFor } from '../../testing/wait-for.js';
import { IamRepository } from '../repository.js';

const CONSOLE = 'http://console.test';
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});

/**
 * A browser, as far as a login needs one: follows redirects, keeps cookies per host,
 * submits the IdP's login form, and stops when it is sent to the console.
 */
class Browser {
  private cookies = new Map<string, Map<string, string>>();

  /** Follows the login from `url` until a redirect to `stopAt` (the console by default), which it returns. */
  async go(url: string, stopAt = CONSOLE): Promise<string> {
    let next: string | null = url;
    let request: RequestInit = {};
    for (let hops = 0; hops < 20 && next; hops++) {
      if (next.startsWith(stopAt)) return next;
      const target: URL = new URL(next);
      const jar = this.cookies.get(target.host) ?? new Map<string, string>();
      this.cookies.set(target.host, jar);
      const response = await fetch(target, {
        ...request, redirect: 'manual',
        headers: { ...(request.headers as Record<string, string>), cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      for (const cookie of response.headers.getSetCookie()) {
        const [pair] = cookie.split(';');
        const [name, ...value] = pair!.split('=');
        jar.set(name!.trim(), value.join('='));
      }
      const location = response.headers.get('location');
      if (location) {
        next = new URL(location, target).href;
        request = {};
        continue;
      }
      // The IdP's login form: sign in as the account this browser is for.
      if (response.status === 200 && /name="login"/.test(await response.text())) {
        next = target.href;
        request = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `prompt=login&login=${this.account}&password=any` };
        continue;
      }
      throw new Error(`the login stopped at ${target.href} with HTTP ${response.status}`);
    }
    throw new Error('too many redirects');
  }

  constructor(private readonly account: string) {}
}

const bindingPair = () => {
  const binding = randomBytes(32).toString('base64url');
  return { binding, hash: createHash('sha256').update(binding).digest('base64url') };
};

describe('OIDC sign-in (authorization code + PKCE) against a real OpenID provider', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let prisma: Db;
  let idp: TestIdp;
  let admin: string;

  const start = async (binding: string) => {
    const response = await fetch(`${api.url}/v1/auth/sso/acme/start`, json({ binding }));
    return { status: response.status, body: (await response.json()) as { redirectUrl?: string; message?: string } };
  };
  const exchange = async (code: string, binding: string) => fetch(`${api.url}/v1/auth/sso/exchange`, json({ code, binding }));

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url, { consoleUrl: CONSOLE });
    await waitFor('leadership', () => api.isLeader());
    prisma = createDb(db.url);
    idp = await startTestIdp(
      { clientId: 'gantry', clientSecret: 'idp-client-secret', redirectUri: `${api.url}/v1/auth/oidc/acme/callback` },
      {
        carol: { preferred_username: 'carol', groups: ['team-c', 'not a valid group!'] },
        admin: { preferred_username: 'admin' },
      },
    );
    admin = await bearer(api.url);
    const created = await fetch(`${api.url}/v1/iam/providers`, json({
      id: 'acme', kind: 'OIDC', displayName: 'Acme SSO',
      config: { issuer: idp.issuer, clientId: 'gantry', clientSecret: 'idp-client-secret', uidClaim: 'preferred_username', groupsClaim: 'groups' },
    }, { authorization: admin }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ secretsSet: ['clientSecret'], config: { issuer: idp.issuer } });
    await new IamRepository(prisma).grant({ kind: 'GROUP', id: 'team-c' }, { resource: 'gantry:node', action: 'read' });
  });
  afterAll(async () => {
    await idp?.close();
    await prisma?.$disconnect();
    await api?.close();
    await db?.drop();
  });

  it('lists the provider for the sign-in page with its name and id only', async () => {
    const response = await fetch(`${api.url}/v1/auth/sso/providers`);
    expect(await response.json()).toEqual([{ id: 'acme', kind: 'OIDC', displayName: 'Acme SSO' }]);
  });

  it('signs carol in: PKCE at the IdP, her groups mapped, a one-time code bound to the browser, a token that carries her group grant', async () => {
    const { binding, hash } = bindingPair();
    const started = await start(hash);
    expect(started.status).toBe(200);
    const authorize = new URL(started.body.redirectUrl!);
    expect(authorize.origin).toBe(idp.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${api.url}/v1/auth/oidc/acme/callback`);

    const landing = new URL(await new Browser('carol').go(authorize.href));
    expect(landing.pathname).toBe('/sso/callback');
    const code = landing.searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{43}$/);
    expect(landing.href).not.toMatch(/eyJ/); // never a token in a URL

    // Another browser's binding cannot use the code; this browser's can, once.
    expect((await exchange(code, bindingPair().binding)).status).toBe(401);
    const { binding: b2, hash: h2 } = bindingPair();
    const second = new URL(await new Browser('carol').go((await start(h2)).body.redirectUrl!)).searchParams.get('code')!;
    const exchanged = await exchange(second, b2);
    expect(exchanged.status).toBe(200);
    const token = `Bearer ${((await exchanged.json()) as { token: string }).token}`;
    expect((await exchange(second, b2)).status).toBe(401);
    expect(binding).not.toBe(b2);

    expect(await prisma.user.findUnique({ where: { uid: 'carol' }, select: { provider: true, passwordHash: true } })).toEqual({ provider: 'OIDC', passwordHash: null });
    expect((await prisma.groupMember.findMany({ where: { uid: 'carol' } })).map((m) => m.gid)).toEqual(['team-c']);
    expect((await fetch(`${api.url}/v1/nodes`, { headers: { authorization: token } })).status).toBe(200);

    // The sign-in is in the audit log under carol's name.
    const audit = await waitFor('the audit entry', async () => {
      const { entries } = (await (await fetch(`${api.url}/v1/audit?actor=carol`, { headers: { authorization: admin } })).json()) as { entries: { action: string; status: number }[] };
      return entries.find((e) => e.action === 'POST /v1/auth/sso/exchange' && e.status === 200);
    });
    expect(audit).toMatchObject({ action: 'POST /v1/auth/sso/exchange', status: 200 });
  });

  it('refuses a replayed callback and a forged state', async () => {
    const { hash } = bindingPair();
    const started = await start(hash);
    // Stop where the IdP sends the browser back to the API, and deliver that twice.
    const callback = await new Browser('carol').go(started.body.redirectUrl!, `${api.url}/v1/auth/oidc/acme/callback`);
    const first = await fetch(callback, { redirect: 'manual' });
    expect(first.headers.get('location')).toMatch(new RegExp(`^${CONSOLE}/sso/callback\\?code=`));
    const replayed = await fetch(callback, { redirect: 'manual' });
    expect(replayed.headers.get('location')).toBe(`${CONSOLE}/login?error=1&code=sso_expired`);
    const forged = await fetch(`${api.url}/v1/auth/oidc/acme/callback?code=abc&state=forged`, { redirect: 'manual' });
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe(`${CONSOLE}/login?error=1&code=sso_expired`);
  });

  it('never lets an IdP sign someone in as a local account', async () => {
    const { hash } = bindingPair();
    const landing = await new Browser('admin').go((await start(hash)).body.redirectUrl!);
    expect(landing).toBe(`${CONSOLE}/login?error=1&code=sso_user`);
    expect(await prisma.user.findUnique({ where: { uid: 'admin' }, select: { provider: true } })).toEqual({ provider: 'LOCAL' });
  });

  it('says clearly when the IdP is down, and local logins still work', async () => {
    await idp.close();
    const created = await fetch(`${api.url}/v1/iam/providers`, json({
      id: 'acme-down', kind: 'OIDC', displayName: 'Acme SSO (down)', config: { issuer: idp.issuer, clientId: 'gantry' },
    }, { authorization: admin }));
    expect(created.status).toBe(201);
    const response = await fetch(`${api.url}/v1/auth/sso/acme-down/start`, json({ binding: bindingPair().hash }));
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ message: 'the identity provider "Acme SSO (down)" is unavailable' });
    expect(await bearer(api.url)).toMatch(/^Bearer eyJ/);
  });
});
