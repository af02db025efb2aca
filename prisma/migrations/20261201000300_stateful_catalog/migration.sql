-- Stateful services (the dcos-commons SDK's model) and the package catalog. A stateful
-- service's plans and pod instances (reservations, volumes, generations) are what the
-- leader's pure reconciler returned last; `revision` lets operator verbs and the leader
-- write them without losing each other's changes.

CREATE TABLE "stateful_services" (
    "id" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "config_id" TEXT NOT NULL,
    "past_definitions" JSONB NOT NULL DEFAULT '{}',
    "plans" JSONB NOT NULL DEFAULT '[]',
    "pod_instances" JSONB NOT NULL DEFAULT '[]',
    "uninstall" JSONB,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "stateful_services_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "package_repositories" (
    "name" TEXT NOT NULL,
    "uri" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "package_repositories_pkey" PRIMARY KEY ("name")
);

CREATE TYPE "PackageKind" AS ENUM ('MARATHON', 'STATEFUL');

CREATE TABLE "package_installs" (
    "service_id" TEXT NOT NULL,
    "package_name" TEXT NOT NULL,
    "package_version" TEXT NOT NULL,
    "repository" TEXT NOT NULL,
    "kind" "PackageKind" NOT NULL,
    "options" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "package_installs_pkey" PRIMARY KEY ("service_id")
);
CREATE INDEX "package_installs_package_name_idx" ON "package_installs"("package_name");
