'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { appHref } from '../../../../../lib/links';
import { useTRPC } from '../../../../../lib/trpc';
import { installedHref, statefulHref, type FieldErrors, type InstallRow, type PackageDescription } from '../../catalog-types';
import styles from '../../catalog.module.css';
import { changedOptions, optionFieldId, SchemaForm, type Json } from '../../schema-form';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
function merge(a: Json, b: Json): Json {
  const out: Json = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObject(out[k]) && isObject(v) ? merge(out[k] as Json, v) : v;
  return out;
}

type Outcome = { what: string; ok: true; id: string; kind: string; notes: string | null } | { what: string; ok: false; status: number; message: string; details: FieldErrors[] };

/**
 * Install (or, given `installed`, update) a package with options. The form starts from
 * the schema's defaults (an update: the defaults with the installed options over them);
 * every change is checked by the API with the install's own validation, and its errors
 * appear at their field; only the options that differ from the defaults are sent, as
 * Cosmos keeps them. A refused install shows the API's errors at their fields too.
 */
export function InstallForm({ pkg, installed }: { pkg: PackageDescription; installed: InstallRow | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [value, setValue] = useState<Json>(() => merge(pkg.defaults, installed?.options ?? {}));
  const [checked, setChecked] = useState<Json>(() => changedOptions(value, pkg.defaults));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const summary = useRef<HTMLDivElement>(null);
  const options = useMemo(() => changedOptions(value, pkg.defaults), [value, pkg.defaults]);
  useEffect(() => {
    const timer = setTimeout(() => setChecked(options), 250);
    return () => clearTimeout(timer);
  }, [options]);
  const check = useQuery(trpc.catalog.checkOptions.queryOptions({ name: pkg.name, version: pkg.version, repository: pkg.repository, options: checked }));
  const fieldErrors = outcome && !outcome.ok && outcome.details.length ? outcome.details : check.data?.details ?? [];

  const done = (what: string) => ({
    onSuccess: (o: { ok: true; id: string; kind: string; postInstallNotes: string | null } | { ok: false; status: number; message: string; details: FieldErrors[] }) => {
      setOutcome(o.ok ? { what, ok: true, id: o.id, kind: o.kind, notes: o.postInstallNotes } : { what, ok: false, status: o.status, message: o.message, details: o.details });
      void queryClient.invalidateQueries({ queryKey: trpc.catalog.installs.queryKey() });
      setTimeout(() => summary.current?.focus(), 0);
    },
    onError: (e: { message: string }) => setOutcome({ what, ok: false, status: 0, message: e.message, details: [] }),
  });
  const install = useMutation(trpc.catalog.install.mutationOptions(done('Install')));
  const update = useMutation(trpc.catalog.update.mutationOptions(done('Update')));
  const busy = install.isPending || update.isPending;
  const invalid = (check.data?.details.length ?? 0) > 0;

  const submit = (event: FormEvent, force = false) => {
    event.preventDefault();
    setOutcome(null);
    if (installed) update.mutate({ id: installed.id, version: pkg.version, options, replace: true, force });
    else install.mutate({ name: pkg.name, version: pkg.version, repository: pkg.repository, options });
  };

  return (
    <section aria-labelledby="install-title" className="card">
      <h2 id="install-title">{installed ? `Update ${installed.id}` : `Install ${pkg.name} ${pkg.version}`}</h2>
      {installed && <p className="muted">Installed: {installed.name} {installed.version}. The service rolls out the new configuration {pkg.kind === 'stateful' ? 'pod by pod through its update plan' : 'as a Marathon deployment'}.</p>}
      <div ref={summary} tabIndex={-1} data-testid="install-result">
        {outcome?.ok && (
          <div className="banner ok" role="status">
            <div>
              <strong>{outcome.what} of {outcome.id} accepted.</strong>{' '}
              {outcome.kind === 'STATEFUL' ? <Link href={statefulHref(outcome.id)}>See its plans and pods</Link> : <Link href={appHref(outcome.id)}>See the service</Link>}
              {' · '}<Link href={installedHref}>Installed packages</Link>
              {outcome.notes && <p className={styles.notes}>{outcome.notes}</p>}
            </div>
          </div>
        )}
        {outcome && !outcome.ok && (
          <div className="banner" role="alert">
            <div>
              <strong>{outcome.what} was refused</strong>: {outcome.message}
              {outcome.details.length > 0 && (
                <ul>{outcome.details.map((d) => <li key={d.path}><a href={`#${optionFieldId(d.path)}`}><code>{d.path}</code></a>: {d.errors.join('; ')}</li>)}</ul>
              )}
              {installed && outcome.status === 409 && (
                <p><button type="button" className="danger" onClick={(e) => submit(e, true)}>Update anyway (stop the deployment at work)</button></p>
              )}
            </div>
          </div>
        )}
      </div>
      <form onSubmit={submit} className={styles.form} noValidate aria-describedby="install-title">
        {pkg.config ? <SchemaForm schema={pkg.config} value={value} errors={fieldErrors} onChange={setValue} /> : <p>{pkg.name} takes no options.</p>}
        {fieldErrors.filter((e) => e.path === '/').map((e) => <p key="root" className="field-error" role="alert">{e.errors.join('; ')}</p>)}
        <details>
          <summary>Options sent (differences from the defaults)</summary>
          <pre data-testid="options-json">{JSON.stringify(options, null, 2)}</pre>
        </details>
        <div className="actions">
          <button type="submit" className="primary" disabled={busy || invalid || pkg.missing.length > 0} aria-busy={busy || undefined}>
            {busy ? 'Working…' : installed ? `Update to ${pkg.version}` : `Install ${pkg.name}`}
          </button>
          {invalid && <span className="field-error" role="status">Fix the options marked above first.</span>}
        </div>
      </form>
    </section>
  );
}
