'use client';
import type { ReactNode } from 'react';
import type { FieldErrors } from './catalog-types';
import styles from './catalog.module.css';

/**
 * A form generated from a package's options schema (config.json, JSON Schema draft-04 as
 * Universe writes them): an object is a fieldset, its properties fields — a string a text
 * box (a select when it has an `enum`), a number or integer a number box, a boolean a
 * checkbox, anything else (arrays, free-form objects) JSON in a text area. The values are
 * kept as the options object itself; the API validates it (the same validation an
 * install does) and its errors are shown at their field, by path (`/postgresql/mem`).
 */
export type Json = Record<string, unknown>;
type Schema = {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  items?: Schema;
};

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The id of the control showing option `path` (for "go to the error" links). */
export const optionFieldId = (path: string) => `option${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

export function errorsAt(errors: readonly FieldErrors[], path: string): string[] {
  return errors.filter((e) => e.path === path).flatMap((e) => e.errors);
}

function setAt(value: Json, path: string[], leaf: unknown): Json {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const next = { ...value };
  if (rest.length === 0) {
    if (leaf === undefined) delete next[head];
    else next[head] = leaf;
  } else next[head] = setAt(isObject(next[head]) ? (next[head] as Json) : {}, rest, leaf);
  return next;
}

/** What the user changed from the defaults, deep (Cosmos stores the user's options and merges defaults again at each render). */
export function changedOptions(value: unknown, defaults: unknown): Json {
  if (!isObject(value)) return {};
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    const d = isObject(defaults) ? defaults[k] : undefined;
    if (isObject(v) && (isObject(d) || d === undefined)) {
      const inner = changedOptions(v, d ?? {});
      if (Object.keys(inner).length > 0) out[k] = inner;
    } else if (JSON.stringify(v) !== JSON.stringify(d)) out[k] = v;
  }
  return out;
}

export function SchemaForm({ schema, value, errors, onChange }: { schema: Json; value: Json; errors: readonly FieldErrors[]; onChange: (next: Json) => void }) {
  return <ObjectFields schema={schema as Schema} path={[]} value={value} root={value} errors={errors} onChange={onChange} />;
}

function ObjectFields({ schema, path, value, root, errors, onChange }: { schema: Schema; path: string[]; value: Json; root: Json; errors: readonly FieldErrors[]; onChange: (next: Json) => void }) {
  const properties = Object.entries(schema.properties ?? {});
  return (
    <>
      {properties.map(([name, prop]) => {
        const at = [...path, name];
        const pointer = '/' + at.join('/');
        const current = value[name];
        const required = (schema.required ?? []).includes(name);
        if (typeOf(prop) === 'object' && prop.properties) {
          return (
            <fieldset key={name} className={styles.fieldset} aria-describedby={prop.description ? `${optionFieldId(pointer)}-help` : undefined}>
              <legend>{prop.title ?? name}</legend>
              {prop.description && <small id={`${optionFieldId(pointer)}-help`} className="muted">{prop.description}</small>}
              <FieldErrorList errors={errorsAt(errors, pointer)} />
              <ObjectFields schema={prop} path={at} value={isObject(current) ? current : {}} root={root} errors={errors} onChange={onChange} />
            </fieldset>
          );
        }
        return <Field key={name} name={name} pointer={pointer} schema={prop} required={required} value={current} errors={errorsAt(errors, pointer)} onChange={(leaf) => onChange(setAt(root, at, leaf))} />;
      })}
    </>
  );
}

function typeOf(schema: Schema): string {
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== 'null') : schema.type;
  return t ?? (schema.properties ? 'object' : 'string');
}

function FieldErrorList({ errors, id }: { errors: string[]; id?: string }) {
  if (errors.length === 0) return null;
  return <p className="field-error" id={id} role="alert">{errors.join('; ')}</p>;
}

function Field({ name, pointer, schema, required, value, errors, onChange }: {
  name: string; pointer: string; schema: Schema; required: boolean; value: unknown; errors: string[]; onChange: (leaf: unknown) => void;
}) {
  const id = optionFieldId(pointer);
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const describedBy = [schema.description ? helpId : null, errors.length ? errorId : null].filter(Boolean).join(' ') || undefined;
  const common = { id, name: pointer, 'aria-invalid': errors.length > 0 || undefined, 'aria-required': required || undefined, 'aria-describedby': describedBy } as const;
  const type = typeOf(schema);
  let control: ReactNode;
  if (schema.enum) {
    control = (
      <select {...common} value={JSON.stringify(value ?? null)} onChange={(e) => onChange(JSON.parse(e.target.value))}>
        {value === undefined && <option value="null">—</option>}
        {schema.enum.map((v) => <option key={JSON.stringify(v)} value={JSON.stringify(v)}>{String(v)}</option>)}
      </select>
    );
  } else if (type === 'boolean') {
    control = <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />;
  } else if (type === 'number' || type === 'integer') {
    control = (
      <input
        {...common} type="text" inputMode="decimal"
        value={value === undefined ? '' : String(value)}
        onChange={(e) => {
          const text = e.target.value;
          const n = Number(text);
          // A number when it reads as one; otherwise the text, and the schema names the mistake.
          onChange(text.trim() === '' ? undefined : Number.isFinite(n) ? n : text);
        }}
      />
    );
  } else if (type === 'string') {
    const secret = /password|secret|token/i.test(name);
    control = <input {...common} type={secret ? 'password' : 'text'} autoComplete="off" value={typeof value === 'string' ? value : value === undefined ? '' : String(value)} onChange={(e) => onChange(e.target.value)} />;
  } else {
    control = <JsonField common={common} value={value} onChange={onChange} />;
  }
  return (
    <div className={styles.option}>
      <label htmlFor={id}>{schema.title ?? name}</label>
      {control}
      {schema.description && <small id={helpId}>{schema.description}{schema.default !== undefined && type !== 'object' ? ` (default: ${JSON.stringify(schema.default)})` : ''}</small>}
      <FieldErrorList errors={errors} id={errorId} />
    </div>
  );
}

function JsonField({ common, value, onChange }: { common: Record<string, unknown>; value: unknown; onChange: (leaf: unknown) => void }) {
  return (
    <textarea
      {...common}
      defaultValue={value === undefined ? '' : JSON.stringify(value, null, 2)}
      onChange={(e) => {
        try {
          onChange(e.target.value.trim() === '' ? undefined : JSON.parse(e.target.value));
        } catch {
          onChange(e.target.value);
        }
      }}
    />
  );
}
