import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { startTestIdp, type TestIdp } from '../../apps/api/src/testing/oidc-idp.js';
import { makeTestSamlIdp, type TestSamlIdp } from '../../apps/api/src/testing/saml-idp.js';
import { LDAP_READER_DN, LDAP_SUFFIX, startTestDirectory, type TestDirectory } from '../../apps/api/src/testing/slapd.js';

/**
 * Issue 7's "done when", from the browser: an administrator connects the company's
 * LDAP directory (real slapd) in the console; an LDAP user of the directory's group
 * `team-a`, holding `full` on `gantry:service:/team-a` through it, signs in to the
 * console, deploys `/team-a/web` with the console's service form, reads its task
 * and logs, and sees or touches nothing of `/team-b` nor grants itself more; an OIDC and
 * a SAML user sign in through the console too; every step is in the audit log.
 */
const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';
const apiUrl = `http://127.0.0.1:${process.env.GANTRY_E2E_API_PORT ?? 18080}`;
const LDAP = 'e2e-corp';
const OIDC = 'e2e-tenant-oidc';
const SAML = 'e2e-tenant-saml';

let directory: TestDirectory;
let oidc: TestIdp;
let saml: TestSamlIdp;
let samlServer: Server;
let admin: string;

type Answer = { status: number; body: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
async function api(authorization: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${apiUrl}${path}`, {
    method, headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}
async function login(uid: string, password: string): Promise<string> {
  const answer = await api('', 'POST', '/v1/auth/login', { uid, password });
  expect(answer.status, `${uid} logs in`).toBe(200);
  return `Bearer ${answer.body.token as string}`;
}
/** A request from the signed-in page itself: the browser's cookies, the console's origin. */
async function fromPage(page: Page, method: string, path: string, body?: unknown): Promise<Answer> {
  return page.evaluate(async ({ method, path, body }) => {
    const response = await fetch(path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }, { method, path, body });
}
const trpcQuery = (procedure: string, input: unknown) => `/api/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`;
const app = (id: string, marker: string) => ({ id, cmd: `echo "${marker}"; exec sleep 600`, cpus: 0.1, mem: 32, instances: 1 });
async function runningTask(id: string): Promise<string> {
  await expect.poll(async () => (await api(admin, 'GET', `/v2/apps${id}/tasks`)).body?.tasks?.find((t: { state: string }) => t.state === 'TASK_RUNNING')?.id, { timeout: 45_000 }).toBeTruthy();
  return (await api(admin, 'GET', `/v2/apps${id}/tasks`)).body.tasks.find((t: { state: string }) => t.state === 'TASK_RUNNING').id;
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  directory = await startTestDirectory(
    [{ uid: 'ada', password: 'ada-directory-pw' }, { uid: 'ben', password: 'ben-directory-pw' }],
    { 'team-a': ['ada'], 'team-b': ['ben'] },
  );
  admin = await login('admin', adminPassword);
  for (const team of ['team-a', 'team-b']) {
    expect((await api(admin, 'PUT', `/v1/iam/groups/${team}`, { description: team })).status).toBe(200);
    const grant = await api(admin, 'POST', '/v1/iam/grants', { subject: { kind: 'GROUP', id: team }, resource: `gantry:service:/${team}`, action: 'full' });
    expect(grant.status).toBe(201);
  }
  expect((await api(admin, 'PUT', '/v1/quotas/team-a', { cpus: 0.5, instances: 3 })).status).toBe(200);
});

test.afterAll(async () => {
  for (const id of [LDAP, OIDC, SAML]) await api(admin, 'DELETE', `/v1/iam/providers/${id}`);
  for (const id of ['/team-a/web', '/team-b/api']) await api(admin, 'DELETE', `/v2/apps${id}?force=true`);
  await api(admin, 'DELETE', '/v1/quotas/team-a');
  await directory?.close();
  await oidc?.close();
  await new Promise<void>((resolve) => (samlServer ? samlServer.close(() => resolve()) : resolve()));
});

test('an administrator connects the LDAP directory in the console, tests it, and never sees its password again', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
  await page.goto('/settings');
  const form = page.getByRole('form', { name: 'Add an identity provider' });
  await form.getByLabel('Kind').selectOption('LDAP');
  await form.getByLabel('Provider ID').fill(LDAP);
  await form.getByLabel('Display name').fill('Company directory');
  await form.getByLabel('Host').fill('127.0.0.1');
  await form.getByLabel('Port').fill(String(directory.port));
  await form.getByLabel('Security').selectOption('none');
  await form.getByLabel('Bind DN').fill(LDAP_READER_DN);
  await form.getByLabel('Bind password').fill(directory.readerPassword);
  await form.getByLabel('User search base').fill(`ou=people,${LDAP_SUFFIX}`);
  await form.getByLabel('User search filter').fill('not a filter');
  await form.getByRole('button', { name: 'Add provider' }).click();
  await expect(form.getByText('must be a parenthesised LDAP filter, e.g. (objectClass=person)', { exact: true })).toBeVisible();
  await form.getByLabel('User search filter').fill('(objectClass=inetOrgPerson)');
  await form.getByLabel('Group search base').fill(`ou=groups,${LDAP_SUFFIX}`);
  await form.getByRole('button', { name: 'Add provider' }).click();

  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: LDAP, exact: true }) });
  await expect(row).toContainText('bindPassword set');
  await row.getByRole('button', { name: `Test connection to ${LDAP}` }).click();
  await expect(row.getByRole('status')).toHaveText('✓ connected; 2 user(s) under the user search base');

  // Editing keeps the password it does not show.
  await row.getByRole('button', { name: `Edit ${LDAP}` }).click();
  const edit = page.getByRole('form', { name: `Edit ${LDAP}` });
  await expect(edit.getByLabel('Bind password')).toHaveValue('');
  await expect(edit.getByLabel('Bind password')).toHaveAttribute('placeholder', 'set — leave empty to keep');
  await edit.getByLabel('Display name').fill('Corporate directory');
  await edit.getByRole('button', { name: 'Save changes' }).click();
  await expect(row).toContainText('Corporate directory');
  await row.getByRole('button', { name: `Test connection to ${LDAP}` }).click();
  await expect(row.getByRole('status')).toHaveText('✓ connected; 2 user(s) under the user search base');
  expect(await page.content()).not.toContain(directory.readerPassword);
});

test('the LDAP user of team-a deploys /team-a/web from the console and sees nothing of /team-b', async ({ page }) => {
  // Another team's app, deployed by its own member with his own token.
  const ben = await login('ben', 'ben-directory-pw');
  expect((await api(ben, 'POST', '/v2/apps', app('/team-b/api', 'secret of team b'))).status).toBe(201);

  await page.goto('/login');
  await page.getByLabel('User').fill('ada');
  await page.getByLabel('Password').fill('ada-directory-pw');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);

  // Her organization page: who she is and what she holds, no administration.
  await page.goto('/organization');
  await expect(page.getByRole('heading', { name: 'Your permissions' })).toBeVisible();
  await expect(page.getByText('team-a', { exact: true })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'gantry:service:/team-a' })).toContainText('full');
  await expect(page.getByRole('navigation', { name: 'Organization' }).getByRole('link')).toHaveText(['Quotas']);

  // Deploy through the console's service form.
  await page.goto('/services/new?group=/team-a');
  await page.getByLabel('ID', { exact: true }).fill('/team-a/web');
  await page.getByLabel('Command').fill('echo "hello from team a"; exec python3 -m http.server $PORT0 --bind 127.0.0.1');
  await page.getByLabel('CPUs (cores)').fill('0.1');
  await page.getByLabel('Memory (MiB)').fill('32');
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await expect(page).toHaveURL(/\/services\/app\/team-a\/web/);
  const [mine, theirs] = [await runningTask('/team-a/web'), await runningTask('/team-b/api')];

  // The console's pages show her services only; another team's is not shown, nor its name.
  await page.goto('/services');
  await expect(page.getByRole('main')).toContainText('team-a');
  await expect(page.getByRole('main')).not.toContainText('team-b');
  await page.goto('/services/app/team-b/api');
  await expect(page.getByRole('main')).not.toContainText('secret of team b');

  // Lists hold her apps only; another team's app is refused, existing or not.
  const list = await fromPage(page, 'GET', trpcQuery('services.list', { group: '/' }));
  expect(list.status).toBe(200);
  expect(JSON.stringify(list.body)).toContain('/team-a');
  expect(JSON.stringify(list.body)).not.toContain('team-b');
  for (const id of ['/team-b/api', '/team-b/nothing-here']) {
    const detail = await fromPage(page, 'GET', trpcQuery('services.app', { id }));
    expect(detail.status, id).toBe(403);
  }
  const deleted = await fromPage(page, 'POST', '/api/trpc/services.delete', { id: '/team-b/api', force: true });
  expect(deleted.status).toBe(403);

  // Her task and its logs; another team's answer like a task that does not exist.
  expect((await fromPage(page, 'GET', `/api/v1/tasks/${mine}`)).body).toMatchObject({ appId: '/team-a/web' });
  await expect.poll(async () => (await fromPage(page, 'GET', `/api/v1/tasks/${mine}/logs/stdout`)).body?.data).toContain('hello from team a');
  const ghost = await fromPage(page, 'GET', '/api/v1/tasks/no-such-task');
  for (const path of [`/api/v1/tasks/${theirs}`, `/api/v1/tasks/${theirs}/logs/stdout`]) {
    const refused = await fromPage(page, 'GET', path);
    expect(refused.status, path).toBe(403);
    expect(JSON.stringify(refused.body)).not.toContain('team-b');
  }
  expect((await fromPage(page, 'GET', `/api/v1/tasks/${theirs}`)).body).toEqual(ghost.body);

  // Her quota, not theirs; she can neither raise it nor exceed it.
  await page.goto('/organization/quotas');
  await expect(page.getByRole('rowheader', { name: '/team-a' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'cpus of /team-a' })).toHaveText('0.1 of 0.5 cpus');
  await expect(page.getByRole('rowheader', { name: '/team-b' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Edit the quota/ })).toHaveCount(0);
  expect((await fromPage(page, 'PUT', '/api/v1/quotas/team-a', { cpus: 64 })).status).toBe(403);
  const over = await fromPage(page, 'POST', '/api/trpc/services.scale', { id: '/team-a/web', instances: 6, force: true });
  expect(over.body.result.data).toMatchObject({
    ok: false, status: 422,
    message: 'this deployment would exceed the quota of /team-a: /team-a would want 0.6 cpus in all (0.1 now); its quota allows 0.5; /team-a would want 6 instances in all (1 now); its quota allows 3',
  });

  // She cannot grant herself more.
  for (const resource of ['gantry:service:/team-b', 'gantry:superuser']) {
    const grant = await fromPage(page, 'POST', '/api/v1/iam/grants', { subject: { kind: 'USER', id: 'ada' }, resource, action: 'full' });
    expect(grant).toEqual({ status: 403, body: { message: 'forbidden: no grant of update on gantry:iam' } });
  }
  expect((await fromPage(page, 'GET', '/api/v1/auth/whoami')).body.grants).toEqual([{ resource: 'gantry:service:/team-a', action: 'full' }]);
});

test('an OIDC user and a SAML user sign in through the console', async ({ page }) => {
  oidc = await startTestIdp(
    { clientId: 'gantry-tenancy', clientSecret: 'tenancy-secret', redirectUri: `${apiUrl}/v1/auth/oidc/${OIDC}/callback` },
    { olga: { preferred_username: 'olga', groups: ['team-a'] } },
  );
  expect((await api(admin, 'POST', '/v1/iam/providers', {
    id: OIDC, kind: 'OIDC', displayName: 'Tenancy OIDC',
    config: { issuer: oidc.issuer, clientId: 'gantry-tenancy', clientSecret: 'tenancy-secret', uidClaim: 'preferred_username', groupsClaim: 'groups' },
  })).status).toBe(201);
  samlServer = createServer((req, res) => {
    void (async () => {
      const metadata = await (await fetch(`${apiUrl}/v1/auth/saml/${SAML}/metadata`)).text();
      const { acsUrl, form } = await saml.respond(new URL(req.url ?? '/', ssoUrl).href, metadata, { nameId: 'sam', attributes: { memberOf: ['team-a'] } });
      const fields = Object.entries(form).map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)}">`).join('');
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>IdP</title><form method="post" action="${acsUrl}">${fields}<button type="submit">Continue as sam</button></form>`);
    })().catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => samlServer.listen(0, '127.0.0.1', resolve));
  const ssoUrl = `http://127.0.0.1:${(samlServer.address() as AddressInfo).port}/sso`;
  saml = await makeTestSamlIdp(ssoUrl);
  expect((await api(admin, 'POST', '/v1/iam/providers', {
    id: SAML, kind: 'SAML', displayName: 'Tenancy SAML',
    config: { entryPoint: ssoUrl, idpCertificate: saml.certificate, idpIssuer: saml.entityId, groupsAttribute: 'memberOf' },
  })).status).toBe(201);

  await page.goto('/login');
  await page.getByRole('link', { name: 'Sign in with Tenancy OIDC' }).click();
  await page.locator('input[name="login"]').fill('olga');
  await page.locator('input[name="password"]').fill('anything');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await expect(page.getByText('olga', { exact: true })).toBeVisible();
  // Her groups came from the IdP: team-a's grant is hers.
  expect((await fromPage(page, 'GET', '/api/v1/auth/whoami')).body).toMatchObject({ uid: 'olga', groups: ['team-a'] });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);

  await page.getByRole('link', { name: 'Sign in with Tenancy SAML' }).click();
  await page.getByRole('button', { name: 'Continue as sam' }).click();
  await expect(page.getByText('sam', { exact: true })).toBeVisible();
  expect((await fromPage(page, 'GET', '/api/v1/auth/whoami')).body).toMatchObject({ uid: 'sam', groups: ['team-a'] });
});

