/**
 * What a package needs from the host, checked by the runtime at install time: every
 * `gantry.requires` program on the agents' PATH (`redis-server`), and every
 * `gantry.binaries` program located by the runtime (on the host or in an npm build it
 * ships) so the template can be given `{{gantry.binaries.<name>}}`, its directory.
 * Pure: the runtime says what it found; this says what is missing and how to get it.
 */
import type { CatalogPackage } from './package-files.js';

export interface MissingProgram {
  readonly program: string;
  readonly message: string;
}

/**
 * `found(program)`: whether the host has it (for `requires`); `binaries`: the directories
 * the runtime located (for `gantry.binaries`). Empty when nothing is missing.
 */
export function missingPrograms(pkg: CatalogPackage, found: (program: string) => boolean, binaries: Readonly<Record<string, string>> = {}): MissingProgram[] {
  const hint = (p: string) => pkg.gantry.install[p] ?? `install ${p} on every agent`;
  const out: MissingProgram[] = [];
  for (const p of pkg.gantry.requires) if (!found(p)) out.push({ program: p, message: `${pkg.name} needs ${p}, which is not on this host: ${hint(p)}` });
  for (const p of pkg.gantry.binaries) if (binaries[p] === undefined) out.push({ program: p, message: `${pkg.name} needs the ${p} binaries, found neither on this host nor in Gantry's npm build: ${hint(p)}` });
  return out;
}
