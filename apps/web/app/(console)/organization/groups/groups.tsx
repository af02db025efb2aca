'use client';
import Link from 'next/link';
import { useId, useState } from 'react';
import { ConfirmButton } from '../../../../components/iam-confirm';
import { QueryState } from '../../../../components/iam-query-state';
import { useGroups, useIamChange, useUsers, type IamGroup } from '../../../../lib/iam-api';
import { useCan } from '../../../../lib/iam-permissions';
import { rest, RestError } from '../../../../lib/rest';

/**
 * Groups and their members. A grant to a group holds for every member; directory and
 * SSO users' memberships are rewritten from their provider at each sign-in, so the
 * provider stays the source of truth for them.
 */
export function Groups() {
  const can = useCan();
  const mayRead = can('gantry:iam', 'read');
  const groups = useGroups(mayRead);
  const users = useUsers(mayRead);
  const listId = useId();
  if (!mayRead) return <div className="empty" role="status"><p>You may not see groups: managing identities needs read on gantry:iam.</p></div>;
  if (groups.isError) return <QueryState error={groups.error} what="groups" retry={() => void groups.refetch()} />;
  return (
    <div className="org">
      <section aria-labelledby="groups-title">
        <h2 id="groups-title">Groups</h2>
        <datalist id={listId}>{users.data?.users.map((u) => <option key={u.uid} value={u.uid} />)}</datalist>
        <table>
          <thead><tr><th scope="col">Group</th><th scope="col">Members</th><th scope="col">Description</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {groups.data?.groups.map((g) => (
              <tr key={g.gid}>
                <th scope="row">{g.gid}</th>
                <td>
                  {g.members.map((m) => <Member key={m} group={g.gid} uid={m} removable={can('gantry:iam', 'update')} />)}
                  {can('gantry:iam', 'update') && <AddMember group={g} usersList={listId} />}
                </td>
                <td>{g.description}</td>
                <td>
                  <Link href={`/organization/permissions?subject=GROUP:${encodeURIComponent(g.gid)}`} aria-label={`Permissions of group ${g.gid}`}>Permissions</Link>{' '}
                  {can('gantry:iam', 'delete') && <DeleteGroup gid={g.gid} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {groups.data?.groups.length === 0 && <p className="muted">No groups yet.</p>}
        {can('gantry:iam', 'create') && <CreateGroup />}
      </section>
    </div>
  );
}

function Member({ group, uid, removable }: { group: string; uid: string; removable: boolean }) {
  const remove = useIamChange(() => rest('DELETE', `iam/groups/${encodeURIComponent(group)}/users/${encodeURIComponent(uid)}`));
  return (
    <span className="chip">
      {uid}
      {removable && (
        <button type="button" onClick={() => remove.mutate()} disabled={remove.isPending} aria-label={`Remove ${uid} from ${group}`} style={{ marginLeft: 4, padding: '0 4px' }}>×</button>
      )}
      {remove.error && <span role="alert" className="field-error"> {remove.error.message}</span>}
    </span>
  );
}

function AddMember({ group, usersList }: { group: IamGroup; usersList: string }) {
  const [uid, setUid] = useState('');
  const add = useIamChange(() => rest('PUT', `iam/groups/${encodeURIComponent(group.gid)}/users/${encodeURIComponent(uid)}`));
  return (
    <form
      className="confirm"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate(undefined, { onSuccess: () => setUid('') });
      }}
    >
      <input aria-label={`User to add to ${group.gid}`} list={usersList} value={uid} onChange={(e) => setUid(e.target.value)} required size={12} />
      <button type="submit" disabled={add.isPending} aria-label={`Add member to ${group.gid}`}>Add</button>
      {add.error && <span role="alert" className="field-error">{add.error.message}</span>}
    </form>
  );
}

function DeleteGroup({ gid }: { gid: string }) {
  const remove = useIamChange(() => rest('DELETE', `iam/groups/${encodeURIComponent(gid)}`));
  return (
    <ConfirmButton
      text="Delete" label={`Delete group ${gid}`} confirmLabel={`Confirm deleting group ${gid}`}
      onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error?.message ?? null}
    />
  );
}

function CreateGroup() {
  const [form, setForm] = useState({ gid: '', description: '' });
  const create = useIamChange(() => rest('PUT', `iam/groups/${encodeURIComponent(form.gid)}`, { description: form.description }));
  const error = create.error instanceof RestError ? create.error : null;
  return (
    <form
      className="inline-form"
      aria-labelledby="create-group-title"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate(undefined, { onSuccess: () => setForm({ gid: '', description: '' }) });
      }}
    >
      <h3 id="create-group-title">Add a group</h3>
      <label>New group ID<input value={form.gid} onChange={(e) => setForm({ ...form, gid: e.target.value })} required aria-invalid={!!error?.at('/gid')} /></label>
      <label>Description<input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} /></label>
      <button type="submit" disabled={create.isPending}>Add group</button>
      {error && <p role="alert" className="field-error">{error.at('/gid') ?? error.message}</p>}
    </form>
  );
}
