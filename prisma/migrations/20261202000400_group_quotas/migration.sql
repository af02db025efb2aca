-- Quotas per top-level service group (a tenant, and its scheduler role): limits on what
-- the group's apps may want together. NULL: no limit on that kind.
CREATE TABLE "group_quotas" (
    "group_name" TEXT NOT NULL,
    "cpus" DOUBLE PRECISION,
    "mem" DOUBLE PRECISION,
    "disk" DOUBLE PRECISION,
    "instances" INTEGER,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "updated_by" TEXT NOT NULL,
    CONSTRAINT "group_quotas_pkey" PRIMARY KEY ("group_name")
);
