import { parseAppDefinition, type FieldErrors } from '@gantry/specs';

/**
 * The app definition the form and the JSON editor edit together: one JSON object,
 * validated with the API's own reader (`parseAppDefinition`, create mode: unknown
 * fields refused), so every error the API would answer appears before sending, at
 * the same path (`/healthChecks/0/path`).
 */
export type Draft = Record<string, unknown>;

export interface Validation {
  ok: boolean;
  /** Errors per path, as the API reports them. */
  errors: FieldErrors[];
}

/** Marathon's fields the server sets: sent back, they are ignored; the editor leaves them out. */
const SERVER_FIELDS = ['version', 'versionInfo', 'tasksStaged', 'tasksRunning', 'tasksHealthy', 'tasksUnhealthy', 'deployments', 'tasks', 'lastTaskFailure'];

export function editable(definition: Record<string, unknown>): Draft {
  const copy: Draft = { ...definition };
  for (const key of SERVER_FIELDS) delete copy[key];
  return copy;
}

export function validate(draft: Draft): Validation {
  const result = parseAppDefinition(draft, { mode: 'create' });
  return result.ok ? { ok: true, errors: [] } : { ok: false, errors: result.error.details ?? [{ path: '/', errors: [result.error.message] }] };
}

/** Errors at `path` exactly. */
export function errorsAt(errors: readonly FieldErrors[], path: string): string[] {
  return errors.filter((e) => e.path === path).flatMap((e) => e.errors);
}

/** Errors at `path` or below it (a section shows what its fields do not). */
export function errorsUnder(errors: readonly FieldErrors[], path: string): FieldErrors[] {
  return errors.filter((e) => e.path === path || e.path.startsWith(`${path}/`));
}

/** A form value as the definition holds it: a number when it reads as one, the text otherwise (the schema names the mistake). */
export function numberOrText(text: string): number | string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

/** Sets (or, with undefined, removes) a field; returns a new draft. */
export function setField(draft: Draft, key: string, value: unknown): Draft {
  const next = { ...draft };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}

/** The id of a form control showing `path` (for "go to the error" links). */
export function fieldId(path: string): string {
  return `field${path.replace(/[^A-Za-z0-9]+/g, '-')}`;
}

/** A new service's starting point: a small web server with a health check, as Marathon's examples begin. */
export function newDraft(group: string): Draft {
  const base = group === '/' ? '' : group;
  return {
    id: `${base}/my-service`,
    cmd: 'exec python3 -m http.server $PORT0 --bind 127.0.0.1',
    cpus: 0.1,
    mem: 64,
    disk: 0,
    instances: 1,
    portDefinitions: [{ port: 0, name: 'http', protocol: 'tcp' }],
    healthChecks: [{ protocol: 'MESOS_HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 30, intervalSeconds: 5, timeoutSeconds: 3, maxConsecutiveFailures: 3, delaySeconds: 0 }],
  };
}
