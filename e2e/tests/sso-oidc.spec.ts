import { expect, test } from '@playwright/test';
import { startTestIdp, type TestIdp } from '../../apps/api/src/testing/oidc-idp.js';

/**
 * Single sign-on from the browser: a real OpenID provider runs in this test process,
 * the administrator registers it through the API, and a user signs in to the console
 * with the button it adds to the sign-in page.
 */
const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';
const apiUrl = `http://127.0.0.1:${process.env.GANTRY_E2E_API_PORT ?? 18080}`;
const PROVIDER = 'e2e-idp';

let idp: TestIdp;
let admin: string;

test.beforeAll(async () => {
  idp = await startTestIdp(
    { clientId: 'gantry-console', clientSecret: 'e2e-client-secret', redirectUri: `${apiUrl}/v1/auth/oidc/${PROVIDER}/callback` },
    { erin: { preferred_username: 'erin', groups: ['team-e'] } },
  );
  const login = await fetch(`${apiUrl}/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'admin', password: adminPassword }),
  });
  admin = `Bearer ${((await login.json()) as { token: string }).token}`;
  const created = await fetch(`${apiUrl}/v1/iam/providers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: admin },
    body: JSON.stringify({
      id: PROVIDER, kind: 'OIDC', displayName: 'Test IdP',
      config: { issuer: idp.issuer, clientId: 'gantry-console', clientSecret: 'e2e-client-secret', uidClaim: 'preferred_username', groupsClaim: 'groups' },
    }),
  });
  expect(created.status).toBe(201);
});

test.afterAll(async () => {
  await fetch(`${apiUrl}/v1/iam/providers/${PROVIDER}`, { method: 'DELETE', headers: { authorization: admin } });
  await idp?.close();
});

test('a user signs in to the console through an OpenID provider and out again', async ({ page }) => {
  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();

  // The IdP's own sign-in form (oidc-provider's development interaction).
  await expect(page).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill('erin');
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();

  await expect(page).toHaveURL(/localhost:\d+\/$/);
  await expect(page.getByText('erin', { exact: true })).toBeVisible();
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name.includes('session-token'))).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
  expect(cookies.find((c) => c.name === 'gantry-sso-binding')).toBeUndefined(); // used once, then gone

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
});

test('a sign-in code without the binding of the browser that started the login signs nobody in', async ({ page }) => {
  await page.goto('/sso/callback?code=stolen-or-made-up');
  await expect(page).toHaveURL(/\/login\?error=1&code=sso_failed/);
  await expect(page.getByRole('alert').filter({ hasText: 'The single sign-on could not be completed in this browser. Sign in again.' })).toBeVisible();
  await page.goto('/nodes');
  await expect(page).toHaveURL(/\/login/);
});
