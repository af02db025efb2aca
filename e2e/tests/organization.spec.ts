import { generateKeyPairSync } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';

/**
 * The Organization pages as an administrator uses them, in Chromium against a real
 * `gantry up`: users, groups and members, service accounts, permissions with the
 * resource picker, quotas and the audit log. Every change goes through the API as the
 * signed-in user.
 */
const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';
const apiUrl = `http://127.0.0.1:${process.env.GANTRY_E2E_API_PORT ?? 18080}`;

async function signIn(page: Page, uid: string, password: string) {
  await page.goto('/login');
  await page.getByLabel('User').fill(uid);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

const tabs = (page: Page) => page.getByRole('navigation', { name: 'Organization' });

test('an administrator adds a user, grants and revokes a permission from the console', async ({ page }) => {
  await signIn(page, 'admin', adminPassword);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Organization' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Organization' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'admin', exact: true }).first()).toBeVisible();

  await page.getByLabel('New user UID').fill('carol');
  await page.getByLabel('New user password').fill('carol-password');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.locator('section[aria-labelledby="users-title"]').getByRole('rowheader', { name: 'carol', exact: true })).toBeVisible();

  await tabs(page).getByRole('link', { name: 'Permissions' }).click();
  // A resource the grammar refuses: the API's message appears at the form.
  await page.getByLabel('Subject', { exact: true }).fill('carol');
  await page.getByLabel('Resource', { exact: true }).fill('not a resource');
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'resource must look like gantry:service:/team-a' })).toBeVisible();
  await expect(page.getByLabel('Resource', { exact: true })).toHaveAttribute('aria-invalid', 'true');

  // The picker: a kind from the catalog, then a path; the resource follows.
  await page.getByLabel('Resource kind').selectOption('gantry:service');
  await page.getByLabel('Path').fill('/team-a');
  await expect(page.getByLabel('Resource', { exact: true })).toHaveValue('gantry:service:/team-a');
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'carol', exact: true }) }).filter({ hasText: 'gantry:service:/team-a' });
  await expect(row).toBeVisible();

  // Kinds offer only the actions they have: nodes cannot be created.
  await page.getByLabel('Resource kind').selectOption('gantry:node');
  await expect(page.getByLabel('Action').locator('option')).toHaveText(['read', 'update', 'full']);

  await row.getByRole('button', { name: 'Revoke read on gantry:service:/team-a for carol' }).click();
  await row.getByRole('button', { name: 'Confirm revoking read on gantry:service:/team-a for carol' }).click();
  await expect(row).toHaveCount(0);
});

test('an administrator manages groups and members, and sees a member\'s permissions through its groups', async ({ page }) => {
  await signIn(page, 'admin', adminPassword);
  await page.goto('/organization/groups');
  await page.getByLabel('New group ID').fill('team-org');
  await page.getByRole('button', { name: 'Add group' }).click();
  const group = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'team-org', exact: true }) });
  await expect(group).toBeVisible();
  await group.getByLabel('User to add to team-org').fill('carol');
  await group.getByRole('button', { name: 'Add member to team-org' }).click();
  await expect(group.getByText('carol')).toBeVisible();

  await group.getByRole('link', { name: 'Permissions of group team-org' }).click();
  await expect(page).toHaveURL(/subject=GROUP%3Ateam-org|subject=GROUP:team-org/);
  await page.getByLabel('Resource', { exact: true }).fill('gantry:service:/team-org');
  await page.getByLabel('Action').selectOption('full');
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await expect(page.getByRole('row').filter({ hasText: 'gantry:service:/team-org' })).toBeVisible();

  // carol's own view of permissions lists what she holds through team-org.
  await page.getByLabel('Show the permissions of').selectOption('USER:carol');
  const inherited = page.getByRole('row').filter({ hasText: 'gantry:service:/team-org' });
  await expect(inherited).toContainText('group team-org (through membership)');

  await page.goto('/organization/groups');
  await group.getByRole('button', { name: 'Remove carol from team-org' }).click();
  await expect(group.getByText('carol')).toHaveCount(0);
  await group.getByRole('button', { name: 'Delete group team-org' }).click();
  await group.getByRole('button', { name: 'Confirm deleting group team-org' }).click();
  await expect(group).toHaveCount(0);
});

