'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { rest, RestError } from '../../../lib/rest';

interface User { uid: string; kind: 'user' | 'service'; provider: string; groups: string[]; description: string }
interface Group { gid: string; members: string[]; description: string }
interface Grant { subject: { kind: 'USER' | 'GROUP'; id: string }; resource: string; action: string }

const ACTIONS = ['read', 'create', 'update', 'delete', 'full'] as const;

/**
 * Users, groups and their permissions, managed from the console. Every change goes
 * through the API as the signed-in user: what they may not do, the API refuses, and
 * the refusal is shown where it happened.
 */
export function Organization() {
  const users = useQuery({ queryKey: ['iam', 'users'], queryFn: () => rest<{ users: User[] }>('GET', 'iam/users') });
  const groups = useQuery({ queryKey: ['iam', 'groups'], queryFn: () => rest<{ groups: Group[] }>('GET', 'iam/groups') });
  const grants = useQuery({ queryKey: ['iam', 'grants'], queryFn: () => rest<{ grants: Grant[] }>('GET', 'iam/grants') });
  const denied = [users, groups, grants].find((q) => q.error instanceof RestError && q.error.status === 403);
  if (denied) {
    return <div className="empty" role="status"><p>You may not manage identities here: {denied.error!.message}.</p></div>;
  }
  const failed = [users, groups, grants].find((q) => q.isError);
  if (failed) {
    return (
      <div className="banner" role="alert">
        Could not load the organization: {failed.error!.message}
        <button type="button" onClick={() => void failed.refetch()}>Retry</button>
      </div>
    );
  }
  return (
    <div className="org">
      <section aria-labelledby="users-title">
        <h2 id="users-title">Users and service accounts</h2>
        <table>
          <thead><tr><th scope="col">UID</th><th scope="col">Kind</th><th scope="col">Source</th><th scope="col">Groups</th></tr></thead>
          <tbody>
            {users.data?.users.map((u) => (
              <tr key={u.uid}>
                <th scope="row">{u.uid}</th><td>{u.kind}</td><td>{u.provider.toLowerCase()}</td>
                <td>{u.groups.map((g) => <span key={g} className="chip">{g}</span>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <CreateUser />
      </section>
      <section aria-labelledby="groups-title">
        <h2 id="groups-title">Groups</h2>
        <table>
          <thead><tr><th scope="col">Group</th><th scope="col">Members</th></tr></thead>
          <tbody>
            {groups.data?.groups.map((g) => (
              <tr key={g.gid}><th scope="row">{g.gid}</th><td>{g.members.map((m) => <span key={m} className="chip">{m}</span>)}</td></tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="grants-title">
        <h2 id="grants-title">Permissions</h2>
        <table>
          <thead><tr><th scope="col">Subject</th><th scope="col">Resource</th><th scope="col">Action</th><th scope="col"><span className="sr-only">Revoke</span></th></tr></thead>
          <tbody>
            {grants.data?.grants.map((g) => (
              <tr key={`${g.subject.kind}:${g.subject.id}:${g.resource}:${g.action}`}>
                <th scope="row">{g.subject.kind === 'GROUP' ? `group ${g.subject.id}` : g.subject.id}</th>
                <td><code>{g.resource}</code></td><td>{g.action}</td>
                <td><RevokeButton grant={g} /></td>
              </tr>
            ))}
          </tbody>
        </table>
        <GrantForm />
      </section>
    </div>
  );
}

function useInvalidateIam() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['iam'] });
}

function RevokeButton({ grant }: { grant: Grant }) {
  const [confirming, setConfirming] = useState(false);
  const invalidate = useInvalidateIam();
  const revoke = useMutation({ mutationFn: () => rest('DELETE', 'iam/grants', grant), onSuccess: invalidate });
  const label = `${grant.action} on ${grant.resource} for ${grant.subject.id}`;
  if (revoke.isError) return <span role="alert" className="field-error">{revoke.error.message}</span>;
  return confirming ? (
    <span className="confirm">
      <button type="button" onClick={() => revoke.mutate()} aria-label={`Confirm revoking ${label}`}>Confirm revoke</button>
      <button type="button" onClick={() => setConfirming(false)}>Cancel</button>
    </span>
  ) : (
    <button type="button" onClick={() => setConfirming(true)} aria-label={`Revoke ${label}`}>Revoke</button>
  );
}

function GrantForm() {
  const invalidate = useInvalidateIam();
  const [form, setForm] = useState({ kind: 'USER' as 'USER' | 'GROUP', id: '', resource: 'gantry:service:/', action: 'read' as (typeof ACTIONS)[number] });
  const grant = useMutation({
    mutationFn: () => rest('POST', 'iam/grants', { subject: { kind: form.kind, id: form.id }, resource: form.resource, action: form.action }),
    onSuccess: invalidate,
  });
  const error = grant.error instanceof RestError ? grant.error : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    grant.mutate();
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-labelledby="grant-form-title">
      <h3 id="grant-form-title">Grant a permission</h3>
      <label>Subject kind
        <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as 'USER' | 'GROUP' })}>
          <option value="USER">User</option><option value="GROUP">Group</option>
        </select>
      </label>
      <label>Subject
        <input value={form.id} onChange={(e) => setForm({ ...form, id: e.target.value })} required aria-invalid={!!error?.at('/subject/id')} />
      </label>
      <label>Resource
        <input value={form.resource} onChange={(e) => setForm({ ...form, resource: e.target.value })} required aria-invalid={!!error?.at('/resource')} aria-describedby="resource-help" />
      </label>
      <span id="resource-help" className="muted">e.g. gantry:service:/team-a covers everything under /team-a</span>
      <label>Action
        <select value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value as (typeof ACTIONS)[number] })}>
          {ACTIONS.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </label>
      <button type="submit" disabled={grant.isPending}>Grant</button>
      {error && (
        <p role="alert" className="field-error">
          {error.at('/resource') ?? error.at('/subject/id') ?? error.message}
        </p>
      )}
      {grant.isSuccess && <p role="status">Granted.</p>}
    </form>
  );
}

function CreateUser() {
  const invalidate = useInvalidateIam();
  const [uid, setUid] = useState('');
  const [password, setPassword] = useState('');
  const create = useMutation({ mutationFn: () => rest('PUT', `iam/users/${encodeURIComponent(uid)}`, { password }), onSuccess: invalidate });
  const error = create.error instanceof RestError ? create.error : null;
  return (
    <form className="inline-form" onSubmit={(e) => { e.preventDefault(); create.mutate(); }} aria-labelledby="create-user-title">
      <h3 id="create-user-title">Add a local user</h3>
      <label>New user UID<input value={uid} onChange={(e) => setUid(e.target.value)} required aria-invalid={!!error?.at('/uid')} /></label>
      <label>New user password<input type="password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} aria-invalid={!!error?.at('/password')} /></label>
      <button type="submit" disabled={create.isPending}>Add user</button>
      {error && <p role="alert" className="field-error">{error.at('/uid') ?? error.at('/password') ?? error.message}</p>}
    </form>
  );
}
