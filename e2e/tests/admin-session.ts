import { expect, type Page, type TestInfo } from '@playwright/test';

/** What the console specs share: the e2e admin's sign-in, and screenshots attached to the report. */
export const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';

export async function signInAsAdmin(page: Page): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('User').fill('admin');
  await page.getByLabel('Password').fill(adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/localhost:\d+\/$/);
}

export async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  await testInfo.attach(name, { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
}
