-- The login throttle's failures move from each replica's memory to Postgres, so every
-- API replica counts the same failures (at most 100 an hour per account and per source,
-- whichever replica the attempts reach).
CREATE TABLE "login_failures" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "login_failures_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "login_failures_key_at_idx" ON "login_failures"("key", "at");
CREATE INDEX "login_failures_at_idx" ON "login_failures"("at");
