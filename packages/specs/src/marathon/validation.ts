import { z } from 'zod';
import { type ApiError, invalid } from '../api-error.js';

/**
 * How the Marathon parsers collect errors: every schema and rule adds `Problem`s, and
 * the whole list becomes one `ApiError` in Marathon's shape
 * (`{message: 'Object is not valid', details: [{path, errors}]}`, sorted by path).
 */

/** One thing wrong with a definition, at a JSON path (`['healthChecks', 0, 'portIndex']`). */
export interface Problem {
  path: PropertyKey[];
  message: string;
}

/**
 * Marathon rejects fields it does not know when an app is created; on an update
 * (`PUT`/`PATCH /v2/apps/{id}`) old clients send back whatever they read, so unknown
 * fields are dropped instead.
 */
export type UnknownFields = 'reject' | 'ignore';

/** A zod object that rejects or drops the fields its shape does not name. */
export function objectSchema<T extends z.ZodRawShape>(unknownFields: UnknownFields, shape: T): z.ZodObject<T> {
  return unknownFields === 'reject' ? (z.strictObject(shape) as unknown as z.ZodObject<T>) : z.object(shape);
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  return String(value);
}

const expectedNames: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  record: 'an object',
};

function bound(value: number | bigint, inclusive: boolean | undefined, below: boolean): string {
  if (below) return `${inclusive === false ? 'greater than' : 'at least'} ${value}`;
  return `${inclusive === false ? 'less than' : 'at most'} ${value}`;
}

/**
 * Messages for zod's own checks, phrased as what the field must be; schemas with a
 * domain rule give their own message, which wins.
 */
export const errorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${expectedNames[issue.expected] ?? issue.expected}, not ${describeValue(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'array') return `must have at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
      if (issue.origin === 'string') return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters long`;
      return `must be ${bound(issue.minimum, issue.inclusive, true)}, not ${describeValue(issue.input)}`;
    case 'too_big':
      if (issue.origin === 'array') return `must have at most ${issue.maximum} items`;
      if (issue.origin === 'string') return `must be at most ${issue.maximum} characters long`;
      return `must be ${bound(issue.maximum, issue.inclusive, false)}, not ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(issue.input)}`;
    default:
      return undefined;
  }
};

/** Zod's issues as problems below `prefix`; an unknown-fields issue becomes one problem per field, at that field. */
export function zodProblems(error: z.ZodError, prefix: PropertyKey[] = []): Problem[] {
  return error.issues.flatMap((issue): Problem[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: [...prefix, ...issue.path, key],
          message: 'is not a field Marathon knows here: check its spelling, or remove it',
        }))
      : [{ path: [...prefix, ...issue.path], message: issue.message }],
  );
}

/** Parses with the Marathon error messages; problems are placed below `prefix`. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: PropertyKey[],
): { ok: true; value: z.output<S> } | { ok: false; problems: Problem[] } {
  const result = schema.safeParse(value, { error: errorMap });
  return result.success ? { ok: true, value: result.data } : { ok: false, problems: zodProblems(result.error, prefix) };
}

/** Marathon's error body for a list of problems, grouped per path in sorted order. */
export function apiError(problems: readonly Problem[]): ApiError {
  return invalid(new z.ZodError(problems.map((p) => ({ code: 'custom' as const, path: p.path, message: p.message, input: undefined }))));
}

/** Drops repeated items, keeping the first. Marathon keeps constraints, health checks and dependencies in sets. */
export function distinct<T>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const key = JSON.stringify(item);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// Deeper than any definition Marathon takes (32 nested groups are 64 levels); below
// it values are left as they are, for the schemas to refuse, and never recursed into.
const NULL_DEPTH = 128;

/**
 * The value with every null-valued object field removed, at every depth. Marathon
 * reads null as "not given" (Play JSON's readNullable), and definitions exported from
 * older releases carry such nulls (`"container": null`, `"command": null`).
 */
export function withoutNulls(value: unknown, depth = 0): unknown {
  if (depth >= NULL_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => withoutNulls(item, depth + 1));
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).flatMap(([key, field]) => (field === null ? [] : [[key, withoutNulls(field, depth + 1)]])));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether `value` compiles as a regular expression (LIKE and UNLIKE constraints). */
export function isRegex(value: string): boolean {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}