test('every step is in the audit log', async () => {
  const steps = async (actor: string) => {
    const { entries } = (await api(admin, 'GET', `/v1/audit?actor=${actor}&limit=500`)).body;
    return new Set(entries.map((e: { action: string; status: number; outcome: string; target: string | null }) => `${e.action} ${e.status} ${e.outcome} ${e.target ?? '-'}`));
  };
  const adminSteps = await steps('admin');
  for (const step of [
    'POST /v1/iam/providers 422 failed gantry:iam:providers',
    'POST /v1/iam/providers 201 allowed gantry:iam:providers',
    'PUT /v1/iam/providers/:id 200 allowed gantry:iam:providers',
    'POST /v1/iam/providers/:id/test 200 allowed gantry:iam:providers',
    'POST /v1/iam/grants 201 allowed gantry:iam',
    'PUT /v1/quotas/:group 200 allowed gantry:quota:/team-a',
  ]) expect(adminSteps, `admin: ${step}`).toContain(step);
  const adaSteps = await steps('ada');
  for (const step of [
    'POST /v1/auth/login 200 allowed -', // her sign-in to the console, checked against the directory
    'tRPC services.create 200 allowed -', // the service form
    'tRPC services.app 403 denied -',
    'tRPC services.delete 403 denied -',
    'GET /v1/tasks/:taskId 403 denied -',
    'GET /v1/tasks/:taskId/logs/:file 403 denied -',
    'PUT /v1/quotas/:group 403 denied gantry:quota:/team-a',
    'tRPC services.scale 200 allowed -', // refused by the quota, answered as a value
    'POST /v1/iam/grants 403 denied gantry:iam',
  ]) expect(adaSteps, `ada: ${step}`).toContain(step);
  expect(await steps('ben')).toContain('POST /v2/apps 201 allowed gantry:service:/team-b/api');
  expect(await steps('olga')).toContain('POST /v1/auth/sso/exchange 200 allowed -');
  expect(await steps('sam')).toContain('POST /v1/auth/sso/exchange 200 allowed -');
});
