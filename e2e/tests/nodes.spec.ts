import { execFileSync } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';

test.describe.configure({ mode: 'serial' });

const adminPassword = process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password';

async function signIn(page: Page, uid = 'admin', password = adminPassword) {
  await page.goto('/login');
  await page.getByLabel('User').fill(uid);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

test.beforeEach(async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/localhost:\d+\/$/);
});

const row = (page: Page, hostname: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: hostname, exact: true }) });

test('the Nodes page lists the three local agents with their zones and resources', async ({ page }) => {
  await page.goto('/nodes');
  await expect(page.getByRole('heading', { level: 1, name: 'Nodes' })).toBeVisible();
  for (const [hostname, zone] of [['local-a', 'a'], ['local-b', 'b'], ['local-c', 'c']] as const) {
    const r = row(page, hostname);
    await expect(r).toHaveCount(1);
    await expect(r.getByText('Active')).toBeVisible();
    await expect(r.getByText(`zone:${zone}`)).toBeVisible();
    await expect(r.getByRole('cell', { name: '127.0.0.1' })).toBeVisible();
  }
  await expect(page.getByText('3 nodes, 3 active')).toBeVisible();
  // Disjoint port ranges: the agents share one host.
  await expect(row(page, 'local-a').getByText('31000–31999')).toBeVisible();
  await expect(row(page, 'local-b').getByText('32000–32999')).toBeVisible();
  await expect(row(page, 'local-c').getByText('33000–33999')).toBeVisible();
});

test('every section is reachable from the navigation with the keyboard alone', async ({ page }) => {
  await page.goto('/');
  const nav = page.getByRole('navigation', { name: 'Sections' });
  for (const name of ['Dashboard', 'Services', 'Tasks', 'Jobs', 'Nodes', 'Catalog', 'Organization', 'Settings']) {
    await expect(nav.getByRole('link', { name })).toBeVisible();
  }
  await nav.getByRole('link', { name: 'Nodes' }).focus();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/nodes$/);
  await expect(nav.getByRole('link', { name: 'Nodes' })).toHaveAttribute('aria-current', 'page');
});

test('a killed agent turns UNREACHABLE on the open page, without a reload', async ({ page }) => {
  await page.goto('/nodes');
  await expect(row(page, 'local-a').getByText('Active')).toBeVisible();
  await expect(page.getByText('● live')).toBeVisible();
  const navigations: string[] = [];
  page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));

  // SIGKILL the real agent process of this cluster (its work dir is under our GANTRY_HOME).
  execFileSync('pkill', ['-KILL', '-f', `${process.env.GANTRY_E2E_HOME}/agents/local-a`]);

  await expect(row(page, 'local-a').getByText('Unreachable')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('3 nodes, 2 active')).toBeVisible();
  await expect(row(page, 'local-b').getByText('Active')).toBeVisible();
  expect(navigations).toEqual([]);
});
