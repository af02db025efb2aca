import { expect, test, type Page } from '@playwright/test';
import { shot, signInAsAdmin } from './admin-session.js';

/**
 * The console's whole flow against a real `gantry up` (three agents, zones a/b/c):
 * deploy through the form and through JSON, see it running and healthy, read a line it
 * printed in its task's log and in the service's aggregated log, scale it, break its
 * health check and read the Debug tab's explanation, make it unplaceable and see every
 * node's refusal, delete it — then drain and reactivate a node, and a screenshot of
 * every page goes into the report.
 */
test.describe.configure({ mode: 'serial' });

const APP = '/e2e/web';
const JSON_APP = '/e2e/from-json';
const MARKER = 'gantry-e2e-hello';

const facts = (page: Page) => page.getByLabel('Summary');
const tab = (page: Page, name: string) => page.getByRole('navigation', { name: 'Service sections' }).getByRole('link', { name, exact: true });

test.beforeEach(async ({ page }) => {
  await signInAsAdmin(page);
});

test('deploys a service through the form, with errors shown at their field, and sees it running and healthy', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Services' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Services' })).toBeVisible();
  await page.getByRole('main').getByRole('link', { name: 'Deploy a service' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Deploy a service' })).toBeVisible();

  await page.getByLabel('ID', { exact: true }).fill(APP);
  await page.getByLabel('Command').fill(`echo ${MARKER} from $MESOS_TASK_ID; exec python3 -m http.server $PORT0 --bind 127.0.0.1`);
  // The shared schema refuses what the API would, at the field, before anything is sent.
  await page.getByLabel('CPUs (cores)').fill('0');
  await expect(page.getByLabel('CPUs (cores)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('must be at least 0.001, not 0')).toBeVisible();
  await page.getByLabel('CPUs (cores)').fill('0.1');
  await expect(page.getByLabel('CPUs (cores)')).not.toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Memory (MiB)').fill('64');
  await page.getByLabel('Check 1 grace period (s)').fill('2');
  await page.getByLabel('Check 1 interval (s)').fill('2');
  await shot(page, testInfo, 'service form');
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();

  await expect(page).toHaveURL(/\/services\/app\/e2e\/web\?deployment=/);
  await expect(page.getByRole('heading', { level: 1, name: APP })).toBeVisible();
  await expect(page.getByTestId('change-result')).toContainText('deployment');
  await expect(facts(page)).toContainText('1 of 1 instances running', { timeout: 45_000 });
  await expect(facts(page)).toContainText('1 healthy, 0 unhealthy', { timeout: 45_000 });
  const row = page.getByTestId('service-tasks').getByRole('row').nth(1);
  await expect(row).toContainText('Running');
  await expect(row).toContainText('Healthy');
  await expect(row.getByRole('link', { name: /^Port \d+ of/ })).toHaveCount(1);
  await shot(page, testInfo, 'service detail: tasks');
  await tab(page, 'Configuration').click();
  await expect(page.getByRole('term').filter({ hasText: 'Health checks' })).toBeVisible();
  await shot(page, testInfo, 'service detail: configuration');
});

test('deploys a service through the JSON editor, its errors pointing at their line', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/services/new?group=/e2e');
  await page.getByRole('tab', { name: 'JSON' }).click();
  const editor = page.getByLabel('Marathon app definition (JSON)');
  const definition = { id: JSON_APP, cmd: 'exec python3 -m http.server $PORT0 --bind 127.0.0.1', cpus: -1, mem: 32, instances: 1 };
  await editor.fill(JSON.stringify(definition, null, 2));
  const summary = page.getByRole('main').getByRole('alert');
  await expect(summary).toContainText('/cpus (line 4)');
  await expect(summary).toContainText('must be at least 0.001');
  await editor.fill('{ "id": ');
  await expect(summary).toContainText('Not valid JSON');
  await expect(page.getByRole('tab', { name: 'Form' })).toBeDisabled();
  await editor.fill(JSON.stringify({ ...definition, cpus: 0.1, labels: { made: 'json' } }, null, 2));
  await expect(page.getByText('The definition is valid.')).toBeVisible();
  // The form shows what the JSON says.
  await page.getByRole('tab', { name: 'Form' }).click();
  await expect(page.getByLabel('CPUs (cores)')).toHaveValue('0.1');
  await page.getByRole('button', { name: 'Deploy', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: JSON_APP })).toBeVisible();
  await expect(facts(page)).toContainText('1 of 1 instances running', { timeout: 45_000 });
});

