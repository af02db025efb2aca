/**
 * Install options as Cosmos makes them (`PackageDefinitionRenderer.mergeDefaultAndUserOptions`):
 *
 *   options = deepMerge(defaultsOf(config.json), userOptions)
 *
 * - `defaultsOf` (Cosmos `JsonSchema.extractDefaultsFromSchema`) walks `properties`: a
 *   property with a `default` takes it; one without, but with `properties` of its own, takes
 *   its nested defaults when there are any; anything else is left out. Defaults inside
 *   arrays, `oneOf` and `$ref`s are not read — Cosmos does not read them either.
 * - `deepMerge` (Cosmos `JsonUtil.merge`, circe's `deepMerge`): where both sides hold an
 *   object, merge them recursively; otherwise the user's value wins (arrays are replaced,
 *   never concatenated); keys on one side only are kept.
 *
 * The merged options are then validated against the schema (see `json-schema.ts`).
 */
export type JsonObject = { [key: string]: unknown };

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function extractDefaults(schema: unknown): JsonObject {
  if (!isJsonObject(schema) || !isJsonObject(schema.properties)) return {};
  const out: JsonObject = {};
  for (const [name, property] of Object.entries(schema.properties)) {
    if (!isJsonObject(property)) continue;
    if ('default' in property) out[name] = structuredClone(property.default);
    else if (isJsonObject(property.properties)) {
      const nested = extractDefaults(property);
      if (Object.keys(nested).length > 0) out[name] = nested;
    }
  }
  return out;
}

export function deepMerge(target: JsonObject, fragment: JsonObject): JsonObject {
  const out: JsonObject = { ...target };
  for (const [k, v] of Object.entries(fragment)) {
    const t = out[k];
    out[k] = isJsonObject(t) && isJsonObject(v) ? deepMerge(t, v) : v;
  }
  return out;
}

/** Cosmos: the schema's defaults, then the user's options over them, deep. */
export function mergeOptions(schema: unknown, userOptions: JsonObject | undefined): JsonObject {
  return deepMerge(extractDefaults(schema), userOptions ?? {});
}
