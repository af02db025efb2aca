'use client';
import type { IdentityProviderView, IdpKind } from '@gantry/specs';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ConfirmButton } from '../../../components/iam-confirm';
import { Field as Labelled } from '../../../components/iam-field';
import { QueryState } from '../../../components/iam-query-state';
import styles from '../../../components/iam.module.css';
import { iamKeys, useIamChange } from '../../../lib/iam-api';
import { useCan } from '../../../lib/iam-permissions';
import { rest, RestError } from '../../../lib/rest';
import { configFrom, PROVIDER_FIELDS, valuesFrom, type ProviderField } from './provider-fields';

const PROVIDERS = 'gantry:iam:providers';
const KIND_NAMES: Record<IdpKind, string> = { LDAP: 'LDAP directory', OIDC: 'OpenID Connect', SAML: 'SAML 2.0' };

/**
 * Identity providers: LDAP directories (users sign in with their directory password)
 * and OIDC / SAML providers (a button on the sign-in page). Secrets go in and never
 * come out: the API answers only which are set, and an edit that leaves one empty
 * keeps it. An LDAP directory can be tested from here.
 */
export function IdentityProviders() {
  const can = useCan();
  const mayRead = can(PROVIDERS, 'read');
  const providers = useQuery({ queryKey: iamKeys.providers, queryFn: () => rest<IdentityProviderView[]>('GET', 'iam/providers'), enabled: mayRead });
  const [editing, setEditing] = useState<string | null>(null);
  if (!mayRead) return <div className="empty" role="status"><p>You may not configure identity providers: it needs read on gantry:iam:providers.</p></div>;
  if (providers.isError) return <QueryState error={providers.error} what="identity providers" retry={() => void providers.refetch()} />;
  return (
    <div className="org">
      <section aria-labelledby="providers-title">
        <h2 id="providers-title">Identity providers</h2>
        <table>
          <thead><tr><th scope="col">Provider</th><th scope="col">Kind</th><th scope="col">Name on the sign-in page</th><th scope="col">Secrets</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {providers.data?.map((p) => (
              <ProviderRow key={p.id} provider={p} editing={editing === p.id} onEdit={() => setEditing(editing === p.id ? null : p.id)} onDone={() => setEditing(null)} />
            ))}
          </tbody>
        </table>
        {providers.data?.length === 0 && <p className="muted">No identity provider yet: only local users and service accounts sign in.</p>}
        {can(PROVIDERS, 'create') && <ProviderForm />}
      </section>
    </div>
  );
}

function ProviderRow({ provider, editing, onEdit, onDone }: { provider: IdentityProviderView; editing: boolean; onEdit: () => void; onDone: () => void }) {
  const can = useCan();
  const remove = useIamChange(() => rest('DELETE', `iam/providers/${encodeURIComponent(provider.id)}`));
  return (
    <>
      <tr>
        <th scope="row">{provider.id}</th>
        <td>{KIND_NAMES[provider.kind]}</td>
        <td>{provider.displayName}</td>
        <td>{provider.secretsSet.length ? provider.secretsSet.map((s) => <span key={s} className="chip">{s} set</span>) : <span className="muted">none</span>}</td>
        <td>
          <span className={styles.actions}>
            {provider.kind === 'LDAP' && can(PROVIDERS, 'read') && <TestConnection id={provider.id} />}
            {can(PROVIDERS, 'update') && <button type="button" onClick={onEdit} aria-expanded={editing} aria-label={`Edit ${provider.id}`}>Edit</button>}
            {can(PROVIDERS, 'delete') && (
              <ConfirmButton
                text="Delete" label={`Delete provider ${provider.id}`} confirmLabel={`Confirm deleting provider ${provider.id}`}
                onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error?.message ?? null}
              />
            )}
          </span>
        </td>
      </tr>
      {editing && (
        <tr><td colSpan={5}><ProviderForm existing={provider} onDone={onDone} /></td></tr>
      )}
    </>
  );
}

function TestConnection({ id }: { id: string }) {
  const test = useMutation({ mutationFn: () => rest<{ ok: boolean; message: string }>('POST', `iam/providers/${encodeURIComponent(id)}/test`) });
  return (
    <span>
      <button type="button" onClick={() => test.mutate()} disabled={test.isPending} aria-label={`Test connection to ${id}`}>
        {test.isPending ? 'Testing…' : 'Test connection'}
      </button>{' '}
      {test.data && <span role="status" className={test.data.ok ? styles.ok : 'field-error'}>{test.data.ok ? '✓ ' : '✗ '}{test.data.message}</span>}
      {test.error && <span role="alert" className="field-error">{test.error.message}</span>}
    </span>
  );
}

