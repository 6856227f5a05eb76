-- Tenants and owners (issue 11). Every job and schedule records the tenant and owner of
-- the caller that made it; '' is "no tenant" (an operator key's, or an open service's),
-- so that tenant is never NULL and one equality serves every lookup and unique key.
-- Owners are `key:<name>` or `token:<subject>`: the two namespaces never meet.
-- Adding columns with constant defaults rewrites nothing (PostgreSQL 11+).
ALTER TABLE "jobs" ADD COLUMN "tenant" TEXT NOT NULL DEFAULT '',
ADD COLUMN "owner" TEXT,
ADD COLUMN "owner_only" BOOLEAN NOT NULL DEFAULT false;

-- Jobs submitted so far: their owner is the key that submitted them.
UPDATE "jobs" SET "owner" = 'key:' || "submitted_by" WHERE "submitted_by" IS NOT NULL AND "submitted_by" NOT LIKE 'schedule:%';

CREATE INDEX "jobs_tenant_created_at_id_idx" ON "jobs"("tenant", "created_at", "id");
CREATE INDEX "jobs_tenant_owner_created_at_id_idx" ON "jobs"("tenant", "owner", "created_at", "id");

ALTER TABLE "schedules" ADD COLUMN "tenant" TEXT NOT NULL DEFAULT '',
ADD COLUMN "owner" TEXT NOT NULL DEFAULT '',
ADD COLUMN "owner_only" BOOLEAN NOT NULL DEFAULT false;
DROP INDEX "schedules_name_key";
-- Unique per creator, so that creating one never reveals another user's names.
CREATE UNIQUE INDEX "schedules_tenant_owner_name_key" ON "schedules"("tenant", "owner", "name");

-- Counts by tenant too, so a tenant's jobStats reads its own few rows. Rebuilt from jobs
-- with writes held off, as the first job_counts migration did.
LOCK TABLE "jobs" IN SHARE ROW EXCLUSIVE MODE;
ALTER TABLE "job_counts" ADD COLUMN "tenant" TEXT NOT NULL DEFAULT '';
ALTER TABLE "job_counts" DROP CONSTRAINT "job_counts_pkey";
ALTER TABLE "job_counts" ADD CONSTRAINT "job_counts_pkey" PRIMARY KEY ("tenant", "queue", "status");
DELETE FROM "job_counts";
INSERT INTO "job_counts" ("tenant", "queue", "status", "count") SELECT "tenant", "queue", "status", count(*) FROM "jobs" GROUP BY 1, 2, 3;

CREATE OR REPLACE FUNCTION job_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO job_counts (tenant, queue, status, count)
    SELECT tenant, queue, status, count(*) FROM new_rows GROUP BY tenant, queue, status ORDER BY tenant, queue, status
    ON CONFLICT (tenant, queue, status) DO UPDATE SET count = job_counts.count + EXCLUDED.count;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO job_counts (tenant, queue, status, count)
    SELECT tenant, queue, status, -count(*) FROM old_rows GROUP BY tenant, queue, status ORDER BY tenant, queue, status
    ON CONFLICT (tenant, queue, status) DO UPDATE SET count = job_counts.count + EXCLUDED.count;
  ELSE
    -- Most updates (progress, a retry's delay) leave the status as it was: no change.
    INSERT INTO job_counts (tenant, queue, status, count)
    SELECT tenant, queue, status, sum(delta) FROM (
      SELECT tenant, queue, status, 1 AS delta FROM new_rows
      UNION ALL
      SELECT tenant, queue, status, -1 AS delta FROM old_rows
    ) AS changes
    GROUP BY tenant, queue, status HAVING sum(delta) <> 0 ORDER BY tenant, queue, status
    ON CONFLICT (tenant, queue, status) DO UPDATE SET count = job_counts.count + EXCLUDED.count;
  END IF;
  RETURN NULL;
END
$$;
