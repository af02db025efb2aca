import { expect, test } from '@playwright/test';

const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';

test('an administrator adds a user, grants and revokes a permission from the console', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/nodes$/);

  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Organization' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Organization' })).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'admin', exact: true }).first()).toBeVisible();

  await page.getByLabel('New user UID').fill('carol');
  await page.getByLabel('New user password').fill('carol-password');
  await page.getByRole('button', { name: 'Add user' }).click();
  const users = page.getByRole('region', { name: 'Users and service accounts' }).or(page.locator('section[aria-labelledby="users-title"]'));
  await expect(users.getByRole('rowheader', { name: 'carol', exact: true })).toBeVisible();

  // A resource the grammar refuses: the API's message appears at the form.
  await page.getByLabel('Subject', { exact: true }).fill('carol');
  await page.getByLabel('Resource').fill('not a resource');
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'resource must look like gantry:service:/team-a' })).toBeVisible();
  await expect(page.getByLabel('Resource')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Resource').fill('gantry:service:/team-a');
  await page.getByRole('button', { name: 'Grant', exact: true }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'carol', exact: true }) }).filter({ hasText: 'gantry:service:/team-a' });
  await expect(row).toBeVisible();

  await row.getByRole('button', { name: 'Revoke read on gantry:service:/team-a for carol' }).click();
  await row.getByRole('button', { name: 'Confirm revoking read on gantry:service:/team-a for carol' }).click();
  await expect(row).toHaveCount(0);
});

test('the console refuses a cross-site write even with a valid session', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/nodes$/);
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