test('opens its task’s log and sees the line the task printed, also in the service’s aggregated log', async ({ page }, testInfo) => {
  await page.goto(`/services/app${APP}`);
  const task = page.getByTestId('service-tasks').getByRole('row').nth(1).getByRole('link').first();
  const shortId = (await task.textContent())!.trim();
  await task.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('e2e_web.instance-');
  await expect(page.getByTestId('log-lines')).toContainText(MARKER, { timeout: 20_000 });
  // The search narrows the log to matching lines.
  await page.getByLabel('Search the log').fill(MARKER);
  await expect(page.getByText(/1 line of \d+ match/)).toBeVisible();
  await shot(page, testInfo, 'task detail and log');

  await page.goto(`/services/app${APP}?tab=logs`);
  const lines = page.getByTestId('log-lines');
  await expect(lines).toContainText(MARKER, { timeout: 20_000 });
  await expect(lines).toContainText(shortId);
});

test('scales it, confirmed, and shows the deployment it started', async ({ page }, testInfo) => {
  test.setTimeout(90_000);
  await page.goto(`/services/app${APP}`);
  await page.getByRole('group', { name: 'Service actions' }).getByRole('button', { name: 'Scale' }).click();
  const dialog = page.getByRole('dialog', { name: `Scale ${APP}` });
  await dialog.getByLabel('Instances').fill('2');
  await dialog.getByRole('button', { name: 'Scale to 2 instances' }).click();
  await expect(page.getByTestId('change-result')).toContainText('Scale to 2: deployment');
  await expect(facts(page)).toContainText('2 of 2 instances running', { timeout: 45_000 });
  await tab(page, 'Deployments').click();
  await expect(page.getByRole('heading', { name: /^(Under way|Succeeded): / }).first()).toBeVisible();
  await expect(page.getByText(/Step 1 of 1.*Scale \/e2e\/web/).first()).toBeVisible();
  // The deployment ends once the new instance is healthy; the page follows it live.
  await expect(page.getByRole('heading', { name: /^Under way: / })).toHaveCount(0, { timeout: 45_000 });
  await shot(page, testInfo, 'service detail: deployments');
  await tab(page, 'Versions').click();
  await expect(page.getByText(/1 line added, 1 removed/)).toBeVisible();
  await shot(page, testInfo, 'service detail: versions and diff');
});

test('the services table works with the keyboard alone', async ({ page }) => {
  await page.goto('/services');
  const body = page.getByRole('rowgroup', { name: /Services: use the arrow keys/ });
  await body.focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('services-table').locator('[data-index="0"]')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/services(\/app\/|\?group=)/);
});

