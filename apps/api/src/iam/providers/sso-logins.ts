import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OidcConfig, SamlConfig, type SsoProviderSummary } from '@gantry/specs';
import type { Authenticator } from '../authenticator.js';
import { mapIdentity } from './external-identity.js';
import { oidcAuthorizationUrl, oidcRedeem } from './oidc-client.js';
import type { ProviderRepository, StoredProvider } from './repository.js';
import { samlAuthorizeUrl, samlMetadata, samlValidate, type SpEndpoints } from './saml-client.js';

/**
 * Browser single sign-on through OIDC and SAML, with the API as the one identity
 * authority:
 *
 *   console server ─POST start {binding}─► API ─► {redirectUrl} ─► browser ─► IdP
 *   IdP ─► browser ─► API callback/ACS (state → flow, verified) ─► user + groups synced
 *   API ─302─► console /sso/callback?code=… ─► console server POST exchange {code, binding} ─► token
 *
 * The Gantry token never travels in a URL: the browser carries a one-time code that
 * works once, for a minute, and only together with the binding secret that sits in
 * the browser's HttpOnly cookie on the console (its hash was given at start). A code
 * that leaks (history, Referer, a crafted link) is useless elsewhere, and a victim
 * cannot be signed in as an attacker with the attacker's code (login CSRF).
 */

const FLOW_TTL_MS = 10 * 60 * 1000; // time to sign in at the IdP
const HANDOFF_TTL_MS = 60 * 1000; // the console exchanges the code at once

/** Why a login failed, as the console's sign-in page names it (`/login?error=1&code=…`). */
export type SsoFailure = 'sso_expired' | 'sso_denied' | 'sso_user' | 'sso_unavailable';

export type SsoStart = { ok: true; redirectUrl: string } | { ok: false; status: 404 | 503; message: string };

const hash = (value: string) => createHash('sha256').update(value).digest('base64url');
const secret = () => randomBytes(32).toString('base64url');

export class SsoLogins {
  constructor(
    private readonly providers: ProviderRepository,
    private readonly auth: Pick<Authenticator, 'issue'>,
    private readonly now: () => Date,
    private readonly urls: {
      /** Where browsers reach this API (the IdP sends them back here); known once it listens. */
      api: () => string;
      /** Where browsers reach the console (logins end there): configured, never taken from a request. */
      console: string;
    },
  ) {}

  /** The sign-in page's buttons: ids and names only. */
  async summaries(): Promise<SsoProviderSummary[]> {
    const all = await this.providers.list();
    return all.flatMap((p) => (p.kind === 'LDAP' ? [] : [{ id: p.id, kind: p.kind, displayName: p.displayName }]));
  }

  async start(providerId: string, bindingHash: string): Promise<SsoStart> {
    const provider = await this.providers.get(providerId);
    if (!provider || provider.kind === 'LDAP') return { ok: false, status: 404, message: `no single sign-on provider "${providerId}"` };
    const state = secret();
    try {
      const { url, verifier } = provider.kind === 'OIDC'
        ? await oidcAuthorizationUrl(OidcConfig.parse(provider.config), this.oidcCallbackUrl(provider.id), state)
        : await samlAuthorizeUrl(SamlConfig.parse(provider.config), this.spEndpoints(provider.id), state).then((r) => ({ url: r.url, verifier: r.requestId }));
      const now = this.now();
      await this.providers.startFlow({ state, providerId, bindingHash, verifier, expiresAt: new Date(now.getTime() + FLOW_TTL_MS) }, now);
      return { ok: true, redirectUrl: url };
    } catch (error) {
      console.error(`SSO provider ${provider.id}: cannot start a login: ${(error as Error).message}`);
      return { ok: false, status: 503, message: `the identity provider "${provider.displayName}" is unavailable` };
    }
  }

  /** The OIDC redirect back; returns where to send the browser on the console. */
  async oidcCallback(providerId: string, callbackUrl: URL): Promise<string> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    return this.finish(providerId, state, 'OIDC', async (provider, flow) => {
      const config = OidcConfig.parse(provider.config);
      const claims = await oidcRedeem(config, callbackUrl, state, flow.verifier);
      return mapIdentity(claims, config);
    });
  }

  /** The SAML response POSTed to the ACS; returns where to send the browser on the console. */
  async samlAcs(providerId: string, form: Record<string, string>): Promise<string> {
    return this.finish(providerId, form.RelayState ?? '', 'SAML', async (provider, flow) => {
      const config = SamlConfig.parse(provider.config);
      const claims = await samlValidate(config, this.spEndpoints(provider.id), flow.verifier, form);
      return mapIdentity(claims, { uidClaim: config.uidAttribute ?? 'nameID', groupsClaim: config.groupsAttribute });
    });
  }

  async metadata(providerId: string): Promise<string | null> {
    const provider = await this.providers.get(providerId);
    if (provider?.kind !== 'SAML') return null;
    return samlMetadata(SamlConfig.parse(provider.config), this.spEndpoints(provider.id));
  }

  /** The console's server trades a one-time code and the browser's binding for a token. */
  async exchange(code: string, binding: string): Promise<{ uid: string; token: string } | null> {
    const handoff = await this.providers.takeHandoff(hash(code), this.now());
    if (!handoff || !timingSafeEqual(Buffer.from(handoff.bindingHash), Buffer.from(hash(binding)))) return null;
    return { uid: handoff.uid, token: await this.auth.issue(handoff.uid, 'user') };
  }

  private async finish(
    providerId: string,
    state: string,
    kind: 'OIDC' | 'SAML',
    verify: (provider: StoredProvider, flow: { verifier: string }) => Promise<ReturnType<typeof mapIdentity>>,
  ): Promise<string> {
    const now = this.now();
    const flow = state ? await this.providers.takeFlow(state, now) : null;
    if (!flow || flow.providerId !== providerId) return this.failed('sso_expired');
    const provider = await this.providers.get(providerId);
    if (provider?.kind !== kind) return this.failed('sso_expired');
    let identity;
    try {
      identity = await verify(provider, flow);
    } catch (error) {
      // The IdP's answer did not verify (signature, audience, state, PKCE…) or the IdP was unreachable.
      console.error(`SSO provider ${provider.id}: login refused: ${(error as Error).message}`);
      return this.failed('sso_denied');
    }
    if (!identity.ok) {
      console.error(`SSO provider ${provider.id}: ${identity.reason}`);
      return this.failed('sso_user');
    }
    const synced = await this.providers.syncExternalUser(identity.uid, kind, identity.groups, `from ${provider.displayName}`);
    if (!synced.ok) {
      console.error(`SSO provider ${provider.id}: ${synced.reason}`);
      return this.failed('sso_user');
    }
    const code = secret();
    await this.providers.addHandoff({ codeHash: hash(code), uid: identity.uid, bindingHash: flow.bindingHash, expiresAt: new Date(now.getTime() + HANDOFF_TTL_MS) }, now);
    return `${this.urls.console}/sso/callback?code=${encodeURIComponent(code)}`;
  }

  private failed(reason: SsoFailure): string {
    return `${this.urls.console}/login?error=1&code=${reason}`;
  }

  oidcCallbackUrl(providerId: string): string {
    return `${this.urls.api()}/v1/auth/oidc/${encodeURIComponent(providerId)}/callback`;
  }

  spEndpoints(providerId: string): SpEndpoints {
    const base = `${this.urls.api()}/v1/auth/saml/${encodeURIComponent(providerId)}`;
    return { entityId: `${base}/metadata`, acsUrl: `${base}/acs` };
  }
}
