import { PROVIDER_SECRETS, type IdentityProviderInput, type IdentityProviderView } from '@gantry/specs';
import type { StoredProvider } from './repository.js';

/** A provider as the API shows it: every secret removed, only whether it is set. */
export function providerView(provider: StoredProvider): IdentityProviderView {
  const config = { ...(provider.config as Record<string, unknown>) };
  const secretsSet: string[] = [];
  for (const name of PROVIDER_SECRETS[provider.kind]) {
    if (typeof config[name] === 'string' && config[name] !== '') secretsSet.push(name);
    delete config[name];
  }
  return { id: provider.id, kind: provider.kind, displayName: provider.displayName, config, secretsSet };
}

/**
 * The config to store on an update. Views never carry secrets, so an update that
 * leaves a secret out keeps the stored one (when the kind is unchanged); an empty
 * string clears it.
 */
export function mergeSecrets(input: IdentityProviderInput, stored: StoredProvider): Record<string, unknown> {
  const config: Record<string, unknown> = { ...input.config };
  if (stored.kind !== input.kind) return config;
  const previous = stored.config as Record<string, unknown>;
  for (const name of PROVIDER_SECRETS[input.kind]) {
    if (config[name] === undefined && typeof previous[name] === 'string') config[name] = previous[name];
    if (config[name] === '') delete config[name];
  }
  return config;
}
