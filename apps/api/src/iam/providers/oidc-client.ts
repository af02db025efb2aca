import type { OidcConfig } from '@gantry/specs';
import * as oidc from 'openid-client';

/**
 * The edge to an OpenID provider (openid-client 6): authorization code flow with PKCE
 * (S256). The verifier stays on the server (sso_flows); the browser only carries the
 * challenge and the state.
 */

// The start endpoint is public: without a cache every call would be a request to the
// IdP (an amplifier). One discovery per provider config a minute; failures are not kept.
const DISCOVERY_TTL_MS = 60_000;
const discovered = new Map<string, { at: number; client: Promise<oidc.Configuration> }>();

function discover(config: OidcConfig): Promise<oidc.Configuration> {
  const key = JSON.stringify(config);
  const cached = discovered.get(key);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.client;
  const client = discoverNow(config);
  discovered.set(key, { at: Date.now(), client });
  client.catch(() => discovered.delete(key));
  return client;
}

async function discoverNow(config: OidcConfig): Promise<oidc.Configuration> {
  const auth = config.clientSecret ? oidc.ClientSecretPost(config.clientSecret) : oidc.None();
  // openid-client refuses plain-http issuers unless told: allowed only for http issuers
  // an administrator configured explicitly (a local IdP in tests and development).
  const execute = config.issuer.startsWith('http:') ? [oidc.allowInsecureRequests] : [];
  return oidc.discovery(new URL(config.issuer), config.clientId, undefined, auth, { execute, timeout: 10 });
}

export async function oidcAuthorizationUrl(config: OidcConfig, redirectUri: string, state: string): Promise<{ url: string; verifier: string }> {
  const client = await discover(config);
  const verifier = oidc.randomPKCECodeVerifier();
  const url = oidc.buildAuthorizationUrl(client, {
    redirect_uri: redirectUri,
    scope: config.scopes,
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  });
  return { url: url.href, verifier };
}

/**
 * Redeems the code at the token endpoint (state and PKCE checked, ID token verified)
 * and returns the user's claims: the userinfo endpoint's, overlaid by the ID token's.
 */
export async function oidcRedeem(config: OidcConfig, callbackUrl: URL, state: string, verifier: string): Promise<Record<string, unknown>> {
  const client = await discover(config);
  const tokens = await oidc.authorizationCodeGrant(client, callbackUrl, { pkceCodeVerifier: verifier, expectedState: state });
  const idClaims = tokens.claims();
  if (!idClaims) throw new Error('the identity provider returned no ID token');
  const userinfo = client.serverMetadata().userinfo_endpoint
    ? await oidc.fetchUserInfo(client, tokens.access_token, idClaims.sub)
    : {};
  return { ...userinfo, ...idClaims };
}
