-- Issue 19. A job has a finished_at exactly when it is in a final status: the
-- lifecycle's statements keep that, and now the database does too. schema.prisma cannot
-- express a CHECK constraint (test/migrations.test.ts knows this one).
UPDATE "jobs" SET "finished_at" = "updated_at" WHERE "status" IN ('COMPLETED', 'FAILED', 'CANCELLED') AND "finished_at" IS NULL;
UPDATE "jobs" SET "finished_at" = NULL WHERE "status" NOT IN ('COMPLETED', 'FAILED', 'CANCELLED') AND "finished_at" IS NOT NULL;
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_finished_at_final"
  CHECK (("status" IN ('COMPLETED', 'FAILED', 'CANCELLED')) = ("finished_at" IS NOT NULL));
