import { randomUUID } from 'node:crypto';
import * as samlifyModule from 'samlify';
import { generate } from 'selfsigned';

/**
 * A real SAML identity provider for tests (samlify), in this process, with a
 * self-signed certificate made for the run. It reads the AuthnRequest Gantry's SP
 * redirects to, and answers with a SAMLResponse for the ACS, signed as asked.
 */

// samlify is CommonJS, and Node's ESM loader exposes only some of its exports by name
// (SamlLib is missing under Playwright): take the whole module object when there is one.
const samlify = ((samlifyModule as unknown as { default?: typeof samlifyModule }).default ?? samlifyModule) as typeof samlifyModule;

// samlify wants an XML schema validator; the responses here are built by samlify itself.
samlify.setSchemaValidator({ validate: async () => 'skipped: the test IdP validates only its own output' });

export interface SamlUser {
  nameId: string;
  attributes?: Record<string, string[]>;
}

export interface SignedAs {
  /** Sign the assertion (node-saml requires it). */
  assertion: boolean;
  /** Sign the whole response (node-saml requires it). */
  response: boolean;
}

export interface TestSamlIdp {
  entityId: string;
  ssoUrl: string;
  certificate: string;
  /**
   * Plays the IdP's part of a login: parses the AuthnRequest in `authorizeUrl`, and
   * returns the form the browser would POST to the SP's ACS.
   */
  respond: (authorizeUrl: string, spMetadata: string, user: SamlUser, signed?: SignedAs) => Promise<{ acsUrl: string; form: Record<string, string> }>;
}

const xmlEscape = (value: string) => value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `ssoUrl`: where the SP sends browsers; only a browser test needs it to be served. */
export async function makeTestSamlIdp(ssoUrl = 'http://saml-idp.test/sso'): Promise<TestSamlIdp> {
  const entityId = 'http://saml-idp.test/metadata';
  const pems = await generate([{ name: 'commonName', value: 'gantry-test-saml-idp' }], { keySize: 2048, algorithm: 'sha256' });
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    signingCert: pems.cert,
    privateKey: pems.private,
    wantAuthnRequestsSigned: false,
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: ssoUrl }],
  });

  return {
    entityId, ssoUrl, certificate: pems.cert,
    respond: async (authorizeUrl, spMetadata, user, signed = { assertion: true, response: true }) => {
      const url = new URL(authorizeUrl);
      const sp = samlify.ServiceProvider({
        metadata: spMetadata, wantAssertionsSigned: signed.assertion, wantMessageSigned: signed.response,
      });
      // The metadata says assertions must be signed; the override lets a test send an unsigned one.
      (sp.entityMeta as unknown as { isWantAssertionsSigned: () => boolean }).isWantAssertionsSigned = () => signed.assertion;
      const request = await idp.parseLoginRequest(sp, 'redirect', { query: Object.fromEntries(url.searchParams) } as never);
      const acsUrl = sp.entityMeta.getAssertionConsumerService('post') as string;
      const id = `_${randomUUID()}`;
      const now = new Date();
      const later = new Date(now.getTime() + 5 * 60_000).toISOString();
      const attributes = Object.entries(user.attributes ?? {}).map(([name, values]) =>
        `<saml:Attribute Name="${xmlEscape(name)}">${values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlEscape(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`);
      const response = await idp.createLoginResponse(sp, request as never, 'post', {}, (template: string) => ({
        id,
        context: samlify.SamlLib.replaceTagsByValue(template, {
          ID: id, AssertionID: `_${randomUUID()}`, Destination: acsUrl, Audience: sp.entityMeta.getEntityID(),
          SubjectRecipient: acsUrl, Issuer: entityId, IssueInstant: now.toISOString(),
          StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success', ConditionsNotBefore: now.toISOString(),
          ConditionsNotOnOrAfter: later, SubjectConfirmationDataNotOnOrAfter: later,
          NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', NameID: user.nameId,
          InResponseTo: String(request.extract.request?.id ?? ''),
          AuthnStatement: '', AttributeStatement: '@@ATTRIBUTES@@',
        }).replace('@@ATTRIBUTES@@', attributes.length ? `<saml:AttributeStatement>${attributes.join('')}</saml:AttributeStatement>` : ''),
      }));
      return { acsUrl, form: { SAMLResponse: (response as { context: string }).context, RelayState: url.searchParams.get('RelayState') ?? '' } };
    },
  };
}
