'use client';
import Link from 'next/link';
import { useState } from 'react';
import { ConfirmButton } from '../../../../components/iam-confirm';
import { QueryState } from '../../../../components/iam-query-state';
import styles from '../../../../components/iam.module.css';
import { useIamChange, useUsers, type IamUser } from '../../../../lib/iam-api';
import { useCan } from '../../../../lib/iam-permissions';
import { rest, RestError } from '../../../../lib/rest';

/**
 * Service accounts, as in DC/OS: a program logs in with `{uid, token}`, the token a
 * short-lived JWT it signs with its RSA private key; Gantry keeps only the public key.
 * Rotating a key is replacing it here (tokens already issued stay valid until expiry).
 */
export function ServiceAccounts() {
  const can = useCan();
  const mayRead = can('gantry:iam', 'read');
  const users = useUsers(mayRead);
  if (!mayRead) return <div className="empty" role="status"><p>You may not see service accounts: managing identities needs read on gantry:iam.</p></div>;
  if (users.isError) return <QueryState error={users.error} what="service accounts" retry={() => void users.refetch()} />;
  const accounts = users.data?.users.filter((u) => u.kind === 'service') ?? [];
  return (
    <div className="org">
      <section aria-labelledby="accounts-title">
        <h2 id="accounts-title">Service accounts</h2>
        <table>
          <thead><tr><th scope="col">UID</th><th scope="col">Description</th><th scope="col">Groups</th><th scope="col">Created</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.uid}>
                <th scope="row">{a.uid}</th>
                <td>{a.description}</td>
                <td>{a.groups.map((g) => <span key={g} className="chip">{g}</span>)}</td>
                <td><time dateTime={a.createdAt}>{new Date(a.createdAt).toLocaleString()}</time></td>
                <td>
                  <Link href={`/organization/permissions?subject=USER:${encodeURIComponent(a.uid)}`} aria-label={`Permissions of ${a.uid}`}>Permissions</Link>{' '}
                  {can('gantry:iam', 'delete') && <DeleteAccount account={a} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {accounts.length === 0 && users.isSuccess && <p className="muted">No service accounts yet.</p>}
        {can('gantry:iam', 'create') && <PutAccount />}
      </section>
    </div>
  );
}

function DeleteAccount({ account }: { account: IamUser }) {
  const remove = useIamChange(() => rest('DELETE', `iam/users/${encodeURIComponent(account.uid)}`));
  return (
    <ConfirmButton
      text="Delete" label={`Delete service account ${account.uid}`} confirmLabel={`Confirm deleting service account ${account.uid}`}
      onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error?.message ?? null}
    />
  );
}

function PutAccount() {
  const [form, setForm] = useState({ uid: '', description: '', publicKey: '' });
  const put = useIamChange(() => rest<{ result: 'created' | 'updated' }>('PUT', `iam/service-accounts/${encodeURIComponent(form.uid)}`, { description: form.description, publicKey: form.publicKey }));
  const error = put.error instanceof RestError ? put.error : null;
  return (
    <form
      className="inline-form"
      aria-labelledby="put-account-title"
      onSubmit={(e) => {
        e.preventDefault();
        put.mutate(undefined, { onSuccess: () => setForm({ uid: '', description: '', publicKey: '' }) });
      }}
    >
      <h3 id="put-account-title">Add a service account, or replace its key</h3>
      <label>Service account UID<input value={form.uid} onChange={(e) => setForm({ ...form, uid: e.target.value })} required aria-invalid={!!error?.at('/uid')} /></label>
      <label>Description<input value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} /></label>
      <label className={styles.wide}>Public key (PEM)
        <textarea
          className={styles.textarea} value={form.publicKey} onChange={(e) => setForm({ ...form, publicKey: e.target.value })} required
          aria-invalid={!!error?.at('/publicKey')} placeholder="-----BEGIN PUBLIC KEY-----" spellCheck={false}
        />
      </label>
      <p className={styles.hint}>Make a key pair with <code>openssl genpkey -algorithm RSA -out key.pem</code> and its public half with <code>openssl rsa -in key.pem -pubout</code>. Only the public key is sent.</p>
      <button type="submit" disabled={put.isPending}>Save service account</button>
      {error && <p role="alert" className="field-error">{error.at('/publicKey') ?? error.at('/uid') ?? error.message}</p>}
      {put.isSuccess && <p role="status">{put.data.result === 'created' ? 'Added.' : 'Key replaced.'}</p>}
    </form>
  );
}
