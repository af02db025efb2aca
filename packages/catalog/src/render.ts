/**
 * Installing a package with options, as Cosmos renders one
 * (`PackageDefinitionRenderer.renderMarathonV2App`):
 *
 *   1. options = defaults of config.json, deep-merged with the user's (`options.ts`)
 *   2. validate the options against config.json → `{ path, errors }` per option
 *   3. mustache context = options, then `resource` (resource.json), then `gantry` (what
 *      the runtime supplies: binary directories, the service name…), later ones winning
 *   4. render with HTML escaping off; string values are written JSON-escaped without
 *      their quotes (so `"{{x}}"` stays valid JSON whatever x holds), strings inside
 *      arrays with them — exactly Cosmos' `jsonToJava`
 *   5. the text must parse as a JSON object; if not, the error names the package, the
 *      version and the line
 *   6. the result must be a valid service definition: a Marathon app (`parseAppDefinition`)
 *      for `marathon.json.mustache`, a stateful service (`StatefulServiceDefinition` and the
 *      core's `validateStatefulSpec`) for `stateful.json.mustache`
 *   0. (Gantry) every `gantry.binaries` program must be in `context.gantry.binaries`
 *   7. Marathon apps get Cosmos' labels: DCOS_PACKAGE_NAME, DCOS_PACKAGE_VERSION (and
 *      DCOS_PACKAGE_SOURCE when the repository is named), over the template's own
 *
 * Cosmos' `{{#asJson}}` lambda is not offered.
 */
import Mustache from 'mustache';
import { fieldErrors, parseAppDefinition, StatefulServiceDefinition, type App, type FieldErrors } from '@gantry/specs';
import { validateStatefulSpec } from '@gantry/scheduler-core';
import { compileOptionsSchema, validateAgainstSchema, type OptionErrors } from './json-schema.js';
import { locateJsonError } from './json-locate.js';
import { deepMerge, isJsonObject, mergeOptions, type JsonObject } from './options.js';
import type { CatalogPackage } from './package-files.js';
import { missingPrograms, type MissingProgram } from './host-requirements.js';

export interface RenderContext {
  /** Supplied by the runtime under `{{gantry.…}}`: e.g. `{ binaries: { postgres: '/usr/lib/postgresql/16/bin' } }`. */
  readonly gantry?: JsonObject;
  /** The repository the package came from, for the DCOS_PACKAGE_SOURCE label. */
  readonly source?: string;
}

export type RenderError =
  | { readonly kind: 'InvalidOptions'; readonly message: string; readonly details: OptionErrors[] }
  | { readonly kind: 'OptionsNotAllowed'; readonly message: string }
  | { readonly kind: 'InvalidTemplateOutput'; readonly message: string; readonly line?: number; readonly column?: number }
  | { readonly kind: 'InvalidServiceDefinition'; readonly message: string; readonly details: FieldErrors[] }
  | { readonly kind: 'MissingPrograms'; readonly message: string; readonly missing: MissingProgram[] };

export type Rendered =
  | { readonly kind: 'marathon'; readonly options: JsonObject; readonly json: JsonObject; readonly app: App }
  | { readonly kind: 'stateful'; readonly options: JsonObject; readonly json: JsonObject; readonly definition: StatefulServiceDefinition };

export type RenderResult = ({ ok: true } & Rendered) | { ok: false; error: RenderError };

/** Cosmos' value conversion for the mustache view (see step 4). */
function toView(value: unknown, inArray: boolean): unknown {
  if (typeof value === 'string') {
    const encoded = JSON.stringify(value);
    return inArray ? encoded : encoded.slice(1, -1);
  }
  if (Array.isArray(value)) return value.map((v) => toView(v, true));
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toView(v, false)]));
  return value;
}

/** Steps 1-2: the options a package installs with, or `{ path, errors }` per bad option. */
export function resolveOptions(pkg: CatalogPackage, userOptions: JsonObject | undefined): { ok: true; options: JsonObject } | { ok: false; error: RenderError } {
  const options = mergeOptions(pkg.config, userOptions);
  if (!pkg.config) {
    if (userOptions && Object.keys(userOptions).length > 0) return { ok: false, error: { kind: 'OptionsNotAllowed', message: `${pkg.name} ${pkg.version} takes no options` } };
    return { ok: true, options };
  }
  const compiled = compileOptionsSchema(pkg.config);
  if (!compiled.ok) return { ok: false, error: { kind: 'InvalidOptions', message: `${pkg.name} ${pkg.version}: config.json is not a valid schema: ${compiled.error}`, details: [] } };
  const details = validateAgainstSchema(compiled.validate, options);
  if (details.length > 0) return { ok: false, error: { kind: 'InvalidOptions', message: `options are not valid for ${pkg.name} ${pkg.version}`, details } };
  return { ok: true, options };
}

