'use client';
import { authorize, type Action, type Grant } from '@gantry/auth/grants';
import { useQuery } from '@tanstack/react-query';
import { rest } from './rest';

/**
 * What the signed-in user holds, for hiding what it may not do. The API decides every
 * request anyway (the console relays with the user's token); this only spares showing
 * buttons that would be refused. The check is packages/auth's own `authorize()`, the
 * one the API runs, so the console and the API never disagree about the grammar.
 *
 * Use: `const can = useCan(); {can('gantry:service:/team-a', 'create') && <button…>}`.
 * Until the answer is known `can` says false: hide first, show once allowed.
 */
export interface Principal {
  uid: string;
  kind: 'user' | 'service';
  groups: string[];
  grants: Grant[];
  expiresAt: string;
}

/** Under `['iam']`, so every IAM change the console makes refetches it too (a grant to oneself shows at once). */
export const principalQuery = {
  queryKey: ['iam', 'whoami'] as const,
  queryFn: () => rest<Principal>('GET', 'auth/whoami'),
  staleTime: 60_000,
};

export function usePrincipal() {
  return useQuery(principalQuery);
}

export type Can = (resource: string, action: Action) => boolean;

export function canWith(principal: Principal | undefined): Can {
  return (resource, action) => !!principal && authorize(principal.grants, { resource, action }).allowed;
}

export function useCan(): Can {
  return canWith(usePrincipal().data);
}