test('breaks its health check and the Debug tab explains why', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.goto(`/services/app${APP}`);
  await page.getByRole('group', { name: 'Service actions' }).getByRole('link', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Edit ${APP}` })).toBeVisible();
  await page.getByLabel('Check 1 path').fill('/no-such-health-page');
  await page.getByRole('button', { name: 'Deploy the change' }).click();
  await expect(page.getByRole('heading', { level: 1, name: APP })).toBeVisible();
  await tab(page, 'Debug').click();
  const summary = page.getByTestId('debug-summary');
  await expect(summary).toContainText(/instances? fails? its health check: health check failed.*HTTP 404/, { timeout: 60_000 });
  await expect(summary).toContainText('Deployment');
  await shot(page, testInfo, 'debug: failing health check');
});

test('makes it unplaceable with a constraint no node satisfies, and the Debug tab shows every node’s refusal', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.goto(`/services/edit${APP}`);
  await page.getByLabel('Check 1 path').fill('/');
  await page.getByRole('button', { name: 'Add a constraint' }).click();
  await page.getByLabel('Constraint 1 field').fill('zone');
  await page.getByLabel('Constraint 1 operator').selectOption('IS');
  await page.getByLabel('Constraint 1 value').fill('nowhere');
  await page.getByRole('button', { name: 'Deploy the change' }).click();
  // The broken deployment is still under way: the API refuses with 409, the console offers to force.
  await expect(page.getByRole('main').getByRole('alert')).toContainText('A deployment is under way for this service');
  await page.getByRole('button', { name: 'Force the change' }).click();
  await expect(page.getByRole('heading', { level: 1, name: APP })).toBeVisible();
  await tab(page, 'Debug').click();
  const nodes = page.getByTestId('debug-nodes');
  for (const host of ['local-a', 'local-b', 'local-c']) {
    const refusal = nodes.getByTestId(`refusal-${host}`);
    await expect(refusal).toBeVisible({ timeout: 60_000 });
    await expect(refusal.getByLabel('Constraint: refused')).toBeVisible();
    await expect(refusal).toContainText('nowhere');
  }
  await expect(page.getByTestId('debug-summary')).toContainText(/3 refused — 3 for a constraint is not met/);
  await shot(page, testInfo, 'debug: every node refuses');
  await page.goto('/services?group=/e2e');
  await expect(page.getByTestId('services-table').getByRole('row').filter({ hasText: 'web' })).toContainText('Waiting', { timeout: 30_000 });
});

test('deletes it, after typing its id', async ({ page }) => {
  for (const id of [APP, JSON_APP]) {
    await page.goto(`/services/app${id}`);
    await page.getByRole('group', { name: 'Service actions' }).getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog', { name: `Delete ${id}` });
    await expect(dialog.getByRole('button', { name: 'Delete the service' })).toBeDisabled();
    await dialog.getByLabel(`Type ${id} to confirm`).fill(id);
    await dialog.getByRole('button', { name: 'Delete the service' }).click();
    if (id === APP) {
      // Its deployment never ends (no node may take it): the API refuses with 409 and the dialog offers to force.
      await expect(dialog.getByRole('alert')).toContainText('A deployment is under way for this service');
      await dialog.getByRole('button', { name: 'Delete the service' }).click();
    }
    await expect(page).toHaveURL(/\/services(\?group=%2Fe2e)?$/);
  }
  await page.goto('/services');
  await expect(page.getByTestId('services-table')).not.toContainText('e2e', { timeout: 30_000 });
});

test('drains a node and reactivates it, each confirmed', async ({ page }) => {
  await page.goto('/nodes');
  await page.getByRole('rowheader', { name: 'local-c' }).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'local-c' })).toBeVisible();
  await page.getByRole('button', { name: 'Drain' }).click();
  await page.getByRole('dialog', { name: 'Drain local-c' }).getByRole('button', { name: 'Drain the node' }).click();
  await expect(page.getByText('Draining: offered nothing')).toBeVisible();
  await page.getByRole('button', { name: 'Reactivate' }).click();
  await page.getByRole('dialog', { name: 'Reactivate local-c' }).getByRole('button', { name: 'Reactivate the node' }).click();
  await expect(page.getByText('Draining: offered nothing')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Drain' })).toBeVisible();
});

test('a screenshot of every page, in the light and the dark theme', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  const pages: [string, string][] = [
    ['dashboard', '/'], ['services', '/services'], ['service editor', '/services/new'], ['tasks', '/tasks'],
    ['nodes (list)', '/nodes'], ['nodes (grid)', '/nodes?view=grid'],
  ];
  for (const [name, path] of pages) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await page.waitForLoadState('networkidle');
    await shot(page, testInfo, name);
  }
  await page.goto('/nodes');
  await page.getByRole('rowheader', { name: 'local-a' }).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'local-a' })).toBeVisible();
  await shot(page, testInfo, 'node detail');
  await page.getByLabel('Theme').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.waitForLoadState('networkidle');
  await shot(page, testInfo, 'dashboard (dark)');
  await page.getByLabel('Theme').selectOption('system');
});
