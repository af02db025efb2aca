'use client';
import Link from 'next/link';
import { useState } from 'react';
import { QueryState } from '../../../components/iam-query-state';
import { ConfirmButton } from '../../../components/iam-confirm';
import { useIamChange, useUsers, type IamUser } from '../../../lib/iam-api';
import { useCan, usePrincipal } from '../../../lib/iam-permissions';
import { rest, RestError } from '../../../lib/rest';
import { YourPermissions } from './your-permissions';

/**
 * People who may sign in: local users (argon2id passwords) and those that directory and
 * single sign-on providers bring (their groups come from the provider at each sign-in).
 * Service accounts have a page of their own. Every change goes through the API as the
 * signed-in user; what they may not do is not offered, and what the API refuses is
 * shown where it happened.
 */
export function Users() {
  const can = useCan();
  const me = usePrincipal();
  const mayRead = can('gantry:iam', 'read');
  const users = useUsers(mayRead);
  if (me.isPending) return <p className="muted" role="status">Loading…</p>;
  if (!mayRead) return <YourPermissions />;
  if (users.isError) return <QueryState error={users.error} what="users" retry={() => void users.refetch()} />;
  const people = users.data?.users.filter((u) => u.kind === 'user') ?? [];
  return (
    <div className="org">
      <section aria-labelledby="users-title">
        <h2 id="users-title">Users</h2>
        <table>
          <thead>
            <tr><th scope="col">UID</th><th scope="col">Source</th><th scope="col">Groups</th><th scope="col">Description</th><th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {people.map((u) => (
              <tr key={u.uid}>
                <th scope="row">{u.uid}</th>
                <td>{u.provider.toLowerCase()}</td>
                <td>{u.groups.map((g) => <span key={g} className="chip">{g}</span>)}</td>
                <td>{u.description}</td>
                <td>
                  <Link href={`/organization/permissions?subject=USER:${encodeURIComponent(u.uid)}`} aria-label={`Permissions of ${u.uid}`}>Permissions</Link>{' '}
                  {can('gantry:iam', 'delete') && u.uid !== me.data?.uid && <DeleteUser user={u} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {people.length === 0 && users.isSuccess && <p className="muted">No users yet.</p>}
        {can('gantry:iam', 'create') && <CreateUser />}
      </section>
      <YourPermissions />
    </div>
  );
}

function DeleteUser({ user }: { user: IamUser }) {
  const remove = useIamChange(() => rest('DELETE', `iam/users/${encodeURIComponent(user.uid)}`));
  return (
    <ConfirmButton
      text="Delete" label={`Delete user ${user.uid}`} confirmLabel={`Confirm deleting user ${user.uid}`}
      onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error?.message ?? null}
    />
  );
}

function CreateUser() {
  const [form, setForm] = useState({ uid: '', password: '', description: '' });
  const create = useIamChange(() => rest('PUT', `iam/users/${encodeURIComponent(form.uid)}`, { password: form.password, description: form.description }));
  const error = create.error instanceof RestError ? create.error : null;
  return (
    <form
      className="inline-form"
      aria-labelledby="create-user-title"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(undefined, { onSuccess: () => setForm({ uid: '', password: '', description: '' }) });
      }}
    >
      <h3 id="create-user-title">Add a local user</h3>
      <label>New user UID<input value={form.uid} onChange={(e) => setForm({ ...form, uid: e.target.value })} required aria-invalid={!!error?.at('/uid')} /></label>
      <label>New user password<input type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} required minLength={8} aria-invalid={!!error?.at('/password')} /></label>
      <label>Description<input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} /></label>
      <button type="submit" disabled={create.isPending}>Add user</button>
      {error && <p role="alert" className="field-error">{error.at('/uid') ?? error.at('/password') ?? error.message}</p>}
      {create.isSuccess && <p role="status">Added.</p>}
    </form>
  );
}
