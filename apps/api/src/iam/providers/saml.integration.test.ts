import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../db/prisma.js';
import type { RunningApi } from '../../server.js';
import { bearer, startTestApi } from '../../testing/api.js';
import { createTestDatabase } from '../../testing/database.js';
import { makeTestSamlIdp, type TestSamlIdp } from '../../testing/saml-idp.js';
import { waitFor } from '../../testing/wait-for.js';

const CONSOLE = 'http://console.test';
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
});
const bindingPair = () => {
  const binding = randomBytes(32).toString('base64url');
  return { binding, hash: createHash('sha256').update(binding).digest('base64url') };
};

describe('SAML sign-in (SP-initiated) against a real SAML IdP', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: RunningApi;
  let prisma: Db;
  let idp: TestSamlIdp;
  let metadata: string;

  const start = async (hash: string) => {
    const response = await fetch(`${api.url}/v1/auth/sso/corp-saml/start`, json({ binding: hash }));
    expect(response.status).toBe(200);
    return ((await response.json()) as { redirectUrl: string }).redirectUrl;
  };
  const post = async (acsUrl: string, form: Record<string, string>) => {
    const response = await fetch(acsUrl, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString(),
    });
    expect(response.status).toBe(303);
    return response.headers.get('location')!;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startTestApi(db.url, { consoleUrl: CONSOLE });
    await waitFor('leadership', () => api.isLeader());
    prisma = createDb(db.url);
    idp = await makeTestSamlIdp();
    const admin = await bearer(api.url);
    const created = await fetch(`${api.url}/v1/iam/providers`, json({
      id: 'corp-saml', kind: 'SAML', displayName: 'Corp SAML',
      config: { entryPoint: idp.ssoUrl, idpCertificate: idp.certificate, idpIssuer: idp.entityId, groupsAttribute: 'memberOf' },
    }, { authorization: admin }));
    expect(created.status).toBe(201);
    metadata = await (await fetch(`${api.url}/v1/auth/saml/corp-saml/metadata`)).text();
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await api?.close();
    await db?.drop();
  });

  it('publishes SP metadata naming the ACS and requiring signed assertions', () => {
    expect(metadata).toContain(`entityID="${api.url}/v1/auth/saml/corp-saml/metadata"`);
    expect(metadata).toContain(`Location="${api.url}/v1/auth/saml/corp-saml/acs"`);
    expect(metadata).toMatch(/WantAssertionsSigned="true"/);
  });

  it('signs dave in from a signed response with a signed assertion, with his groups, through a one-time code', async () => {
    const { binding, hash } = bindingPair();
    const authorizeUrl = await start(hash);
    expect(authorizeUrl.startsWith(`${idp.ssoUrl}?SAMLRequest=`)).toBe(true);
    const { acsUrl, form } = await idp.respond(authorizeUrl, metadata, { nameId: 'dave', attributes: { memberOf: ['team-s', 'ops'] } });
    const landing = new URL(await post(acsUrl, form));
    expect(`${landing.origin}${landing.pathname}`).toBe(`${CONSOLE}/sso/callback`);
    const exchanged = await fetch(`${api.url}/v1/auth/sso/exchange`, json({ code: landing.searchParams.get('code'), binding }));
    expect(exchanged.status).toBe(200);
    const token = ((await exchanged.json()) as { token: string }).token;
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub).toBe('dave');
    expect(await prisma.user.findUnique({ where: { uid: 'dave' }, select: { provider: true } })).toEqual({ provider: 'SAML' });
    expect((await prisma.groupMember.findMany({ where: { uid: 'dave' }, orderBy: { gid: 'asc' } })).map((m) => m.gid)).toEqual(['ops', 'team-s']);

    // The same response again: its request was answered already.
    expect(await post(acsUrl, form)).toBe(`${CONSOLE}/login?error=1&code=sso_expired`);
  });

  it('refuses a response whose assertion is not signed', async () => {
    const authorizeUrl = await start(bindingPair().hash);
    const { acsUrl, form } = await idp.respond(authorizeUrl, metadata, { nameId: 'mallory' }, { assertion: false, response: true });
    expect(await post(acsUrl, form)).toBe(`${CONSOLE}/login?error=1&code=sso_denied`);
    expect(await prisma.user.findUnique({ where: { uid: 'mallory' } })).toBeNull();
  });

  it('refuses a response that is not signed itself, even with a signed assertion', async () => {
    const authorizeUrl = await start(bindingPair().hash);
    const { acsUrl, form } = await idp.respond(authorizeUrl, metadata, { nameId: 'mallory' }, { assertion: true, response: false });
    expect(Buffer.from(form.SAMLResponse!, 'base64').toString()).toMatch(/<ds:Signature/); // the assertion's
    expect(await post(acsUrl, form)).toBe(`${CONSOLE}/login?error=1&code=sso_denied`);
    expect(await prisma.user.findUnique({ where: { uid: 'mallory' } })).toBeNull();
  });

  it('refuses a response signed by another key (a forged IdP)', async () => {
    const forger = await makeTestSamlIdp();
    const authorizeUrl = await start(bindingPair().hash);
    const { acsUrl, form } = await forger.respond(authorizeUrl, metadata, { nameId: 'mallory' });
    expect(await post(acsUrl, form)).toBe(`${CONSOLE}/login?error=1&code=sso_denied`);
    expect(await prisma.user.findUnique({ where: { uid: 'mallory' } })).toBeNull();
  });

  it('refuses a response to a request this API did not make (unsolicited, or another flow)', async () => {
    const first = await start(bindingPair().hash);
    const second = await start(bindingPair().hash);
    // A response to the first request, delivered with the second flow's RelayState.
    const { acsUrl, form } = await idp.respond(first, metadata, { nameId: 'dave' });
    const otherState = new URL(second).searchParams.get('RelayState')!;
    expect(await post(acsUrl, { ...form, RelayState: otherState })).toBe(`${CONSOLE}/login?error=1&code=sso_denied`);
  });
});
