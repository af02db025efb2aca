import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { makeTestSamlIdp, type TestSamlIdp } from '../../apps/api/src/testing/saml-idp.js';

/**
 * SAML single sign-on from the browser: a samlify IdP served by this test process on
 * loopback answers Gantry's AuthnRequest with a page that POSTs the signed response to
 * the API's ACS, as a real IdP's login page would after the user signs in.
 */
const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';
const apiUrl = `http://127.0.0.1:${process.env.GANTRY_E2E_API_PORT ?? 18080}`;
const PROVIDER = 'e2e-saml';

let server: Server;
let idp: TestSamlIdp;
let admin: string;

const escape = (value: string) => value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

test.beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      const metadata = await (await fetch(`${apiUrl}/v1/auth/saml/${PROVIDER}/metadata`)).text();
      const { acsUrl, form } = await idp.respond(new URL(req.url ?? '/', ssoUrl).href, metadata, { nameId: 'frank', attributes: { memberOf: ['team-f'] } });
      const fields = Object.entries(form).map(([name, value]) => `<input type="hidden" name="${name}" value="${escape(value)}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<!doctype html><title>Test IdP</title><form method="post" action="${escape(acsUrl)}">${fields}<button type="submit">Continue as frank</button></form>`,
      );
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ssoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sso`;
  idp = await makeTestSamlIdp(ssoUrl);

  const login = await fetch(`${apiUrl}/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'admin', password: adminPassword }),
  });
  admin = `Bearer ${((await login.json()) as { token: string }).token}`;
  const created = await fetch(`${apiUrl}/v1/iam/providers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: admin },
    body: JSON.stringify({
      id: PROVIDER, kind: 'SAML', displayName: 'Test SAML',
      config: { entryPoint: ssoUrl, idpCertificate: idp.certificate, idpIssuer: idp.entityId, groupsAttribute: 'memberOf' },
    }),
  });
  expect(created.status).toBe(201);
});

test.afterAll(async () => {
  await fetch(`${apiUrl}/v1/iam/providers/${PROVIDER}`, { method: 'DELETE', headers: { authorization: admin } });
  await new Promise<void>((resolve) => {
    server?.close(() => resolve());
    server?.closeAllConnections();
  });
});

test('a user signs in to the console through a SAML identity provider', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Test SAML' }).click();
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/sso\?SAMLRequest=/);
  await page.getByRole('button', { name: 'Continue as frank' }).click();
  await expect(page).toHaveURL(/localhost:\d+\/$/);
  await expect(page.getByText('frank', { exact: true })).toBeVisible();
});
