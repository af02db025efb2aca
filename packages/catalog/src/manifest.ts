import { z } from 'zod';

/**
 * Universe's `package.json` (packaging versions 2.0 to 4.0; `repo/meta/schema/package-schema.json`)
 * and `resource.json` (`v3-resource-schema.json`), plus Gantry's own `gantry` block:
 *
 *   gantry.requires   programs that must be on the agent's PATH (`redis-server`): the runtime
 *                     checks them before installing and names what to install
 *   gantry.binaries   programs whose directory the runtime supplies to the template as
 *                     `{{gantry.binaries.<name>}}` — found on the host or in an npm build it ships
 *   gantry.install    per program, how to get it (`apt-get install redis-server`)
 *
 * Unknown top-level fields are refused, as Universe's schema does (`additionalProperties: false`).
 */
const PackageName = z.string().regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, { message: 'package names are lower-case letters, digits and "-" (e.g. "postgresql")' });
const PackageVersion = z.string().regex(/^[-a-zA-Z0-9.]+$/, { message: 'versions are letters, digits, "." and "-" (e.g. "16.4-1")' });
const Program = z.string().regex(/^[A-Za-z0-9_.+-]+$/, { message: 'a program name such as "redis-server"' });

export const PackageJson = z.strictObject({
  packagingVersion: z.enum(['2.0', '3.0', '4.0']),
  name: PackageName,
  version: PackageVersion,
  maintainer: z.string().min(1),
  description: z.string().min(1),
  tags: z.array(z.string().regex(/^[^\s]+$/, { message: 'tags have no spaces' })),
  selected: z.boolean().default(false),
  framework: z.boolean().default(false),
  preInstallNotes: z.string().optional(),
  postInstallNotes: z.string().optional(),
  postUninstallNotes: z.string().optional(),
  website: z.string().optional(),
  scm: z.string().optional(),
  licenses: z.array(z.strictObject({ name: z.string(), url: z.string() })).optional(),
  minDcosReleaseVersion: z.string().optional(),
  hasKnownIssues: z.boolean().optional(),
  lastUpdated: z.number().optional(),
  upgradesFrom: z.array(z.string()).optional(),
  downgradesTo: z.array(z.string()).optional(),
  gantry: z
    .strictObject({
      requires: z.array(Program).default([]),
      binaries: z.array(Program).default([]),
      install: z.record(Program, z.string()).default({}),
    })
    .default({ requires: [], binaries: [], install: {} }),
});
export type PackageJson = z.infer<typeof PackageJson>;

const StringMap = z.record(z.string(), z.string());

export const ResourceJson = z.strictObject({
  assets: z
    .strictObject({
      uris: StringMap.optional(),
      container: z.strictObject({ docker: StringMap.optional() }).optional(),
    })
    .optional(),
  images: z
    .strictObject({
      'icon-small': z.string().optional(),
      'icon-medium': z.string().optional(),
      'icon-large': z.string().optional(),
      screenshots: z.array(z.string()).optional(),
    })
    .optional(),
  cli: z.record(z.string(), z.unknown()).optional(),
});
export type ResourceJson = z.infer<typeof ResourceJson>;
