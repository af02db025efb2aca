import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end: a real `gantry up` (embedded Postgres, API, production console, three
 * agents) in its own data directory and on its own ports, driven in Debian's Chromium.
 */
const home = process.env.GANTRY_E2E_HOME ?? mkdtempSync(join(tmpdir(), 'gantry-e2e-'));
process.env.GANTRY_E2E_HOME = home;
const webPort = Number(process.env.GANTRY_E2E_WEB_PORT ?? 13000);
const apiPort = Number(process.env.GANTRY_E2E_API_PORT ?? 18080);

export default defineConfig({
  testDir: './tests',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  // The HTML report carries every test's attachments: the console's screenshots among them.
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://localhost:${webPort}`,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    },
  },
  webServer: {
    command: 'node ../apps/cli/dist/main.js up',
    url: `http://localhost:${webPort}/nodes`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGINT', timeout: 20_000 },
    env: {
      GANTRY_HOME: home,
      GANTRY_WEB_PORT: String(webPort),
      GANTRY_API_PORT: String(apiPort),
      GANTRY_PG_PORT: String(Number(process.env.GANTRY_E2E_PG_PORT ?? 25432)),
      // Fast heartbeats so "unreachable within a few heartbeats" is seconds, not tens of them.
      GANTRY_HEARTBEAT_INTERVAL_MS: '500',
      NEXT_TELEMETRY_DISABLED: '1',
      GANTRY_ADMIN_PASSWORD: process.env.GANTRY_E2E_ADMIN_PASSWORD ?? 'e2e-admin-password',
    },
  },
});