function ProviderForm({ existing, onDone }: { existing?: IdentityProviderView; onDone?: () => void }) {
  const [kind, setKind] = useState<IdpKind>(existing?.kind ?? 'LDAP');
  const [id, setId] = useState(existing?.id ?? '');
  const [displayName, setDisplayName] = useState(existing?.displayName ?? '');
  const [values, setValues] = useState<Record<string, string>>(existing ? valuesFrom(existing.config) : {});
  const formId = useId();
  const save = useIamChange(() => {
    const config = configFrom(kind, values);
    return existing
      ? rest('PUT', `iam/providers/${encodeURIComponent(existing.id)}`, { kind, displayName, config })
      : rest('POST', 'iam/providers', { id, kind, displayName, config });
  });
  const error = save.error instanceof RestError ? save.error : null;
  const title = existing ? `Edit ${existing.id}` : 'Add an identity provider';
  return (
    <form
      className="inline-form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(undefined, {
          onSuccess: () => {
            if (existing) onDone?.();
            else {
              setId('');
              setDisplayName('');
              setValues({});
            }
          },
        });
      }}
    >
      <h3>{title}</h3>
      <Labelled label="Kind">
        {(control) => (
          <select {...control} value={kind} onChange={(e) => setKind(e.target.value as IdpKind)}>
            {(Object.keys(KIND_NAMES) as IdpKind[]).map((k) => <option key={k} value={k}>{KIND_NAMES[k]}</option>)}
          </select>
        )}
      </Labelled>
      {!existing && (
        <Labelled label="Provider ID" error={error?.at('/id')}>
          {(control) => <input {...control} value={id} onChange={(e) => setId(e.target.value)} required placeholder="corp" />}
        </Labelled>
      )}
      <Labelled label="Display name" error={error?.at('/displayName')}>
        {(control) => <input {...control} value={displayName} onChange={(e) => setDisplayName(e.target.value)} required />}
      </Labelled>
      {PROVIDER_FIELDS[kind].map((field) => (
        <Field
          key={`${formId}-${kind}-${field.name}`} field={field} value={values[field.name] ?? ''}
          secretSet={!!existing && existing.kind === kind && existing.secretsSet.includes(field.name)}
          error={error?.at(`/config/${field.name}`)}
          onChange={(value) => setValues({ ...values, [field.name]: value })}
        />
      ))}
      {kind !== 'LDAP' && (
        <p className={styles.hint}>
          Register Gantry at the provider with {kind === 'OIDC' ? <>the redirect URI <code>&lt;API URL&gt;/v1/auth/oidc/{id || existing?.id || '<id>'}/callback</code></> : <>the metadata at <code>&lt;API URL&gt;/v1/auth/saml/{id || existing?.id || '<id>'}/metadata</code></>}.
        </p>
      )}
      <button type="submit" disabled={save.isPending}>{existing ? 'Save changes' : 'Add provider'}</button>
      {error && <p role="alert" className="field-error">{error.message}{elsewhere(kind, error).map((d) => ` · ${d.path}: ${d.errors.join('; ')}`).join('')}</p>}
      {save.isSuccess && !existing && <p role="status">Added.</p>}
    </form>
  );
}

/** The API's field errors that no field of the form shows (each field shows its own). */
function elsewhere(kind: IdpKind, error: RestError) {
  const shown = new Set(['/id', '/displayName', ...PROVIDER_FIELDS[kind].map((f) => `/config/${f.name}`)]);
  return (error.error.details ?? []).filter((d) => !shown.has(d.path));
}

function Field({ field, value, secretSet, error, onChange }: { field: ProviderField; value: string; secretSet: boolean; error: string | undefined; onChange: (value: string) => void }) {
  const required = field.required && !(field.type === 'secret' && secretSet);
  const label = `${field.label}${field.required ? '' : ' (optional)'}`;
  return (
    <Labelled label={label} hint={field.hint} error={error} wide={field.type === 'pem'}>
      {(control) => {
        if (field.type === 'select') {
          return (
            <select {...control} value={value || field.options![0]} onChange={(e) => onChange(e.target.value)} required={required}>
              {field.options!.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          );
        }
        if (field.type === 'pem') {
          return <textarea {...control} className={styles.textarea} value={value} onChange={(e) => onChange(e.target.value)} placeholder="-----BEGIN CERTIFICATE-----" spellCheck={false} required={required} />;
        }
        return (
          <input
            {...control}
            type={field.type === 'secret' ? 'password' : field.type === 'number' ? 'number' : 'text'}
            autoComplete={field.type === 'secret' ? 'new-password' : 'off'}
            value={value}
            placeholder={field.type === 'secret' && secretSet ? 'set — leave empty to keep' : field.placeholder}
            onChange={(e) => onChange(e.target.value)}
            required={required}
          />
        );
      }}
    </Labelled>
  );
}
