-- Issue 18. A flow's job records how many jobs it waits for, so that a dependency
-- deleted meanwhile keeps it waiting (it is never released or retried without it);
-- schedules keep their last run and a short history of firings (a skipped one says why).
ALTER TABLE "jobs" ADD COLUMN "dependency_count" INTEGER NOT NULL DEFAULT 0;

UPDATE "jobs" SET "dependency_count" = d.n
FROM (SELECT "job_id", count(*)::int AS n FROM "job_dependencies" GROUP BY "job_id") AS d
WHERE "jobs"."id" = d."job_id";

ALTER TABLE "schedules" ADD COLUMN "last_run_at" TIMESTAMPTZ(3),
ADD COLUMN "last_job_id" UUID,
ADD COLUMN "runs" JSONB NOT NULL DEFAULT '[]';
