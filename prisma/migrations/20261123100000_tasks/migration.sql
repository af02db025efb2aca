-- Tasks as the agents report them, and the status updates already applied (by uuid),
-- so a re-delivered update is recognised and acknowledged without being applied twice.
CREATE TYPE "TaskState" AS ENUM (
    'TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_FINISHED', 'TASK_FAILED',
    'TASK_KILLED', 'TASK_ERROR', 'TASK_DROPPED', 'TASK_UNREACHABLE', 'TASK_GONE', 'TASK_UNKNOWN'
);

CREATE TABLE "tasks" (
    "id" TEXT NOT NULL,
    "agent_id" TEXT NOT NULL,
    "app_id" TEXT,
    "state" "TaskState" NOT NULL,
    "reason" TEXT,
    "message" TEXT,
    "healthy" BOOLEAN,
    "ready" BOOLEAN,
    "pid" INTEGER,
    "exit_code" INTEGER,
    "spec" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "epoch" INTEGER NOT NULL,
    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "tasks_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "tasks_agent_id_state_idx" ON "tasks"("agent_id", "state");
CREATE INDEX "tasks_app_id_idx" ON "tasks"("app_id");

CREATE TABLE "task_status_updates" (
    "uuid" TEXT NOT NULL,
    "task_id" TEXT NOT NULL,
    "state" "TaskState" NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "task_status_updates_pkey" PRIMARY KEY ("uuid")
);
CREATE INDEX "task_status_updates_task_id_idx" ON "task_status_updates"("task_id");
