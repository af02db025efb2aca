'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { rest } from './rest';

/** The IAM API's shapes and queries, as the Organization and Settings pages use them. */

export interface IamUser { uid: string; kind: 'user' | 'service'; provider: 'LOCAL' | 'LDAP' | 'OIDC' | 'SAML' | 'SERVICE'; groups: string[]; description: string; createdAt: string }
export interface IamGroup { gid: string; members: string[]; description: string }
export interface IamSubject { kind: 'USER' | 'GROUP'; id: string }
export interface IamGrant { subject: IamSubject; resource: string; action: string }
export interface AuditEntry { id: string; at: string; actor: string | null; source: string; action: string; target: string | null; outcome: 'allowed' | 'denied' | 'failed'; status: number }
export type QuotaKind = 'cpus' | 'mem' | 'disk' | 'instances';
export interface QuotaView { group: string; limits: Partial<Record<QuotaKind, number>>; wanted: Record<QuotaKind, number>; updatedAt: string | null; updatedBy: string | null }

export const iamKeys = {
  users: ['iam', 'users'] as const,
  groups: ['iam', 'groups'] as const,
  grants: ['iam', 'grants'] as const,
  providers: ['iam', 'providers'] as const,
  quotas: ['iam', 'quotas'] as const,
};

export function useUsers(enabled = true) {
  return useQuery({ queryKey: iamKeys.users, queryFn: () => rest<{ users: IamUser[] }>('GET', 'iam/users'), enabled });
}

export function useGroups(enabled = true) {
  return useQuery({ queryKey: iamKeys.groups, queryFn: () => rest<{ groups: IamGroup[] }>('GET', 'iam/groups'), enabled });
}

export function useGrants(enabled = true) {
  return useQuery({ queryKey: iamKeys.grants, queryFn: () => rest<{ grants: IamGrant[] }>('GET', 'iam/grants'), enabled });
}

/** A change through the API; on success every IAM query (whoami included) is read again. */
export function useIamChange<T = void, R = unknown>(change: (input: T) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: change, onSuccess: () => queryClient.invalidateQueries({ queryKey: ['iam'] }) });
}
