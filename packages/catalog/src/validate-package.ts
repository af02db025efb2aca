/**
 * Reading and checking one package version (what Universe's build scripts and Cosmos check
 * before a package may be installed): every file is JSON where it must be, `package.json`
 * and `resource.json` match Universe's schemas, `config.json` is a JSON Schema the
 * validator can compile and whose defaults satisfy it, there is exactly one template
 * (`marathon.json.mustache` or Gantry's `stateful.json.mustache`) and it is valid mustache.
 * Every problem names its file and field; all of them are reported at once.
 */
import Mustache from 'mustache';
import { fieldErrors } from '@gantry/specs';
import { PackageJson, ResourceJson } from './manifest.js';
import { compileOptionsSchema, validateAgainstSchema } from './json-schema.js';
import { locateJsonError } from './json-locate.js';
import { extractDefaults, isJsonObject, type JsonObject } from './options.js';
import {
  CONFIG_FILE,
  MARATHON_TEMPLATE,
  PACKAGE_FILE,
  RESOURCE_FILE,
  STATEFUL_TEMPLATE,
  type CatalogPackage,
  type PackageError,
  type PackageFiles,
  type TemplateKind,
} from './package-files.js';

export type PackageResult = { ok: true; package: CatalogPackage } | { ok: false; errors: PackageError[] };

/** Parses a JSON file, or says where it is not JSON. */
export function readJsonFile(file: string, content: string | object): { ok: true; value: unknown } | { ok: false; error: PackageError } {
  if (typeof content !== 'string') return { ok: true, value: content };
  try {
    return { ok: true, value: JSON.parse(content) };
  } catch {
    const at = locateJsonError(content);
    return { ok: false, error: { file, path: '', message: at ? `not valid JSON at line ${at.line}, column ${at.column}: ${at.message}` : 'not valid JSON' } };
  }
}

/** `/service/port` (an option) → `/properties/service/properties/port` (where the schema declares it). */
function schemaPathOf(optionPath: string): string {
  return optionPath.split('/').filter((s) => s !== '').map((s) => `/properties/${s}`).join('') || '/';
}

const KNOWN = new Set([PACKAGE_FILE, CONFIG_FILE, RESOURCE_FILE, MARATHON_TEMPLATE, STATEFUL_TEMPLATE]);

export function validatePackage(files: PackageFiles, releaseVersion = 0): PackageResult {
  const errors: PackageError[] = [];
  for (const name of Object.keys(files)) {
    if (!KNOWN.has(name)) errors.push({ file: name, path: '', message: `not a file of a package (expected ${[...KNOWN].join(', ')})` });
  }

  let manifest: PackageJson | undefined;
  const pj = files[PACKAGE_FILE];
  if (pj === undefined) errors.push({ file: PACKAGE_FILE, path: '', message: 'missing: every package has a package.json' });
  else {
    const read = readJsonFile(PACKAGE_FILE, pj);
    if (!read.ok) errors.push(read.error);
    else {
      const parsed = PackageJson.safeParse(read.value);
      if (parsed.success) manifest = parsed.data;
      else for (const f of fieldErrors(parsed.error)) for (const m of f.errors) errors.push({ file: PACKAGE_FILE, path: f.path, message: m });
    }
  }

  let config: JsonObject | null = null;
  const cj = files[CONFIG_FILE];
  if (cj !== undefined) {
    const read = readJsonFile(CONFIG_FILE, cj);
    if (!read.ok) errors.push(read.error);
    else if (!isJsonObject(read.value)) errors.push({ file: CONFIG_FILE, path: '', message: 'must be a JSON Schema object' });
    else {
      const compiled = compileOptionsSchema(read.value);
      if (!compiled.ok) errors.push({ file: CONFIG_FILE, path: '', message: `not a valid JSON Schema: ${compiled.error}` });
      else {
        config = read.value;
        // The package's own defaults must be valid options (Universe's CI checks this too).
        for (const e of validateAgainstSchema(compiled.validate, extractDefaults(config))) {
          errors.push({ file: CONFIG_FILE, path: schemaPathOf(e.path), message: `the default is not valid: ${e.errors.join('; ')}` });
        }
      }
    }
  }

  let resource: ResourceJson = {};
  const rj = files[RESOURCE_FILE];
  if (rj !== undefined) {
    const read = readJsonFile(RESOURCE_FILE, rj);
    if (!read.ok) errors.push(read.error);
    else {
      const parsed = ResourceJson.safeParse(read.value);
      if (parsed.success) resource = parsed.data;
      else for (const f of fieldErrors(parsed.error)) for (const m of f.errors) errors.push({ file: RESOURCE_FILE, path: f.path, message: m });
    }
  }

  const templates = [MARATHON_TEMPLATE, STATEFUL_TEMPLATE].filter((f) => files[f] !== undefined);
  let template: CatalogPackage['template'] | undefined;
  if (templates.length !== 1) {
    errors.push({ file: MARATHON_TEMPLATE, path: '', message: templates.length === 0 ? `a package needs a template: ${MARATHON_TEMPLATE} or ${STATEFUL_TEMPLATE}` : `only one template per package (found ${templates.join(' and ')})` });
  } else {
    const file = templates[0]!;
    const text = files[file];
    if (typeof text !== 'string') errors.push({ file, path: '', message: 'a template is text' });
    else {
      try {
        Mustache.parse(text);
        template = { kind: (file === MARATHON_TEMPLATE ? 'marathon' : 'stateful') as TemplateKind, file, text };
      } catch (e) {
        errors.push({ file, path: '', message: `not a valid mustache template: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
  }

  if (errors.length > 0 || !manifest || !template) return { ok: false, errors };
  return { ok: true, package: { ...manifest, releaseVersion, config, template, resource } };
}
