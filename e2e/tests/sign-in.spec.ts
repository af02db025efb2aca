import { expect, test } from '@playwright/test';

const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';

test('the console sends a visitor who is not signed in to the sign-in page', async ({ page }) => {
  await page.goto('/nodes');
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('heading', { name: 'Sign in to Gantry' })).toBeVisible();
});

test('the console relays nothing to the API without a session', async ({ request }) => {
  const response = await request.get('/api/trpc/nodes.list');
  expect(response.status()).toBe(401);
});

test('a wrong password is refused with a message, the right one signs in, and sign-out ends the session', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'Invalid user or password.' })).toBeVisible();

  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByLabel('Password').press('Enter');
  await expect(page).toHaveURL(/localhost:\d+\/$/);
  await expect(page.getByText('admin', { exact: true })).toBeVisible();
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name.includes('session-token'));
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/nodes');
  await expect(page).toHaveURL(/\/login/);
});
