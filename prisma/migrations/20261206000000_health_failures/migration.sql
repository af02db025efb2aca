-- How many health checks in a row a task failed (its worst check), as its agent reports
-- it: the master kills only once this reaches the app's maxConsecutiveFailures.
ALTER TABLE "tasks" ADD COLUMN "health_failures" INTEGER NOT NULL DEFAULT 0;
