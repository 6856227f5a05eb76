-- Queue limits across all workers (issue 12): PostgreSQL is their record, and the
-- reconciler makes BullMQ agree, as for pauses.
ALTER TABLE "queues" ADD COLUMN "concurrency" INTEGER,
ADD COLUMN "rate_limit_max" INTEGER,
ADD COLUMN "rate_limit_duration_ms" INTEGER;
