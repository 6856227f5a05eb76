-- Jobs by queue and status, kept exact by statement-level triggers on jobs, so that
-- jobStats and the metrics scrape read a few rows instead of counting millions. Every
-- writer is covered, present and future, and a statement that changes many jobs
-- updates each count once. Counts rows are locked in (queue, status) order, so two
-- statements cannot deadlock on them.
-- No write may land between the backfill and the triggers (it would never be counted).
LOCK TABLE "jobs" IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE "job_counts" (
    "queue" TEXT NOT NULL,
    "status" "JobStatus" NOT NULL,
    "count" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "job_counts_pkey" PRIMARY KEY ("queue","status")
);

INSERT INTO "job_counts" ("queue", "status", "count") SELECT "queue", "status", count(*) FROM "jobs" GROUP BY 1, 2;

CREATE FUNCTION job_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO job_counts (queue, status, count)
    SELECT queue, status, count(*) FROM new_rows GROUP BY queue, status ORDER BY queue, status
    ON CONFLICT (queue, status) DO UPDATE SET count = job_counts.count + EXCLUDED.count;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO job_counts (queue, status, count)
    SELECT queue, status, -count(*) FROM old_rows GROUP BY queue, status ORDER BY queue, status
    ON CONFLICT (queue, status) DO UPDATE SET count = job_counts.count + EXCLUDED.count;
  ELSE
    -- Most updates (progress, a retry's delay) leave the status as it was: no change.
    INSERT INTO job_counts (queue, status, count)
    SELECT queue, status, sum(delta) FROM (
      SELECT queue, status, 1 AS delta FROM new_rows
      UNION ALL
      SELECT queue, status, -1 AS delta FROM old_rows
    ) AS changes
    GROUP BY queue, status HAVING sum(delta) <> 0 ORDER BY queue, status
    ON CONFLICT (queue, status) DO UPDATE SET count = job_counts.count + EXCLUDED.count;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER job_counts_insert AFTER INSERT ON "jobs" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_counts_apply();
CREATE TRIGGER job_counts_update AFTER UPDATE ON "jobs" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_counts_apply();
CREATE TRIGGER job_counts_delete AFTER DELETE ON "jobs" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION job_counts_apply();
