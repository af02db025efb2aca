-- The leader's scheduler keeps the live tasks in memory and, each pass, reads only the
-- rows written since its last read instead of every live task (100k rows a pass at B3's
-- scale). Every task row carries the id of the transaction that last wrote it; a reader
-- notes the oldest transaction still running when it read (its snapshot's xmin) and next
-- time reads the rows written by that transaction or later. Any row written by an older
-- transaction had committed (or aborted) before the previous read, which therefore saw it:
-- nothing is missed, however transactions interleave, and at worst a row is read twice.
-- Inserts get it from the default; every UPDATE in TaskRepository (the only writer of
-- tasks) sets it. (A trigger doing the same doubled the cost of a status update.)
ALTER TABLE "tasks" ADD COLUMN "txid" BIGINT NOT NULL DEFAULT ((pg_current_xact_id())::text)::bigint;
CREATE INDEX "tasks_txid_idx" ON "tasks"("txid");
