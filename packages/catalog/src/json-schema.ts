/**
 * Options against a package's `config.json` (a JSON Schema). Universe schemas are draft-04
 * (Cosmos validates them with a draft-04 validator), so we use Ajv's draft-04 class with
 * the standard formats. `$schema` is ignored (Universe files carry several spellings of
 * it); unknown keywords are tolerated (Universe schemas carry UI hints such as `media`).
 *
 * Errors are `{ path, errors }` per option, the path a JSON pointer to the option itself —
 * for a missing required option, the option's own path, not its parent's.
 */
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// Both are CommonJS modules whose `module.exports` also carries `.default` (what their types describe).
const AjvDraft04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

export interface OptionErrors {
  readonly path: string;
  readonly errors: string[];
}

type AjvInstance = InstanceType<typeof AjvDraft04>;
let ajv: AjvInstance | undefined;

function instance(): AjvInstance {
  if (!ajv) {
    ajv = new AjvDraft04({ allErrors: true, strict: false, logger: false });
    addFormats(ajv as unknown as Parameters<typeof addFormats>[0]);
  }
  return ajv;
}

function withoutSchemaKeyword(schema: object): object {
  const { $schema: _s, id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

export type CompiledSchema = { ok: true; validate: ValidateFunction } | { ok: false; error: string };

/** Compiles `schema`; a schema that is not one is an error value with the validator's reason. */
export function compileOptionsSchema(schema: object): CompiledSchema {
  try {
    return { ok: true, validate: instance().compile(withoutSchemaKeyword(schema)) };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

function pointer(error: ErrorObject): string {
  const base = error.instancePath;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') return `${base}/${params.missingProperty}`;
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') return `${base}/${params.additionalProperty}`;
  return base === '' ? '/' : base;
}

function message(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return 'is not an option of this package';
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return error.message ?? error.keyword;
  }
}

/** Validation errors of `options` against `schema`, grouped per option path in a stable order. */
export function validateAgainstSchema(validate: ValidateFunction, options: unknown): OptionErrors[] {
  if (validate(options)) return [];
  const byPath = new Map<string, string[]>();
  for (const e of validate.errors ?? []) {
    const path = pointer(e);
    const list = byPath.get(path) ?? [];
    const m = message(e);
    if (!list.includes(m)) list.push(m);
    byPath.set(path, list);
  }
  return [...byPath].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, errors]) => ({ path, errors }));
}