test('an administrator adds a service account with its public key, which then logs in with its private key', async ({ page }) => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await signIn(page, 'admin', adminPassword);
  await page.goto('/organization/service-accounts');
  await page.getByLabel('Service account UID').fill('e2e-bot');
  await page.getByLabel('Public key (PEM)').fill('not a key');
  await page.getByRole('button', { name: 'Save service account' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'not an RSA public key in PEM (SPKI) form' })).toBeVisible();
  await page.getByLabel('Public key (PEM)').fill(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  await page.getByRole('button', { name: 'Save service account' }).click();
  await expect(page.getByRole('rowheader', { name: 'e2e-bot', exact: true })).toBeVisible();

  // DC/OS's service login: a short-lived JWT signed with the private key.
  const { SignJWT, importPKCS8 } = await import('jose');
  const key = await importPKCS8(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'RS256');
  const token = await new SignJWT({ uid: 'e2e-bot' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('2m').sign(key);
  const login = await fetch(`${apiUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'e2e-bot', token }) });
  expect(login.status).toBe(200);

  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'e2e-bot', exact: true }) });
  await row.getByRole('button', { name: 'Delete service account e2e-bot' }).click();
  await row.getByRole('button', { name: 'Confirm deleting service account e2e-bot' }).click();
  await expect(row).toHaveCount(0);
});

test('an administrator sets a group\'s quota and reads the audit log by actor, page by page', async ({ page }) => {
  await signIn(page, 'admin', adminPassword);
  await page.goto('/organization/quotas');
  const form = page.getByRole('form', { name: 'Set the quota of a group' });
  // Not a top-level group's name: the API says why, at the form.
  await form.getByLabel('Top-level group').fill('Team Quota');
  await form.getByLabel('CPUs limit (cpus)').fill('2');
  await form.getByRole('button', { name: 'Save quota' }).click();
  await expect(form.getByRole('alert')).toContainText('group: segment "Team Quota"');
  await form.getByLabel('Top-level group').fill('team-quota');
  await form.getByLabel('Instances limit (instances)').fill('4');
  await form.getByRole('button', { name: 'Save quota' }).click();
  await expect(page.getByRole('cell', { name: 'cpus of /team-quota' })).toHaveText('0 of 2 cpus');
  await expect(page.getByRole('cell', { name: 'mem of /team-quota' })).toHaveText('0 of unlimited MiB');

  await page.getByRole('button', { name: 'Remove the quota of /team-quota' }).click();
  await page.getByRole('button', { name: 'Confirm removing the quota of /team-quota' }).click();
  await expect(page.getByRole('rowheader', { name: '/team-quota' })).toHaveCount(0);

  await tabs(page).getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Actor').fill('admin');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/actor=admin/);
  const entries = page.locator('tbody tr');
  await expect(entries.first()).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'PUT /v1/quotas/:group' }).filter({ hasText: 'gantry:quota:/team-quota' }).first()).toBeVisible();
  await expect(entries.filter({ hasNot: page.getByRole('rowheader', { name: 'admin', exact: true }) })).toHaveCount(0);
  // Paging: the first entry of the next page is older than the last of this one.
  const lastOfFirst = await entries.last().locator('time').getAttribute('datetime');
  const older = page.getByRole('button', { name: 'Older entries' });
  if (await older.isEnabled()) {
    await older.click();
    await expect(page.getByRole('button', { name: 'Newer entries' })).toBeEnabled();
    const firstOfSecond = await entries.first().locator('time').getAttribute('datetime');
    expect(Date.parse(firstOfSecond!)).toBeLessThanOrEqual(Date.parse(lastOfFirst!));
  }
});

test('a user without IAM grants sees only its own permissions and no administration', async ({ page }) => {
  const admin = `Bearer ${((await (await fetch(`${apiUrl}/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'admin', password: adminPassword }),
  })).json()) as { token: string }).token}`;
  const put = await fetch(`${apiUrl}/v1/iam/users/dave`, { method: 'PUT', headers: { authorization: admin, 'content-type': 'application/json' }, body: JSON.stringify({ password: 'dave-password' }) });
  expect([200, 201]).toContain(put.status);
  await fetch(`${apiUrl}/v1/iam/grants`, {
    method: 'POST', headers: { authorization: admin, 'content-type': 'application/json' },
    body: JSON.stringify({ subject: { kind: 'USER', id: 'dave' }, resource: 'gantry:service:/team-dave', action: 'read' }),
  });
  await signIn(page, 'dave', 'dave-password');
  await page.goto('/organization');
  await expect(page.getByRole('heading', { name: 'Your permissions' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'gantry:service:/team-dave' })).toBeVisible();
  await expect(tabs(page).getByRole('link')).toHaveText(['Quotas']);
  await expect(page.getByRole('button', { name: 'Add user' })).toHaveCount(0);
  await page.goto('/settings');
  await expect(page.getByText('You may not configure identity providers')).toBeVisible();
  await page.goto('/organization/audit');
  await expect(page.getByText('You may not read the audit log')).toBeVisible();
});

test('the console refuses a cross-site write even with a valid session', async ({ page }) => {
  await signIn(page, 'admin', adminPassword);
  // The request carries the signed-in session's cookie, as a forged cross-site form would.
  const forged = await page.request.put('/api/v1/iam/groups/evil', {
    headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, data: {},
  });
  expect(forged.status()).toBe(403);
  expect(await forged.json()).toEqual({ message: 'cross-site request refused' });
  const sameSite = await page.request.get('/api/v1/iam/groups');
  expect(sameSite.status()).toBe(200);
  expect((await sameSite.json()).groups).not.toContainEqual(expect.objectContaining({ gid: 'evil' }));
});
