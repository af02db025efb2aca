import { expect, test } from '@playwright/test';
import pg from 'pg';
import { adminPassword, shot, signInAsAdmin } from './admin-session.js';

/**
 * The Catalog section against a real `gantry up`: search the built-in packages, read a
 * package's notes, fill the install form generated from its options schema (an invalid
 * option shown at its field, by the API's own validation), install `hello` and see it
 * deployed by the scheduler with the greeting chosen, install `postgresql` as a stateful service and
 * work its plans (phases and steps with their status; pause and resume; restart a step),
 * see its pods and the replace warning when a pod holds data, and uninstall both from
 * the installed list (the stateful one choosing whether its data goes).
 */
test.describe.configure({ mode: 'serial' });

const apiUrl = `http://127.0.0.1:${process.env.GANTRY_E2E_API_PORT ?? 18080}`;
const HELLO = '/e2e/catalog-hello';
const PG = '/e2e/catalog-pg';
const GREETING = 'Hello from the e2e catalog';

/** The API as the admin, to check what the console did from outside it. */
async function api<T = any>(method: string, path: string): Promise<{ status: number; body: T }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const login = await fetch(`${apiUrl}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ uid: 'admin', password: adminPassword }) });
  const { token } = (await login.json()) as { token: string };
  const response = await fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

test.beforeEach(async ({ page }) => {
  await signInAsAdmin(page);
});

test('searches the catalog and reads a package', async ({ page }, testInfo) => {
  await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Catalog' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Catalog' })).toBeVisible();
  const packages = page.getByRole('list', { name: 'Packages' });
  for (const name of ['hello', 'nginx', 'postgresql', 'redis']) await expect(packages.getByRole('link', { name, exact: true })).toBeVisible();
  await shot(page, testInfo, 'catalog');

  await page.getByLabel('Search packages').fill('sql');
  await expect(page).toHaveURL(/\/catalog\?q=sql$/);
  await expect(packages.getByRole('listitem')).toHaveCount(1);
  await expect(packages.getByRole('link', { name: 'postgresql' })).toBeVisible();
  await page.reload();
  await expect(packages.getByRole('listitem')).toHaveCount(1);

  await packages.getByRole('link', { name: 'postgresql' }).click();
  await expect(page.getByRole('heading', { level: 1, name: /postgresql/ })).toBeVisible();
  await expect(page.getByText('Stateful service (pods with persistent volumes, deployed by plans)')).toBeVisible();
  await expect(page.getByText(/relaunched there, never elsewhere unless you replace the pod/)).toBeVisible();
  // The form is the package's config.json: its fields, with their defaults.
  await expect(page.getByLabel('volume_size', { exact: true })).toHaveValue('256');
  await expect(page.getByLabel('superuser', { exact: true })).toHaveValue('postgres');
  await shot(page, testInfo, 'package detail');
});

test('installs hello through the generated form, with an invalid option shown at its field, and sees it deployed', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.goto('/catalog/packages/hello');
  await expect(page.getByRole('heading', { level: 2, name: 'Install hello 1.0.0' })).toBeVisible();
  await page.getByLabel('name', { exact: true }).fill(HELLO);
  await page.getByLabel('greeting', { exact: true }).fill(GREETING);
  // The API's own validation of the options, at the field, before anything is installed.
  await page.getByLabel('instances', { exact: true }).fill('lots');
  await expect(page.getByLabel('instances', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('must be integer')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Install hello' })).toBeDisabled();
  await shot(page, testInfo, 'install form with an error');
  await page.getByLabel('instances', { exact: true }).fill('1');
  await expect(page.getByLabel('instances', { exact: true })).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('options-json')).toContainText(GREETING);
  await page.getByRole('button', { name: 'Install hello' }).click();
  await expect(page.getByTestId('install-result')).toContainText(`Install of ${HELLO} accepted.`);
  await expect(page.getByTestId('install-result')).toContainText('hello is installed');

  // The app the form made: the greeting chosen in it, Cosmos' package labels, and launched
  // by the scheduler. (That it answers its greeting is proven against a real agent in the
  // API's catalog integration test: on a machine shared with other clusters, a stray
  // process may hold the host port this agent offers first.)
  await expect.poll(async () => {
    const { body } = await api<{ app: { env: Record<string, string>; labels: Record<string, string>; tasks: unknown[]; lastTaskFailure?: unknown } }>('GET', `/v2/apps${HELLO}`);
    const launched = (body?.app.tasks.length ?? 0) > 0 || body?.app.lastTaskFailure !== undefined;
    return launched && body?.app.env.GREETING === GREETING && body.app.labels.DCOS_PACKAGE_NAME === 'hello' && body.app.labels.DCOS_PACKAGE_VERSION === '1.0.0';
  }, { timeout: 60_000 }).toBe(true);

  await page.getByRole('link', { name: 'Installed packages' }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: HELLO }) });
  await expect(row.getByText('hello 1.0.0')).toBeVisible();
  await expect(row.getByText(/Running|Deploying|Waiting/)).toBeVisible();
  await shot(page, testInfo, 'installed packages');
});

test('installs postgresql as a stateful service and works its plans and pods', async ({ page }, testInfo) => {
  test.setTimeout(120_000);
  await page.goto('/catalog/packages/postgresql');
  await page.getByLabel('name', { exact: true }).fill(PG);
  await page.getByLabel('volume_size', { exact: true }).fill('256');
  await page.getByLabel('cpus', { exact: true }).fill('0.5'); // gantry up's agents have 0.66 cpus each
  await page.getByLabel('mem', { exact: true }).fill('64');
  await expect(page.getByText('must be >= 128')).toBeVisible();
  await page.getByLabel('mem', { exact: true }).fill('256');
  await expect(page.getByText('must be >= 128')).toHaveCount(0);
  await page.getByRole('button', { name: 'Install postgresql' }).click();
  await expect(page.getByTestId('install-result')).toContainText(`Install of ${PG} accepted.`);
  await page.getByRole('link', { name: 'See its plans and pods' }).click();

  await expect(page).toHaveURL(/\/catalog\/services\/e2e\/catalog-pg$/);
  await expect(page.getByRole('heading', { level: 1, name: PG })).toBeVisible();
  const deploy = page.getByTestId('plan-deploy');
  await expect(deploy.getByRole('heading', { name: 'deploy' })).toBeVisible();
  await expect(deploy.getByRole('group', { name: 'Phase postgresql of deploy' })).toBeVisible();
  const step = deploy.getByTestId('step-postgresql-0:[server]');
  await expect(step).toBeVisible();
  await expect(step.locator('[data-status]')).toHaveAttribute('data-status', /PENDING|PREPARED|STARTING|STARTED|COMPLETE|WAITING/);
  await shot(page, testInfo, 'stateful plans');

  // Pause and resume: the plan says so at once.
  await deploy.getByRole('button', { name: 'Pause plan' }).click();
  await expect(page.getByTestId('verb-result')).toContainText('paused plan deploy');
  await expect(deploy.getByText('serial, paused')).toBeVisible();
  await deploy.getByRole('button', { name: 'Resume plan' }).click();
  await expect(page.getByTestId('verb-result')).toContainText('resumed plan deploy');
  await expect(deploy.getByRole('button', { name: 'Pause plan' })).toBeVisible();
  await deploy.getByRole('button', { name: 'Restart step postgresql-0:[server]' }).click();
  await expect(page.getByTestId('verb-result')).toContainText('restarting step postgresql-0:[server]');

  const pod = page.getByTestId('pod-postgresql-0');
  await expect(pod).toBeVisible();
  const replace = pod.getByRole('button', { name: 'Replace pod postgresql-0' });
  if (await replace.isEnabled()) {
    // Placed (the leader's framework has reserved its volume): replacing warns that the data is lost.
    await replace.click();
    const dialog = page.getByRole('dialog', { name: 'Replace postgresql-0?' });
    await expect(dialog.getByText(/The data of postgresql-0 on .* is lost/)).toBeVisible();
    await shot(page, testInfo, 'pod replace warning');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  } else {
    // Not placed yet: nothing to restart or replace, and no volume on any node.
    await expect(pod.getByText('not placed')).toBeVisible();
    await expect(page.getByText('No volume is held on any node yet.')).toBeVisible();
  }
  await shot(page, testInfo, 'stateful pods');
});

/** SQL through a real client against the pod's address as the console shows it (host:port). */
async function sql(address: string, text: string): Promise<Record<string, unknown>[]> {
  const [host, port] = address.split(':');
  const client = new pg.Client({ host, port: Number(port), user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

test('its pod keeps its rows through a killed process and an option change made in the console', async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  await page.goto(`/catalog/services${PG}`);
  const pod = page.getByTestId('pod-postgresql-0');
  const running = () => expect(pod.locator('td [data-status]').first()).toHaveAttribute('data-status', 'RUNNING', { timeout: 120_000 });
  await running();
  await expect(pod.getByText('pgdata')).toBeVisible();
  await expect(pod.getByText('256 MiB')).toBeVisible();
  const node = await pod.getByRole('link').first().textContent();
  const address = (await pod.locator('code').first().textContent())!.trim();
  await sql(address, "CREATE TABLE fruit (name text); INSERT INTO fruit VALUES ('apple'), ('pear')");
  await shot(page, testInfo, 'postgresql running');

  // The server process dies: relaunched on the same node, on the same volume, the rows still there.
  const taskOf = async () => (await api<{ pods: { tasks: { taskId: string; state: string }[] }[] }>('GET', `/v1/stateful/services${PG}/pods`)).body.pods[0]!.tasks.find((t) => t.state === 'TASK_RUNNING')?.taskId;
  const first = (await taskOf())!;
  const { body: task } = await api<{ pid: number }>('GET', `/v1/tasks/${first}`);
  process.kill(-task.pid, 'SIGKILL');
  await expect.poll(async () => { const t = await taskOf(); return t !== undefined && t !== first; }, { timeout: 120_000 }).toBe(true);
  await running();
  await expect(pod.getByRole('link').first()).toHaveText(node!);
  await expect.poll(async () => (await sql(address, 'SELECT name FROM fruit ORDER BY name').catch(() => [])).map((r) => r.name), { timeout: 60_000 }).toEqual(['apple', 'pear']);

  // An option changed from the installed list: the update plan rolls it out in place, the rows stay.
  await page.goto('/catalog/installed');
  await page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: PG }) }).getByRole('link', { name: 'Change options' }).click();
  await expect(page.getByRole('heading', { level: 2, name: `Update ${PG}` })).toBeVisible();
  await page.getByLabel('mem', { exact: true }).fill('320');
  await page.getByRole('button', { name: /^Update to / }).click();
  await expect(page.getByTestId('install-result')).toContainText(`Update of ${PG} accepted.`);
  await page.getByRole('link', { name: 'See its plans and pods' }).click();
  const update = page.getByTestId('plan-update');
  await expect(update.locator('[data-status]').first()).toHaveAttribute('data-status', 'COMPLETE', { timeout: 120_000 });
  await running();
  await expect(pod.getByRole('link').first()).toHaveText(node!);
  await expect.poll(async () => (await sql(address, 'SELECT count(*)::int AS n FROM fruit').catch(() => [{ n: -1 }]))[0]!.n, { timeout: 60_000 }).toBe(2);
  await shot(page, testInfo, 'postgresql updated');
});

test('uninstalls both from the installed list, the stateful one destroying its data only when asked', async ({ page }, testInfo) => {
  await page.goto('/catalog/installed');
  const pgRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: PG }) });
  await pgRow.getByRole('button', { name: 'Uninstall' }).click();
  const dialog = page.getByRole('dialog', { name: `Uninstall ${PG}` });
  await expect(dialog.getByText('Its persistent volumes and reservations stay on their nodes')).toBeVisible();
  await dialog.getByLabel(/Also destroy its data/).check();
  await shot(page, testInfo, 'uninstall a stateful service');
  await dialog.getByRole('button', { name: 'Uninstall and destroy its data' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'volumes destroyed' })).toBeVisible();
  // The leader kills its task, destroys its volume and releases its reservation, then forgets it.
  await expect.poll(async () => (await api('GET', `/v1/stateful/services${PG}`)).status, { timeout: 60_000 }).toBe(404);
  await expect(page.getByRole('rowheader', { name: PG })).toHaveCount(0);

  const helloRow = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: HELLO }) });
  await helloRow.getByRole('button', { name: 'Uninstall' }).click();
  await page.getByRole('dialog', { name: `Uninstall ${HELLO}` }).getByRole('button', { name: 'Uninstall' }).click();
  await expect(page.getByText('hello was uninstalled.')).toBeVisible();
  await expect(page.getByRole('rowheader', { name: HELLO })).toHaveCount(0);
  await expect.poll(async () => (await api('GET', `/v2/apps${HELLO}`)).status, { timeout: 30_000 }).toBe(404);
});
