'use client';
import { CONSTRAINT_OPERATORS, HEALTH_CHECK_PROTOCOLS, NETWORK_PROTOCOLS, type FieldErrors } from '@gantry/specs';
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { errorsAt, fieldId, numberOrText, setField, validate, type Draft } from '../lib/app-definition';
import { lineOfPath, locatePaths, parseErrorLine } from '../lib/json-locate';
import { appHref } from '../lib/links';
import { useTRPC } from '../lib/trpc';

type Row = Record<string, unknown>;
const asRows = (value: unknown): Row[] => (Array.isArray(value) ? (value as Row[]) : []);
const text = (value: unknown) => (value === undefined || value === null ? '' : String(value));

/** Errors for a field, under it, tied to it for screen readers. */
function FieldMessage({ id, errors }: { id: string; errors: string[] }) {
  if (!errors.length) return null;
  return <p id={`${id}-error`} className="field-error">{errors.join('; ')}</p>;
}

function Input({ label, path, value, errors, onChange, type = 'text', disabled, hint, multiline, step }: {
  label: string; path: string; value: unknown; errors: readonly FieldErrors[]; onChange: (v: string) => void;
  type?: string; disabled?: boolean; hint?: string; multiline?: boolean; step?: string;
}) {
  const id = fieldId(path);
  const mine = errorsAt(errors, path);
  const describedBy = [mine.length ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, value: text(value), disabled, 'aria-invalid': mine.length > 0 || undefined, 'aria-describedby': describedBy };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline
        ? <textarea {...common} rows={2} onChange={(e) => onChange(e.target.value)} spellCheck={false} />
        : <input {...common} type={type} step={step} inputMode={type === 'number' ? 'decimal' : undefined} onChange={(e) => onChange(e.target.value)} />}
      {hint && <p id={`${id}-hint`} className="muted hint">{hint}</p>}
      <FieldMessage id={id} errors={mine} />
    </div>
  );
}

function Select({ label, path, value, options, errors, onChange }: { label: string; path: string; value: unknown; options: readonly string[]; errors: readonly FieldErrors[]; onChange: (v: string) => void }) {
  const id = fieldId(path);
  const mine = errorsAt(errors, path);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={text(value)} onChange={(e) => onChange(e.target.value)} aria-invalid={mine.length > 0 || undefined} aria-describedby={mine.length ? `${id}-error` : undefined}>
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
      <FieldMessage id={id} errors={mine} />
    </div>
  );
}

function Section({ title, path, errors, children, action }: { title: string; path: string; errors: readonly FieldErrors[]; children: ReactNode; action?: ReactNode }) {
  const id = fieldId(path);
  const own = errorsAt(errors, path);
  return (
    <fieldset className="section" id={id} tabIndex={-1} aria-describedby={own.length ? `${id}-error` : undefined}>
      <legend>{title}</legend>
      {children}
      <FieldMessage id={id} errors={own} />
      {action}
    </fieldset>
  );
}

