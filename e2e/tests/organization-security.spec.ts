import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';

/**
 * The console's sign-in against bad input and failure: cookies that are HttpOnly and
 * SameSite=Lax always and Secure (with the __Secure-/__Host- prefixes) when the
 * console's URL (AUTH_URL) is https; next-auth's own POSTs refused without their CSRF
 * token; a directory or an identity provider that is down said so, while local
 * administrators still sign in.
 */
const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';
const apiUrl = `http://127.0.0.1:${process.env.GANTRY_E2E_API_PORT ?? 18080}`;
const webServer = fileURLToPath(new URL('../../apps/web/server.js', import.meta.url));

/** A port nothing listens on: a server that is down. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function adminToken(): Promise<string> {
  const login = await fetch(`${apiUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'admin', password: adminPassword }) });
  return `Bearer ${((await login.json()) as { token: string }).token}`;
}

const cookieNamed = (setCookies: string[], name: string) => setCookies.find((c) => c.startsWith(`${name}=`));

test('session and CSRF cookies are Secure with __Secure-/__Host- names when the console\'s URL is https', async () => {
  // The console as deployed behind TLS: AUTH_URL (its public URL) is https. A second
  // console process, on a port of its own, against the same API.
  const port = await closedPort();
  const console2 = spawn(process.execPath, [webServer], {
    cwd: dirname(webServer),
    env: { ...process.env, GANTRY_WEB_PORT: String(port), AUTH_URL: `https://localhost:${port}`, AUTH_SECRET: randomBytes(32).toString('hex'), GANTRY_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      console2.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('gantry console on') && resolve());
      console2.once('exit', (code) => reject(new Error(`the console exited with ${code}`)));
    });
    const base = `http://localhost:${port}`;
    const csrf = await fetch(`${base}/api/auth/csrf`);
    const csrfCookies = csrf.headers.getSetCookie();
    const csrfCookie = cookieNamed(csrfCookies, '__Host-authjs.csrf-token');
    expect(csrfCookie).toMatch(/; Secure/i);
    expect(csrfCookie).toMatch(/; HttpOnly/i);
    expect(csrfCookie).toMatch(/; SameSite=Lax/i);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const jar = csrfCookies.map((c) => c.split(';')[0]).join('; ');

    const signIn = (body: Record<string, string>) => fetch(`${base}/api/auth/callback/credentials`, {
      method: 'POST', redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar },
      body: new URLSearchParams(body),
    });
    // Without the double-submitted CSRF token nobody is signed in, right password or not.
    const forged = await signIn({ uid: 'admin', password: adminPassword });
    expect(cookieNamed(forged.headers.getSetCookie(), '__Secure-authjs.session-token')).toBeUndefined();
    expect(forged.headers.get('location')).toMatch(/error=MissingCSRF/);

    const signedIn = await signIn({ uid: 'admin', password: adminPassword, csrfToken });
    const session = cookieNamed(signedIn.headers.getSetCookie(), '__Secure-authjs.session-token');
    expect(session).toMatch(/; Secure/i);
    expect(session).toMatch(/; HttpOnly/i);
    expect(session).toMatch(/; SameSite=Lax/i);
    // The relay finds the session under its secure name and acts as the user.
    const whoami = await fetch(`${base}/api/v1/auth/whoami`, { headers: { cookie: session!.split(';')[0]! } });
    expect(whoami.status).toBe(200);
    expect(((await whoami.json()) as { uid: string }).uid).toBe('admin');
  } finally {
    console2.kill('SIGTERM');
  }
});

test('over plain http (a developer\'s localhost) the cookies are HttpOnly and SameSite, and not Secure', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
  const session = (await page.context().cookies()).find((c) => c.name === 'authjs.session-token');
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false });
});

test('a directory that is down is named on the sign-in page, and local administrators still sign in', async ({ page }) => {
  const admin = await adminToken();
  const created = await fetch(`${apiUrl}/v1/iam/providers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: admin },
    body: JSON.stringify({
      id: 'e2e-down-ldap', kind: 'LDAP', displayName: 'Down directory',
      config: { host: '127.0.0.1', port: await closedPort(), security: 'none', userSearchBase: 'ou=people,dc=nowhere' },
    }),
  });
  expect(created.status).toBe(201);
  try {
    await page.goto('/login');
    await page.getByLabel('User').fill('someone-in-the-directory');
    await page.getByLabel('Password').fill('their-directory-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'The directory that checks your password cannot be reached right now.' })).toBeVisible();

    await page.getByLabel('User').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).not.toHaveURL(/\/login/);
  } finally {
    await fetch(`${apiUrl}/v1/iam/providers/e2e-down-ldap`, { method: 'DELETE', headers: { authorization: admin } });
  }
});

test('an identity provider that is down is said to be, and the password form still works', async ({ page }) => {
  const admin = await adminToken();
  const created = await fetch(`${apiUrl}/v1/iam/providers`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: admin },
    body: JSON.stringify({ id: 'e2e-down-oidc', kind: 'OIDC', displayName: 'Down IdP', config: { issuer: `http://127.0.0.1:${await closedPort()}`, clientId: 'gantry' } }),
  });
  expect(created.status).toBe(201);
  try {
    await page.goto('/login');
    await page.getByRole('link', { name: 'Sign in with Down IdP' }).click();
    await expect(page).toHaveURL(/\/login\?error=1&code=sso_unavailable/);
    await expect(page.getByRole('alert').filter({ hasText: 'The identity provider is unavailable.' })).toBeVisible();
    await page.getByLabel('User').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).not.toHaveURL(/\/login/);
  } finally {
    await fetch(`${apiUrl}/v1/iam/providers/e2e-down-oidc`, { method: 'DELETE', headers: { authorization: admin } });
  }
});
