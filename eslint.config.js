// Lint: typescript-eslint's recommended rules everywhere, plus the boundary that keeps
// packages/scheduler-core pure: no I/O, no clock, no randomness (STYLE.md rule 1).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const impureGlobals = [
  { name: 'Date', message: 'scheduler-core is pure: pass time in as `now` (epoch ms).' },
  { name: 'setTimeout', message: 'scheduler-core is pure: no timers.' },
  { name: 'setInterval', message: 'scheduler-core is pure: no timers.' },
  { name: 'setImmediate', message: 'scheduler-core is pure: no timers.' },
  { name: 'queueMicrotask', message: 'scheduler-core is pure: no scheduling.' },
  { name: 'performance', message: 'scheduler-core is pure: pass time in.' },
  { name: 'process', message: 'scheduler-core is pure: no process state or environment.' },
  { name: 'fetch', message: 'scheduler-core is pure: no network.' },
  { name: 'crypto', message: 'scheduler-core is pure: use the seeded random source.' },
  { name: 'require', message: 'scheduler-core is pure: no dynamic loading.' },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.next/**',
      '**/node_modules/**',
      '**/generated/**',
      '.gantry/**',
      'e2e/test-results/**',
      'e2e/playwright-report/**',
      '**/next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly',
        clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly',
        AbortSignal: 'readonly', Response: 'readonly', Request: 'readonly', Headers: 'readonly',
        TextEncoder: 'readonly', TextDecoder: 'readonly', EventSource: 'readonly',
        window: 'readonly', document: 'readonly', crypto: 'readonly', performance: 'readonly',
        structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['packages/scheduler-core/src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'scheduler-core is pure: use the seeded random source.' },
      ],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'scheduler-core is pure: no Node built-ins.' },
            {
              group: ['fs', 'fs/*', 'os', 'net', 'http', 'https', 'child_process', 'crypto', 'dgram', 'dns', 'timers', 'timers/*', 'worker_threads', 'cluster', 'path', 'process'],
              message: 'scheduler-core is pure: no I/O.',
            },
            { group: ['@prisma/*', 'pg', 'ws', '@gantry/*'], message: 'scheduler-core is pure: no database, network or app code.' },
          ],
        },
      ],
    },
  },
);