/** Steps 3-5: the template's text for these options, parsed. */
export function renderTemplate(pkg: CatalogPackage, options: JsonObject, context: RenderContext = {}): { ok: true; json: JsonObject } | { ok: false; error: RenderError } {
  const view = deepMerge(deepMerge(options, { resource: pkg.resource as JsonObject }), context.gantry ? { gantry: context.gantry } : {});
  const text = Mustache.render(pkg.template.text, toView(view, false), {}, { escape: (s: string) => s });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const at = locateJsonError(text);
    const where = at ? ` at line ${at.line}, column ${at.column} (${at.message})` : '';
    const line = at ? text.split('\n')[at.line - 1]?.trim() : undefined;
    return {
      ok: false,
      error: {
        kind: 'InvalidTemplateOutput',
        message: `${pkg.name} ${pkg.version}: ${pkg.template.file} rendered invalid JSON${where}${line ? `: ${line}` : ''}`,
        ...(at ? { line: at.line, column: at.column } : {}),
      },
    };
  }
  if (!isJsonObject(json)) return { ok: false, error: { kind: 'InvalidTemplateOutput', message: `${pkg.name} ${pkg.version}: ${pkg.template.file} must render a JSON object` } };
  return { ok: true, json };
}

function withPackageLabels(json: JsonObject, pkg: CatalogPackage, context: RenderContext): JsonObject {
  const own = isJsonObject(json.labels) ? json.labels : {};
  const labels = { ...own, DCOS_PACKAGE_NAME: pkg.name, DCOS_PACKAGE_VERSION: pkg.version, ...(context.source !== undefined ? { DCOS_PACKAGE_SOURCE: context.source } : {}) };
  return { ...json, labels };
}

/** The whole install rendering, steps 1-7. */
export function renderPackage(pkg: CatalogPackage, userOptions?: JsonObject, context: RenderContext = {}): RenderResult {
  // `gantry.binaries` must be supplied, or the template would render an empty path.
  const supplied = isJsonObject(context.gantry?.binaries) ? (context.gantry.binaries as Record<string, string>) : {};
  const missing = missingPrograms(pkg, () => true, Object.fromEntries(Object.entries(supplied).filter(([, v]) => typeof v === 'string' && v !== '')));
  if (missing.length > 0) return { ok: false, error: { kind: 'MissingPrograms', message: missing.map((m) => m.message).join('; '), missing } };
  const resolved = resolveOptions(pkg, userOptions);
  if (!resolved.ok) return resolved;
  const rendered = renderTemplate(pkg, resolved.options, context);
  if (!rendered.ok) return rendered;
  const invalid = (details: FieldErrors[]): RenderResult => ({
    ok: false,
    error: { kind: 'InvalidServiceDefinition', message: `${pkg.name} ${pkg.version}: ${pkg.template.file} rendered an invalid ${pkg.template.kind === 'marathon' ? 'Marathon app' : 'stateful service'}`, details },
  });
  if (pkg.template.kind === 'marathon') {
    const json = withPackageLabels(rendered.json, pkg, context);
    const app = parseAppDefinition(json, { mode: 'create' });
    if (!app.ok) return invalid(app.error.details ?? [{ path: '/', errors: [app.error.message] }]);
    return { ok: true, kind: 'marathon', options: resolved.options, json, app: app.app };
  }
  const parsed = StatefulServiceDefinition.safeParse(rendered.json);
  if (!parsed.success) return invalid(fieldErrors(parsed.error));
  const problems = validateStatefulSpec({ ...parsed.data, configId: 'render' });
  if (problems.length > 0) return invalid(problems.map((p) => ({ path: '/' + p.path.join('/'), errors: [p.message] })));
  return { ok: true, kind: 'stateful', options: resolved.options, json: rendered.json, definition: parsed.data };
}
