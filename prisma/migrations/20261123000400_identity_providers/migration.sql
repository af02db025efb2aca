-- Single sign-on: configured identity providers (LDAP, OIDC, SAML), the short-lived
-- state of logins in flight at an IdP, and the one-time codes that hand a finished
-- login over to the console.
CREATE TYPE "IdpKind" AS ENUM ('LDAP', 'OIDC', 'SAML');

CREATE TABLE "identity_providers" (
    "id" TEXT NOT NULL,
    "kind" "IdpKind" NOT NULL,
    "display_name" TEXT NOT NULL,
    "config" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "identity_providers_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "sso_flows" (
    "state" TEXT NOT NULL,
    "provider_id" TEXT NOT NULL,
    "binding_hash" TEXT NOT NULL,
    "verifier" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "sso_flows_pkey" PRIMARY KEY ("state"),
    CONSTRAINT "sso_flows_provider_id_fkey" FOREIGN KEY ("provider_id") REFERENCES "identity_providers"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "sso_flows_expires_at_idx" ON "sso_flows"("expires_at");

CREATE TABLE "sso_handoffs" (
    "code_hash" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    "binding_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "sso_handoffs_pkey" PRIMARY KEY ("code_hash"),
    CONSTRAINT "sso_handoffs_uid_fkey" FOREIGN KEY ("uid") REFERENCES "users"("uid") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "sso_handoffs_expires_at_idx" ON "sso_handoffs"("expires_at");
