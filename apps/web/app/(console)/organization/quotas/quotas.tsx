'use client';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ConfirmButton } from '../../../../components/iam-confirm';
import { QueryState } from '../../../../components/iam-query-state';
import styles from '../../../../components/iam.module.css';
import { iamKeys, useIamChange, type QuotaKind, type QuotaView } from '../../../../lib/iam-api';
import { useCan } from '../../../../lib/iam-permissions';
import { rest, RestError } from '../../../../lib/rest';

const KINDS: readonly { kind: QuotaKind; label: string; unit: string }[] = [
  { kind: 'cpus', label: 'CPUs', unit: 'cpus' },
  { kind: 'mem', label: 'Memory', unit: 'MiB' },
  { kind: 'disk', label: 'Disk', unit: 'MiB' },
  { kind: 'instances', label: 'Instances', unit: 'instances' },
];

const round = (n: number) => Number(n.toFixed(3));

/**
 * Quotas per top-level group: what the group's apps want together against its limits.
 * A deployment that would go past a limit is refused when it is submitted, saying
 * which. Members see their own group's; operators (update on gantry:quota) set them.
 */
export function Quotas() {
  const quotas = useQuery({ queryKey: iamKeys.quotas, queryFn: () => rest<{ quotas: QuotaView[]; mayUpdate: boolean }>('GET', 'quotas') });
  const can = useCan();
  if (quotas.isError) return <QueryState error={quotas.error} what="quotas" retry={() => void quotas.refetch()} />;
  if (quotas.isPending) return <p className="muted" role="status">Loading…</p>;
  const { quotas: rows } = quotas.data;
  return (
    <div className="org">
      <section aria-labelledby="quotas-title">
        <h2 id="quotas-title">Quotas</h2>
        <p className="muted">Each top-level group is a tenant and runs under the scheduler role of its name. Limits count what its apps want: instances × resources.</p>
        <table>
          <thead>
            <tr><th scope="col">Group</th>{KINDS.map((k) => <th key={k.kind} scope="col" className="num">{k.label}</th>)}<th scope="col"><span className="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {rows.map((q) => <QuotaRow key={q.group} quota={q} editable={can(`gantry:quota:/${q.group}`, 'update')} removable={can(`gantry:quota:/${q.group}`, 'delete') && Object.keys(q.limits).length > 0} />)}
          </tbody>
        </table>
        {rows.length === 0 && <p className="muted">No top-level group you may see has apps or a quota.</p>}
        {can('gantry:quota', 'update') && <SetQuota group="" />}
      </section>
    </div>
  );
}

function QuotaRow({ quota, editable, removable }: { quota: QuotaView; editable: boolean; removable: boolean }) {
  const [editing, setEditing] = useState(false);
  const remove = useIamChange(() => rest('DELETE', `quotas/${encodeURIComponent(quota.group)}`));
  return (
    <>
      <tr>
        <th scope="row">/{quota.group}</th>
        {KINDS.map(({ kind, unit }) => {
          const limit = quota.limits[kind];
          const wanted = round(quota.wanted[kind]);
          return (
            <td key={kind} className="num" aria-label={`${kind} of /${quota.group}`}>
              <span className={limit !== undefined && wanted > limit ? styles.over : undefined}>{wanted}</span>
              {' of '}{limit === undefined ? 'unlimited' : `${limit}`} <span className="muted">{unit}</span>
            </td>
          );
        })}
        <td>
          <span className={styles.actions}>
            {editable && <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing} aria-label={`Edit the quota of /${quota.group}`}>Edit</button>}
            {removable && (
              <ConfirmButton
                text="Remove" label={`Remove the quota of /${quota.group}`} confirmLabel={`Confirm removing the quota of /${quota.group}`}
                onConfirm={() => remove.mutate()} pending={remove.isPending} error={remove.error?.message ?? null}
              />
            )}
          </span>
        </td>
      </tr>
      {editing && (
        <tr>
          <td colSpan={KINDS.length + 2}><SetQuota group={quota.group} initial={quota.limits} onDone={() => setEditing(false)} /></td>
        </tr>
      )}
    </>
  );
}

function SetQuota({ group, initial = {}, onDone }: { group: string; initial?: QuotaView['limits']; onDone?: () => void }) {
  const [name, setName] = useState(group);
  const [values, setValues] = useState<Record<QuotaKind, string>>({
    cpus: initial.cpus?.toString() ?? '', mem: initial.mem?.toString() ?? '', disk: initial.disk?.toString() ?? '', instances: initial.instances?.toString() ?? '',
  });
  const save = useIamChange(() => {
    // An empty field is no limit; the API replaces every limit at once.
    const limits = Object.fromEntries(KINDS.flatMap(({ kind }) => (values[kind].trim() === '' ? [] : [[kind, Number(values[kind])]])));
    return rest('PUT', `quotas/${encodeURIComponent(name)}`, limits);
  });
  const error = save.error instanceof RestError ? save.error : null;
  const title = group ? `Quota of /${group}` : 'Set the quota of a group';
  return (
    <form
      className="inline-form"
      aria-label={title}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate(undefined, { onSuccess: () => onDone?.() });
      }}
    >
      <h3>{title}</h3>
      {!group && <label>Top-level group<input value={name} onChange={(e) => setName(e.target.value)} required placeholder="team-a" aria-invalid={!!error?.at('/group')} /></label>}
      {KINDS.map(({ kind, label, unit }) => (
        <label key={kind}>{label} limit ({unit})
          <input
            type="number" min={0} step={kind === 'instances' ? 1 : 'any'} value={values[kind]} placeholder="unlimited"
            onChange={(e) => setValues({ ...values, [kind]: e.target.value })} aria-invalid={!!error?.at(`/${kind}`)}
          />
        </label>
      ))}
      <button type="submit" disabled={save.isPending}>Save quota</button>
      {error && <p role="alert" className="field-error">{error.error.details?.map((d) => `${d.path.slice(1) || 'quota'}: ${d.errors.join('; ')}`).join(' · ') || error.message}</p>}
      {save.isSuccess && !group && <p role="status">Saved.</p>}
    </form>
  );
}
