-- Identity and access: users, groups, grants, token signing keys, revoked tokens.
CREATE TYPE "IdentityProvider" AS ENUM ('LOCAL', 'LDAP', 'OIDC', 'SAML');
CREATE TYPE "SubjectKind" AS ENUM ('USER', 'GROUP');

CREATE TABLE "users" (
    "uid" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "provider" "IdentityProvider" NOT NULL,
    "password_hash" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("uid")
);

CREATE TABLE "groups" (
    "gid" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "groups_pkey" PRIMARY KEY ("gid")
);

CREATE TABLE "group_members" (
    "gid" TEXT NOT NULL,
    "uid" TEXT NOT NULL,
    CONSTRAINT "group_members_pkey" PRIMARY KEY ("gid", "uid"),
    CONSTRAINT "group_members_gid_fkey" FOREIGN KEY ("gid") REFERENCES "groups"("gid") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "group_members_uid_fkey" FOREIGN KEY ("uid") REFERENCES "users"("uid") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "group_members_uid_idx" ON "group_members"("uid");

CREATE TABLE "grants" (
    "id" BIGSERIAL NOT NULL,
    "subject_kind" "SubjectKind" NOT NULL,
    "subject_id" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "grants_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "grants_subject_kind_subject_id_resource_action_key" ON "grants"("subject_kind", "subject_id", "resource", "action");

CREATE TABLE "signing_keys" (
    "kid" TEXT NOT NULL,
    "private_pem" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),
    CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("kid")
);

CREATE TABLE "revoked_tokens" (
    "jti" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "revoked_tokens_pkey" PRIMARY KEY ("jti")
);
