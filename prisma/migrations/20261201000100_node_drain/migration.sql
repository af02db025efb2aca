-- An operator can drain a node (Mesos maintenance's DRAINING): it is offered nothing new
-- and its tasks are moved elsewhere, until it is reactivated.
CREATE TYPE "NodeMode" AS ENUM ('UP', 'DRAINING');
ALTER TABLE "agents" ADD COLUMN "mode" "NodeMode" NOT NULL DEFAULT 'UP';
