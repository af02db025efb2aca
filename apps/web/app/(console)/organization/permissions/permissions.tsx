'use client';
import { ACTIONS, type Action } from '@gantry/auth/grants';
import { useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { ConfirmButton } from '../../../../components/iam-confirm';
import { Field } from '../../../../components/iam-field';
import { QueryState } from '../../../../components/iam-query-state';
import { kindOf, ResourcePicker, resourceCatalogQuery } from '../../../../components/iam-resource-picker';
import { useGrants, useGroups, useIamChange, useUsers, type IamGrant, type IamSubject } from '../../../../lib/iam-api';
import { useCan } from '../../../../lib/iam-permissions';
import { rest, RestError } from '../../../../lib/rest';

const subjectKey = (s: IamSubject) => `${s.kind}:${s.id}`;
const subjectName = (s: IamSubject) => (s.kind === 'GROUP' ? `group ${s.id}` : s.id);

/**
 * Grants of (subject, resource, action), all of them or one subject's — for a user,
 * also those it holds through its groups. Granting is offered with a picker of the
 * resource kinds the API checks and the service groups that exist; the API refuses
 * anything the signed-in user does not hold itself (no escalation), at the form.
 */
export function Permissions({ subject }: { subject: string | null }) {
  const can = useCan();
  const router = useRouter();
  const mayRead = can('gantry:iam', 'read');
  const grants = useGrants(mayRead);
  const users = useUsers(mayRead);
  const groups = useGroups(mayRead);
  if (!mayRead) return <div className="empty" role="status"><p>You may not see permissions: managing identities needs read on gantry:iam.</p></div>;
  if (grants.isError) return <QueryState error={grants.error} what="permissions" retry={() => void grants.refetch()} />;

  const all = grants.data?.grants ?? [];
  const selected = subject && /^(USER|GROUP):/.test(subject) ? { kind: subject.slice(0, subject.indexOf(':')) as IamSubject['kind'], id: subject.slice(subject.indexOf(':') + 1) } : null;
  const memberOf = selected?.kind === 'USER' ? users.data?.users.find((u) => u.uid === selected.id)?.groups ?? [] : [];
  const shown = selected
    ? all.filter((g) => subjectKey(g.subject) === subjectKey(selected) || (g.subject.kind === 'GROUP' && memberOf.includes(g.subject.id)))
    : all;
  const subjects = [
    ...(users.data?.users.map((u) => ({ kind: 'USER' as const, id: u.uid })) ?? []),
    ...(groups.data?.groups.map((g) => ({ kind: 'GROUP' as const, id: g.gid })) ?? []),
  ];
  return (
    <div className="org">
      <section aria-labelledby="grants-title">
        <h2 id="grants-title">Permissions</h2>
        <Field label="Show the permissions of">
          {(control) => (
            <select {...control} value={selected ? subjectKey(selected) : ''} onChange={(e) => router.push(e.target.value ? `/organization/permissions?subject=${encodeURIComponent(e.target.value)}` : '/organization/permissions')}>
              <option value="">everybody</option>
              {subjects.map((s) => <option key={subjectKey(s)} value={subjectKey(s)}>{subjectName(s)}</option>)}
            </select>
          )}
        </Field>
        <table>
          <thead><tr><th scope="col">Subject</th><th scope="col">Resource</th><th scope="col">Action</th><th scope="col"><span className="sr-only">Revoke</span></th></tr></thead>
          <tbody>
            {shown.map((g) => {
              const inherited = selected?.kind === 'USER' && g.subject.kind === 'GROUP';
              return (
                <tr key={`${subjectKey(g.subject)} ${g.resource} ${g.action}`}>
                  <th scope="row">{subjectName(g.subject)}{inherited && <span className="muted"> (through membership)</span>}</th>
                  <td><code>{g.resource}</code></td>
                  <td>{g.action}</td>
                  <td>{can('gantry:iam', 'update') && can(g.resource, g.action as Action) && <RevokeButton grant={g} />}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {shown.length === 0 && grants.isSuccess && <p className="muted">No permissions{selected ? ` for ${subjectName(selected)}` : ''}.</p>}
        {can('gantry:iam', 'update') && <GrantForm subjects={subjects} initial={selected} />}
      </section>
    </div>
  );
}

function RevokeButton({ grant }: { grant: IamGrant }) {
  const revoke = useIamChange(() => rest('DELETE', 'iam/grants', grant));
  const label = `${grant.action} on ${grant.resource} for ${grant.subject.id}`;
  return (
    <ConfirmButton
      text="Revoke" label={`Revoke ${label}`} confirmLabel={`Confirm revoking ${label}`}
      onConfirm={() => revoke.mutate()} pending={revoke.isPending} error={revoke.error?.message ?? null}
    />
  );
}

function GrantForm({ subjects, initial }: { subjects: IamSubject[]; initial: IamSubject | null }) {
  const catalog = useQuery(resourceCatalogQuery);
  const can = useCan();
  const listId = useId();
  const [form, setForm] = useState({ kind: initial?.kind ?? ('USER' as IamSubject['kind']), id: initial?.id ?? '', resource: 'gantry:service:/', action: 'read' as Action });
  const grant = useIamChange((body: IamGrant) => rest('POST', 'iam/grants', body));
  const error = grant.error instanceof RestError ? grant.error : null;
  const kind = kindOf(catalog.data?.kinds ?? [], form.resource);
  // Only the actions the kind knows (nodes have no "create"); the first when the kind changed under the choice.
  const actions = kind ? ACTIONS.filter((a) => kind.actions.includes(a)) : ACTIONS;
  const action = actions.includes(form.action) ? form.action : actions[0]!;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    grant.mutate({ subject: { kind: form.kind, id: form.id }, resource: form.resource, action });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-labelledby="grant-form-title">
      <h3 id="grant-form-title">Grant a permission</h3>
      <Field label="Subject kind">
        {(control) => (
          <select {...control} value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as IamSubject['kind'] })}>
            <option value="USER">User</option><option value="GROUP">Group</option>
          </select>
        )}
      </Field>
      <Field label="Subject">
        {(control) => (
          <>
            <input {...control} aria-invalid={!!error?.at('/subject/id')} value={form.id} list={listId} onChange={(e) => setForm({ ...form, id: e.target.value })} required />
            <datalist id={listId}>{subjects.filter((s) => s.kind === form.kind).map((s) => <option key={s.id} value={s.id} />)}</datalist>
          </>
        )}
      </Field>
      <ResourcePicker value={form.resource} onChange={(resource) => setForm({ ...form, resource })} error={error?.at('/resource')} />
      <Field label="Action">
        {(control) => (
          <select {...control} value={action} onChange={(e) => setForm({ ...form, action: e.target.value as Action })}>
            {actions.map((a) => <option key={a} value={a}>{a}</option>)}
          </select>
        )}
      </Field>
      <button type="submit" disabled={grant.isPending}>Grant</button>
      {!can(form.resource, action) && form.resource && (
        <p className="muted" style={{ width: '100%', margin: 0 }}>You do not hold {action} on {form.resource} yourself, so the API will refuse to grant it.</p>
      )}
      {error && <p role="alert" className="field-error">{error.at('/resource') ?? error.at('/subject/id') ?? error.message}</p>}
      {grant.isSuccess && <p role="status">Granted.</p>}
    </form>
  );
}
