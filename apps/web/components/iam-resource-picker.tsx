'use client';
import type { ResourceKind } from '@gantry/auth/grants';
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { rest } from '../lib/rest';
import { Field } from './iam-field';

export interface ResourceCatalog {
  kinds: ResourceKind[];
  serviceGroups: string[];
}

export const resourceCatalogQuery = {
  queryKey: ['iam', 'resources'] as const,
  queryFn: () => rest<ResourceCatalog>('GET', 'iam/resources'),
  staleTime: 60_000,
};

/** The kind a resource string is of: the longest kind that is a prefix of it on a `:` boundary. */
export function kindOf(kinds: readonly ResourceKind[], resource: string): ResourceKind | undefined {
  return [...kinds]
    .sort((a, b) => b.resource.length - a.resource.length)
    .find((k) => resource === k.resource || resource.startsWith(`${k.resource}:`));
}

/**
 * Picks a resource to grant: a kind from the API's catalog (every resource an endpoint
 * checks), and for kinds with a path, a service group from those that exist (or any
 * path typed). The resulting string stays editable in "Resource", which is what is
 * sent; the API checks its grammar and refuses a bad one at the field.
 */
export function ResourcePicker({ value, onChange, error }: { value: string; onChange: (resource: string) => void; error?: string | undefined }) {
  const catalog = useQuery(resourceCatalogQuery);
  const groupsId = useId();
  const kinds = catalog.data?.kinds ?? [];
  const kind = kindOf(kinds, value);
  const path = kind?.path && value.startsWith(`${kind.resource}:`) ? value.slice(kind.resource.length + 1) : '';
  return (
    <>
      <Field label="Resource kind" hint={kind?.what}>
        {(control) => (
          <select
            {...control}
            value={kind?.resource ?? ''}
            onChange={(e) => {
              const next = kinds.find((k) => k.resource === e.target.value);
              if (next) onChange(next.path ? `${next.resource}:${path || '/'}` : next.resource);
            }}
          >
            {!kind && <option value="">(typed below)</option>}
            {kinds.map((k) => <option key={k.resource} value={k.resource}>{k.resource}</option>)}
          </select>
        )}
      </Field>
      {kind?.path && (
        <Field label="Path">
          {(control) => (
            <>
              <input {...control} value={path} list={groupsId} placeholder="/team-a" onChange={(e) => onChange(`${kind.resource}:${e.target.value}`)} />
              <datalist id={groupsId}>
                <option value="/">every group</option>
                {catalog.data?.serviceGroups.map((g) => <option key={g} value={g} />)}
              </datalist>
            </>
          )}
        </Field>
      )}
      <Field label="Resource" hint="e.g. gantry:service:/team-a covers everything under /team-a">
        {(control) => <input {...control} aria-invalid={!!error} value={value} onChange={(e) => onChange(e.target.value)} required />}
      </Field>
    </>
  );
}
