import type { z } from 'zod';

/** One field's errors, Marathon style: `{"path":"/cpus","errors":["..."]}`. */
export interface FieldErrors {
  path: string;
  errors: string[];
}

/** The one error shape every Gantry endpoint answers with. Never a stack trace. */
export interface ApiError {
  message: string;
  details?: FieldErrors[];
}

/** JSON-pointer-like path from a zod issue path: `["resources","cpus"]` → `/resources/cpus`. */
export function issuePath(path: readonly PropertyKey[]): string {
  return '/' + path.map((p) => String(p)).join('/');
}

/** All of a zod error's issues, grouped per path in a stable (sorted) order. */
export function fieldErrors(error: z.ZodError): FieldErrors[] {
  const byPath = new Map<string, string[]>();
  for (const issue of error.issues) {
    const path = issuePath(issue.path);
    byPath.set(path, [...(byPath.get(path) ?? []), issue.message]);
  }
  return [...byPath.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, errors]) => ({ path, errors }));
}

export function invalid(error: z.ZodError, message = 'Object is not valid'): ApiError {
  return { message, details: fieldErrors(error) };
}
