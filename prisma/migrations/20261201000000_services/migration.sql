-- Services: Marathon apps (the desired state), every version they ever had, the groups
-- that hold them, the deployments that move actual state towards desired state, and the
-- event log behind /v2/events. Tasks learn which config they run and when they started,
-- became unreachable, or were asked to die.

CREATE TABLE "apps" (
    "id" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "version" TIMESTAMPTZ(3) NOT NULL,
    "last_scaling_at" TIMESTAMPTZ(3) NOT NULL,
    "last_config_change_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "apps_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "app_versions" (
    "app_id" TEXT NOT NULL,
    "version" TIMESTAMPTZ(3) NOT NULL,
    "last_config_change_at" TIMESTAMPTZ(3) NOT NULL,
    "definition" JSONB NOT NULL,
    CONSTRAINT "app_versions_pkey" PRIMARY KEY ("app_id", "version")
);

CREATE TABLE "service_groups" (
    "id" TEXT NOT NULL,
    "dependencies" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "enforce_role" BOOLEAN NOT NULL DEFAULT false,
    "version" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "service_groups_pkey" PRIMARY KEY ("id")
);

CREATE TYPE "DeploymentStatus" AS ENUM ('ACTIVE', 'SUCCEEDED', 'CANCELED');

CREATE TABLE "deployments" (
    "id" TEXT NOT NULL,
    "version" TIMESTAMPTZ(3) NOT NULL,
    "status" "DeploymentStatus" NOT NULL,
    "affected_apps" TEXT[] NOT NULL,
    "steps" JSONB NOT NULL,
    "current_step" INTEGER NOT NULL DEFAULT 0,
    "original" JSONB NOT NULL,
    "target" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3),
    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "deployments_status_idx" ON "deployments"("status");

CREATE TABLE "service_events" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "event_type" TEXT NOT NULL,
    "app_id" TEXT,
    "payload" JSONB NOT NULL,
    CONSTRAINT "service_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "service_events_at_idx" ON "service_events"("at");

ALTER TABLE "tasks"
    ADD COLUMN "config_version" TEXT,
    ADD COLUMN "role" TEXT,
    ADD COLUMN "started_at" TIMESTAMPTZ(3),
    ADD COLUMN "unreachable_since" TIMESTAMPTZ(3),
    ADD COLUMN "kill_requested_at" TIMESTAMPTZ(3);
CREATE INDEX "tasks_app_id_state_idx" ON "tasks"("app_id", "state");
