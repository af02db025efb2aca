import {
  CreateIdentityProvider, IdentityProviderInput, invalid, LdapConfig, ProviderId, SsoExchangeRequest, SsoStartRequest,
} from '@gantry/specs';
import { readJsonBody } from '../../http/body.js';
import { readFormBody } from '../../http/form-body.js';
import { sendError, sendJson } from '../../http/respond.js';
import type { Route } from '../../http/route.js';
import { ldapCheck } from './ldap-directory.js';
import { mergeSecrets, providerView } from './provider-view.js';
import type { ProviderRepository } from './repository.js';
import type { SsoLogins } from './sso-logins.js';

const PROVIDERS = 'gantry:iam:providers';

/** Administration of identity providers: `gantry:iam:providers` (a grant on `gantry:iam` covers it). */
export function identityProviderRoutes(providers: ProviderRepository, now: () => Date): Route[] {
  const notFound = (id: string) => ({ message: `no identity provider "${id}"` });
  return [
    {
      method: 'GET', path: '/v1/iam/providers', access: { resource: PROVIDERS, action: 'read' },
      handle: async ({ res }) => sendJson(res, 200, (await providers.list()).map(providerView)),
    },
    {
      method: 'POST', path: '/v1/iam/providers', access: { resource: PROVIDERS, action: 'create' },
      handle: async ({ req, res }) => {
        const body = CreateIdentityProvider.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const { id, kind, displayName, config } = body.data;
        if (!(await providers.create({ id, kind, displayName, config }))) return sendError(res, 409, { message: `an identity provider "${id}" exists` });
        sendJson(res, 201, providerView((await providers.get(id))!));
      },
    },
    {
      method: 'GET', path: '/v1/iam/providers/:id', access: { resource: PROVIDERS, action: 'read' },
      handle: async ({ res, params }) => {
        const provider = await providers.get(params.id!);
        return provider ? sendJson(res, 200, providerView(provider)) : sendError(res, 404, notFound(params.id!));
      },
    },
    {
      method: 'PUT', path: '/v1/iam/providers/:id', access: { resource: PROVIDERS, action: 'update' },
      handle: async ({ req, res, params }) => {
        const body = IdentityProviderInput.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const stored = await providers.get(params.id!);
        if (!stored) return sendError(res, 404, notFound(params.id!));
        const updated = { id: stored.id, kind: body.data.kind, displayName: body.data.displayName, config: mergeSecrets(body.data, stored) };
        if (!(await providers.update(updated, now()))) return sendError(res, 404, notFound(params.id!));
        sendJson(res, 200, providerView(updated));
      },
    },
    {
      method: 'DELETE', path: '/v1/iam/providers/:id', access: { resource: PROVIDERS, action: 'delete' },
      handle: async ({ res, params }) => {
        if (!(await providers.delete(params.id!))) return sendError(res, 404, notFound(params.id!));
        res.writeHead(204).end();
      },
    },
    {
      // The console's "test connection" button: bind as the service account, count users.
      method: 'POST', path: '/v1/iam/providers/:id/test', access: { resource: PROVIDERS, action: 'read' },
      handle: async ({ res, params }) => {
        const provider = await providers.get(params.id!);
        if (!provider) return sendError(res, 404, notFound(params.id!));
        if (provider.kind !== 'LDAP') return sendError(res, 422, { message: 'only LDAP providers can be tested; sign in through an SSO provider to test it' });
        const config = LdapConfig.safeParse(provider.config);
        if (!config.success) return sendError(res, 422, invalid(config.error, 'the stored configuration is not valid'));
        const result = await ldapCheck(config.data);
        sendJson(res, 200, result.ok ? { ok: true, message: `connected; ${result.users} user(s) under the user search base` } : result);
      },
    },
  ];
}

/**
 * Single sign-on, reachable before signing in: the sign-in page's buttons, starting a
 * login, the IdP's way back (OIDC callback, SAML ACS), SAML metadata, and the console's
 * exchange of a one-time code. Each is in the route-table test's public list.
 */
export function ssoRoutes(sso: SsoLogins): Route[] {
  const redirect = (res: Parameters<Route['handle']>[0]['res'], location: string) => {
    // 303: the browser follows with a GET (the SAML ACS was a POST).
    res.writeHead(303, { location, 'cache-control': 'no-store' }).end();
  };
  return [
    {
      method: 'GET', path: '/v1/auth/sso/providers', access: 'public',
      handle: async ({ res }) => sendJson(res, 200, await sso.summaries()),
    },
    {
      method: 'POST', path: '/v1/auth/sso/:provider/start', access: 'public',
      handle: async ({ req, res, params }) => {
        const body = SsoStartRequest.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        if (!ProviderId.safeParse(params.provider).success) return sendError(res, 404, { message: `no single sign-on provider "${params.provider}"` });
        const started = await sso.start(params.provider!, body.data.binding);
        if (!started.ok) return sendError(res, started.status, { message: started.message });
        sendJson(res, 200, { redirectUrl: started.redirectUrl });
      },
    },
    {
      method: 'GET', path: '/v1/auth/oidc/:provider/callback', access: 'public',
      handle: async ({ req, res, params }) => {
        // The URL the IdP redirected to, rebuilt on our public base: openid-client checks it.
        const url = new URL(sso.oidcCallbackUrl(params.provider!));
        url.search = new URL(req.url ?? '/', 'http://localhost').search;
        redirect(res, await sso.oidcCallback(params.provider!, url));
      },
    },
    {
      method: 'POST', path: '/v1/auth/saml/:provider/acs', access: 'public',
      handle: async ({ req, res, params }) => redirect(res, await sso.samlAcs(params.provider!, await readFormBody(req))),
    },
    {
      method: 'GET', path: '/v1/auth/saml/:provider/metadata', access: 'public',
      handle: async ({ res, params }) => {
        const xml = await sso.metadata(params.provider!);
        if (!xml) return sendError(res, 404, { message: `no SAML provider "${params.provider}"` });
        res.writeHead(200, { 'content-type': 'application/samlmetadata+xml; charset=utf-8' }).end(xml);
      },
    },
    {
      method: 'POST', path: '/v1/auth/sso/exchange', access: 'public',
      handle: async (ctx) => {
        const { req, res } = ctx;
        const body = SsoExchangeRequest.safeParse(await readJsonBody(req));
        if (!body.success) return sendError(res, 422, invalid(body.error));
        const signedIn = await sso.exchange(body.data.code, body.data.binding);
        if (!signedIn) return sendError(res, 401, { message: 'the sign-in code is unknown, used, expired, or not for this browser; sign in again' });
        ctx.auditActor = signedIn.uid; // the audit log names who signed in through SSO
        sendJson(res, 200, { token: signedIn.token });
      },
    },
  ];
}
