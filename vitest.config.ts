import { defineConfig } from 'vitest/config';

// One vitest run for every package: unit tests beside their files, integration tests
// (real Postgres, real agent processes) under each app's src. Workspace packages are
// resolved to their TypeScript sources through the "@gantry/source" export condition, so tests
// never run against a stale build.
export default defineConfig({
  resolve: { conditions: ['@gantry/source'] },
  ssr: { resolve: { conditions: ['@gantry/source'], externalConditions: ['@gantry/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/{api,agent,cli}/src/**/*.test.ts'],
    globalSetup: ['./scripts/vitest-global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
