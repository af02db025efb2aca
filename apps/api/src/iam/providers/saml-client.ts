import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import type { SamlConfig } from '@gantry/specs';

/**
 * The edge to a SAML identity provider (@node-saml/node-saml 5) as a service provider:
 * SP-initiated login over HTTP-Redirect, the response POSTed to our ACS. Both the
 * response and its assertion must be signed by the configured IdP certificate.
 */

export interface SpEndpoints {
  entityId: string;
  acsUrl: string;
}

/**
 * node-saml remembers AuthnRequest ids in a cache to check InResponseTo. Ours lives in
 * Postgres (sso_flows.verifier) so any API replica can receive the response: this
 * per-request cache only knows the one id the flow expects.
 */
function oneRequestCache(expectedId: string | null, onSave: (id: string) => void): CacheProvider {
  return {
    saveAsync: async (key, value) => {
      onSave(key);
      return { value, createdAt: Date.now() };
    },
    // node-saml reads the value as the request's creation time and applies its own expiry;
    // ours already applied (takeFlow refuses expired flows), so the id counts as fresh.
    getAsync: async (key) => (expectedId !== null && key === expectedId ? new Date().toISOString() : null),
    removeAsync: async (key) => key,
  } as CacheProvider;
}

function sp(config: SamlConfig, endpoints: SpEndpoints, cacheProvider: CacheProvider): SAML {
  return new SAML({
    entryPoint: config.entryPoint,
    issuer: endpoints.entityId,
    callbackUrl: endpoints.acsUrl,
    audience: endpoints.entityId,
    idpCert: config.idpCertificate,
    ...(config.idpIssuer ? { idpIssuer: config.idpIssuer } : {}),
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: true,
    validateInResponseTo: ValidateInResponseTo.always,
    cacheProvider,
    disableRequestedAuthnContext: true,
  });
}

export async function samlAuthorizeUrl(config: SamlConfig, endpoints: SpEndpoints, relayState: string): Promise<{ url: string; requestId: string }> {
  let requestId = '';
  const saml = sp(config, endpoints, oneRequestCache(null, (id) => (requestId = id)));
  const url = await saml.getAuthorizeUrlAsync(relayState, undefined, {});
  if (!requestId) throw new Error('node-saml made no AuthnRequest id');
  return { url, requestId };
}

/** Validates a POSTed SAMLResponse (signatures, audience, times, InResponseTo) → attributes, NameID included. */
export async function samlValidate(config: SamlConfig, endpoints: SpEndpoints, requestId: string, form: Record<string, string>): Promise<Record<string, unknown>> {
  const saml = sp(config, endpoints, oneRequestCache(requestId, () => undefined));
  const { profile } = await saml.validatePostResponseAsync(form);
  if (!profile) throw new Error('the SAML response carried no assertion');
  // node-saml puts each attribute on the profile beside nameID (and the XML getters).
  const { getAssertionXml: _x, getAssertion: _a, getSamlResponseXml: _r, ...claims } = profile;
  return claims;
}

export function samlMetadata(config: SamlConfig, endpoints: SpEndpoints): string {
  return sp(config, endpoints, oneRequestCache(null, () => undefined)).generateServiceProviderMetadata(null, null);
}
