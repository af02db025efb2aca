-- Foundation: agents and scheduler leadership.
CREATE TYPE "NodeState" AS ENUM ('ACTIVE', 'UNREACHABLE');

CREATE TABLE "agents" (
    "id" TEXT NOT NULL,
    "hostname" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "state" "NodeState" NOT NULL,
    "resources" JSONB NOT NULL,
    "used" JSONB NOT NULL,
    "attributes" JSONB NOT NULL,
    "agent_version" TEXT NOT NULL,
    "registered_at" TIMESTAMPTZ(3) NOT NULL,
    "last_heartbeat_at" TIMESTAMPTZ(3) NOT NULL,
    "epoch" INTEGER NOT NULL,
    CONSTRAINT "agents_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "agents_hostname_idx" ON "agents"("hostname");
CREATE INDEX "agents_state_idx" ON "agents"("state");

CREATE TABLE "leadership" (
    "id" INTEGER NOT NULL,
    "epoch" INTEGER NOT NULL,
    "holder" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "acquired_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "leadership_pkey" PRIMARY KEY ("id")
);
