import { readFileSync } from 'node:fs';

/** Gantry's version, from apps/api/package.json. */
export const version: string = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