/** Key/value rows (env, labels): rows keep their order and a half-typed empty key. */
function KeyValues({ title, path, value, errors, onChange, keyLabel }: { title: string; path: string; value: unknown; errors: readonly FieldErrors[]; onChange: (v: Record<string, string> | undefined) => void; keyLabel: string }) {
  const [rows, setRows] = useState<[string, string][]>(() => Object.entries((value ?? {}) as Record<string, string>).map(([k, v]) => [k, String(v)]));
  const update = (next: [string, string][]) => {
    setRows(next);
    const entries = next.filter(([k]) => k !== '');
    onChange(entries.length ? Object.fromEntries(entries) : undefined);
  };
  return (
    <Section title={title} path={path} errors={errors} action={<button type="button" onClick={() => update([...rows, ['', '']])}>Add {keyLabel.toLowerCase()}</button>}>
      {rows.length === 0 && <p className="muted">None.</p>}
      {rows.map(([k, v], i) => (
        <div key={i} className="row-fields">
          <Input label={`${keyLabel} ${i + 1}`} path={`${path}/#${i}/key`} value={k} errors={[]} onChange={(nk) => update(rows.map((r, j) => (j === i ? [nk, r[1]] : r)))} />
          <Input label={`Value ${i + 1}`} path={`${path}/${k || `#${i}`}`} value={v} errors={errors} onChange={(nv) => update(rows.map((r, j) => (j === i ? [r[0], nv] : r)))} />
          <button type="button" className="remove" onClick={() => update(rows.filter((_, j) => j !== i))} aria-label={`Remove ${keyLabel.toLowerCase()} ${k || i + 1}`}>Remove</button>
        </div>
      ))}
    </Section>
  );
}

/** Rows of objects (ports, health checks): each field of each row edited in place. */
function useRowEditor(draft: Draft, key: string, setDraft: (d: Draft) => void) {
  const rows = asRows(draft[key]);
  const write = (next: Row[]) => setDraft(setField(draft, key, next.length ? next : undefined));
  return {
    rows,
    set: (i: number, field: string, v: unknown) => write(rows.map((r, j) => (j === i ? (v === undefined ? Object.fromEntries(Object.entries(r).filter(([k]) => k !== field)) : { ...r, [field]: v }) : r))),
    add: (row: Row) => write([...rows, row]),
    remove: (i: number) => write(rows.filter((_, j) => j !== i)),
  };
}

function FormView({ draft, setDraft, errors, editing }: { draft: Draft; setDraft: (d: Draft) => void; errors: readonly FieldErrors[]; editing: boolean }) {
  const set = (key: string, v: unknown) => setDraft(setField(draft, key, v));
  const num = (key: string) => (v: string) => set(key, numberOrText(v));
  const ports = useRowEditor(draft, 'portDefinitions', setDraft);
  const checks = useRowEditor(draft, 'healthChecks', setDraft);
  const constraints = asRows(draft.constraints) as unknown as unknown[][];
  const setConstraints = (next: unknown[][]) => set('constraints', next.length ? next : undefined);
  const strategy = (draft.upgradeStrategy ?? {}) as Row;
  const setStrategy = (field: string, v: unknown) => {
    const next = { ...strategy, [field]: v };
    if (v === undefined) delete next[field];
    set('upgradeStrategy', Object.keys(next).length ? next : undefined);
  };
  return (
    <div className="form-grid">
      <Section title="Service" path="/_service" errors={[]}>
        <Input label="ID" path="/id" value={draft.id} errors={errors} onChange={(v) => set('id', v || undefined)} disabled={editing}
          hint={editing ? 'An app keeps its id; create a new service for another one.' : 'A path: groups, then the name, e.g. /team-a/web'} />
        <Input label="Command" path="/cmd" value={draft.cmd} errors={errors} onChange={(v) => set('cmd', v || undefined)} multiline
          hint="Run by /bin/sh; $PORT0… are the ports assigned" />
        <Input label="Instances" path="/instances" value={draft.instances} errors={errors} onChange={num('instances')} type="number" step="1" />
      </Section>
      <Section title="Resources per instance" path="/_resources" errors={[]}>
        <Input label="CPUs (cores)" path="/cpus" value={draft.cpus} errors={errors} onChange={num('cpus')} type="number" step="0.01" />
        <Input label="Memory (MiB)" path="/mem" value={draft.mem} errors={errors} onChange={num('mem')} type="number" step="1" />
        <Input label="Disk (MiB)" path="/disk" value={draft.disk} errors={errors} onChange={num('disk')} type="number" step="1" />
      </Section>
      <Section title="Ports" path="/portDefinitions" errors={errors}
        action={<button type="button" onClick={() => ports.add({ port: 0, name: '', protocol: 'tcp' })}>Add a port</button>}>
        {ports.rows.length === 0 && <p className="muted">No ports.</p>}
        {ports.rows.map((p, i) => (
          <div key={i} className="row-fields">
            <Input label={`Port ${i} name`} path={`/portDefinitions/${i}/name`} value={p.name} errors={errors} onChange={(v) => ports.set(i, 'name', v || undefined)} />
            <Input label={`Port ${i} number (0: any)`} path={`/portDefinitions/${i}/port`} value={p.port} errors={errors} onChange={(v) => ports.set(i, 'port', numberOrText(v))} type="number" step="1" />
            <Select label={`Port ${i} protocol`} path={`/portDefinitions/${i}/protocol`} value={p.protocol ?? 'tcp'} options={NETWORK_PROTOCOLS} errors={errors} onChange={(v) => ports.set(i, 'protocol', v)} />
            <button type="button" className="remove" onClick={() => ports.remove(i)} aria-label={`Remove port ${i}`}>Remove</button>
          </div>
        ))}
      </Section>
      <KeyValues title="Environment variables" path="/env" value={draft.env} errors={errors} onChange={(v) => set('env', v)} keyLabel="Variable" />
      <KeyValues title="Labels" path="/labels" value={draft.labels} errors={errors} onChange={(v) => set('labels', v)} keyLabel="Label" />
      <Section title="Placement constraints" path="/constraints" errors={errors}
        action={<button type="button" onClick={() => setConstraints([...constraints, ['hostname', 'UNIQUE']])}>Add a constraint</button>}>
        {constraints.length === 0 && <p className="muted">None: any node with room will do.</p>}
        {constraints.map((c, i) => (
          <div key={i} className="row-fields">
            <Input label={`Constraint ${i + 1} field`} path={`/constraints/${i}/0`} value={c[0]} errors={errors} onChange={(v) => setConstraints(constraints.map((x, j) => (j === i ? [v, ...x.slice(1)] : x)))}
              hint="hostname or an attribute (zone, rack…)" />
            <Select label={`Constraint ${i + 1} operator`} path={`/constraints/${i}/1`} value={c[1]} options={CONSTRAINT_OPERATORS} errors={errors}
              onChange={(v) => setConstraints(constraints.map((x, j) => (j === i ? [x[0], v, ...x.slice(2)] : x)))} />
            <Input label={`Constraint ${i + 1} value`} path={`/constraints/${i}/2`} value={c[2]} errors={errors}
              onChange={(v) => setConstraints(constraints.map((x, j) => (j === i ? (v === '' ? [x[0], x[1]] : [x[0], x[1], v]) : x)))} />
            <button type="button" className="remove" onClick={() => setConstraints(constraints.filter((_, j) => j !== i))} aria-label={`Remove constraint ${i + 1}`}>Remove</button>
            <FieldMessage id={fieldId(`/constraints/${i}`)} errors={errorsAt(errors, `/constraints/${i}`)} />
          </div>
        ))}
      </Section>
      <Section title="Health checks" path="/healthChecks" errors={errors}
        action={<button type="button" onClick={() => checks.add({ protocol: 'MESOS_HTTP', path: '/', portIndex: 0, gracePeriodSeconds: 30, intervalSeconds: 10, timeoutSeconds: 5, maxConsecutiveFailures: 3 })}>Add a health check</button>}>
        {checks.rows.length === 0 && <p className="muted">None: a running instance counts as healthy.</p>}
        {checks.rows.map((h, i) => {
          const p = `/healthChecks/${i}`;
          const isCommand = h.protocol === 'COMMAND';
          return (
            <div key={i} className="row-fields wrap">
              <Select label={`Check ${i + 1} protocol`} path={`${p}/protocol`} value={h.protocol ?? 'HTTP'} options={HEALTH_CHECK_PROTOCOLS} errors={errors} onChange={(v) => checks.set(i, 'protocol', v)} />
              {isCommand ? (
                <Input label={`Check ${i + 1} command`} path={`${p}/command/value`} value={(h.command as Row | undefined)?.value} errors={errors}
                  onChange={(v) => checks.set(i, 'command', v ? { value: v } : undefined)} />
              ) : (
                <>
                  {String(h.protocol ?? 'HTTP').includes('HTTP') && <Input label={`Check ${i + 1} path`} path={`${p}/path`} value={h.path} errors={errors} onChange={(v) => checks.set(i, 'path', v || undefined)} />}
                  <Input label={`Check ${i + 1} port index`} path={`${p}/portIndex`} value={h.portIndex} errors={errors} onChange={(v) => checks.set(i, 'portIndex', numberOrText(v))} type="number" step="1" />
                </>
              )}
              <Input label={`Check ${i + 1} grace period (s)`} path={`${p}/gracePeriodSeconds`} value={h.gracePeriodSeconds} errors={errors} onChange={(v) => checks.set(i, 'gracePeriodSeconds', numberOrText(v))} type="number" step="1" />
              <Input label={`Check ${i + 1} interval (s)`} path={`${p}/intervalSeconds`} value={h.intervalSeconds} errors={errors} onChange={(v) => checks.set(i, 'intervalSeconds', numberOrText(v))} type="number" step="1" />
              <Input label={`Check ${i + 1} timeout (s)`} path={`${p}/timeoutSeconds`} value={h.timeoutSeconds} errors={errors} onChange={(v) => checks.set(i, 'timeoutSeconds', numberOrText(v))} type="number" step="1" />
              <Input label={`Check ${i + 1} failures before kill`} path={`${p}/maxConsecutiveFailures`} value={h.maxConsecutiveFailures} errors={errors} onChange={(v) => checks.set(i, 'maxConsecutiveFailures', numberOrText(v))} type="number" step="1" />
              <button type="button" className="remove" onClick={() => checks.remove(i)} aria-label={`Remove health check ${i + 1}`}>Remove</button>
              <FieldMessage id={fieldId(p)} errors={errorsAt(errors, p)} />
            </div>
          );
        })}
      </Section>
      <Section title="Upgrade strategy" path="/upgradeStrategy" errors={errors}>
        <Input label="Minimum health capacity (0–1)" path="/upgradeStrategy/minimumHealthCapacity" value={strategy.minimumHealthCapacity} errors={errors}
          onChange={(v) => setStrategy('minimumHealthCapacity', numberOrText(v))} type="number" step="0.05" hint="Share of instances kept healthy during a restart (default 1)" />
        <Input label="Maximum over capacity (0–1)" path="/upgradeStrategy/maximumOverCapacity" value={strategy.maximumOverCapacity} errors={errors}
          onChange={(v) => setStrategy('maximumOverCapacity', numberOrText(v))} type="number" step="0.05" hint="Share of extra instances started on top (default 1)" />
      </Section>
    </div>
  );
}

/**
 * Create or edit a service through a form or Marathon JSON — two views of one
 * definition, validated as the API validates it (the shared `parseAppDefinition`), each
 * error at its field or on its line. The API's own answer (a conflict with a running
 * deployment, a refusal) is shown the same way.
 */
export function ServiceEditor({ mode, id, initial }: { mode: 'create' | 'edit'; id?: string; initial: Draft }) {
  const trpc = useTRPC();
  const router = useRouter();
  const tabsId = useId();
  const [view, setView] = useState<'form' | 'json'>('form');
  const [draft, setDraftState] = useState<Draft>(initial);
  const [jsonText, setJsonText] = useState(() => JSON.stringify(initial, null, 2));
  const [jsonProblem, setJsonProblem] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);
  const [serverErrors, setServerErrors] = useState<{ message: string; details: FieldErrors[]; conflict: string[] } | null>(null);
  const [submitted, setSubmitted] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);

  const validation = useMemo(() => validate(draft), [draft]);
  const errors = serverErrors?.details.length ? serverErrors.details : validation.errors;
  const positions = useMemo(() => (view === 'json' && !jsonProblem ? locatePaths(jsonText) : new Map<string, number>()), [view, jsonText, jsonProblem]);

  const setDraft = (next: Draft) => {
    setDraftState(next);
    setServerErrors(null);
    setJsonText(JSON.stringify(next, null, 2));
  };
  const onJson = (value: string) => {
    setJsonText(value);
    setServerErrors(null);
    try {
      const parsed = JSON.parse(value) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
        setJsonProblem('An app definition is a JSON object: { "id": …, "cmd": … }');
        return;
      }
      setJsonProblem(null);
      setDraftState(parsed as Draft);
    } catch (error) {
      const line = parseErrorLine(value, error);
      setJsonProblem(`Not valid JSON${line ? ` (line ${line})` : ''}: ${(error as Error).message}`);
    }
  };
  const switchTo = (next: 'form' | 'json') => {
    if (next === 'form' && jsonProblem) return;
    if (next === 'form') setFormKey((k) => k + 1); // the form's rows re-read the definition
    setView(next);
  };

  const finish = (outcome: { ok: true; deploymentId: string; id?: string } | { ok: false; status: number; message: string; details: FieldErrors[]; deployments: string[] }) => {
    if (outcome.ok) {
      router.push(`${appHref(outcome.id ?? id ?? String(draft.id))}?deployment=${encodeURIComponent(outcome.deploymentId)}`);
      return;
    }
    setServerErrors({ message: outcome.message, details: outcome.details, conflict: outcome.status === 409 ? outcome.deployments : [] });
    requestAnimationFrame(() => summary.current?.focus());
  };
  const failed = (error: { message: string }) => setServerErrors({ message: error.message, details: [], conflict: [] });
  const create = useMutation(trpc.services.create.mutationOptions({ onSuccess: finish, onError: failed }));
  const update = useMutation(trpc.services.update.mutationOptions({ onSuccess: finish, onError: failed }));
  const busy = create.isPending || update.isPending;

  const submit = (force = false) => {
    setSubmitted(true);
    if (jsonProblem || !validation.ok) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    if (mode === 'create') create.mutate({ definition: draft, force });
    else update.mutate({ id: id!, definition: draft, force });
  };

  const goTo = (path: string) => {
    if (view === 'json') {
      const line = lineOfPath(jsonText, positions, path);
      const el = textarea.current;
      if (!el || !line) return;
      const start = jsonText.split('\n').slice(0, line - 1).join('\n').length + (line > 1 ? 1 : 0);
      el.focus();
      el.setSelectionRange(start, start + (jsonText.split('\n')[line - 1]?.length ?? 0));
      return;
    }
    for (let p = path; p; p = p.slice(0, p.lastIndexOf('/'))) {
      const el = document.getElementById(fieldId(p));
      if (el) return el.focus();
    }
  };

  const showSummary = (submitted || view === 'json' || serverErrors) && (errors.length > 0 || jsonProblem || serverErrors);
  return (
    <form className="editor" onSubmit={(e) => { e.preventDefault(); submit(); }} noValidate aria-labelledby="editor-title">
      <div className="title-row">
        <h1 id="editor-title">{mode === 'create' ? 'Deploy a service' : `Edit ${id}`}</h1>
        <div role="tablist" aria-label="Edit as" className="segmented">
          {(['form', 'json'] as const).map((v) => (
            <button key={v} type="button" role="tab" id={`${tabsId}-${v}`} aria-selected={view === v} aria-controls={`${tabsId}-panel`}
              className={view === v ? 'on' : undefined} onClick={() => switchTo(v)} disabled={v === 'form' && !!jsonProblem}
              title={v === 'form' && jsonProblem ? 'Fix the JSON first' : undefined}>
              {v === 'form' ? 'Form' : 'JSON'}
            </button>
          ))}
        </div>
      </div>
      <div ref={summary} tabIndex={-1} className="error-summary" aria-live="polite">
        {showSummary && (
          <div className="banner" role="alert">
            <div>
              <strong>{serverErrors ? (serverErrors.conflict.length ? 'A deployment is under way for this service' : `The API refused it: ${serverErrors.message}`) : jsonProblem ?? `${errors.length} ${errors.length === 1 ? 'field needs' : 'fields need'} attention`}</strong>
              {serverErrors?.conflict.length ? <p>Deployment {serverErrors.conflict.join(', ')} is changing it. Forcing replaces that deployment with this change.</p> : null}
              {!jsonProblem && errors.length > 0 && (
                <ul>
                  {errors.map((e) => {
                    const line = view === 'json' ? lineOfPath(jsonText, positions, e.path) : undefined;
                    return (
                      <li key={e.path}>
                        <a href={`#${fieldId(e.path)}`} onClick={(ev) => { ev.preventDefault(); goTo(e.path); }}>
                          <code>{e.path}</code>{line ? ` (line ${line})` : ''}
                        </a>: {e.errors.join('; ')}
                      </li>
                    );
                  })}
                </ul>
              )}
            </div>
            {serverErrors?.conflict.length ? <button type="button" onClick={() => submit(true)}>Force the change</button> : null}
          </div>
        )}
      </div>
      <div id={`${tabsId}-panel`} role="tabpanel" aria-labelledby={`${tabsId}-${view}`}>
        {view === 'form' ? (
          <FormView key={formKey} draft={draft} setDraft={setDraft} errors={errors} editing={mode === 'edit'} />
        ) : (
          <div className="field">
            <label htmlFor="json-definition">Marathon app definition (JSON)</label>
            <textarea id="json-definition" ref={textarea} className="json" value={jsonText} onChange={(e) => onJson(e.target.value)} spellCheck={false} rows={28}
              aria-invalid={!!jsonProblem || errors.length > 0 || undefined} aria-describedby="json-help" />
            <p id="json-help" className="muted hint">Any Marathon app definition: fields the form does not show (fetch, args, killSelection, …) are kept.</p>
          </div>
        )}
      </div>
      <div className="actions sticky">
        <button type="submit" className="primary" disabled={busy}>{busy ? 'Deploying…' : mode === 'create' ? 'Deploy' : 'Deploy the change'}</button>
        <button type="button" onClick={() => router.back()}>Cancel</button>
        <span className="muted">{validation.ok && !jsonProblem ? 'The definition is valid.' : ''}</span>
      </div>
    </form>
  );
}
