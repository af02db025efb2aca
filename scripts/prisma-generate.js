// Generates the Prisma client offline (see STACK.md): `prisma generate` only checks
// that a schema engine path is set, it never runs it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export function generatePrismaClient() {
  execFileSync(process.execPath, [`${root}/node_modules/prisma/build/index.js`, 'generate'], {
    cwd: root,
    env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: '/bin/true', PRISMA_HIDE_UPDATE_MESSAGE: '1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) generatePrismaClient();
