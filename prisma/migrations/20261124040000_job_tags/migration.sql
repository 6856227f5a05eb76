-- Tags (issue 12): free labels given at submit, for finding jobs. A GIN index answers
-- "carrying every one of these tags" (tags @> ...) at any size. The constant default
-- rewrites nothing.
ALTER TABLE "jobs" ADD COLUMN "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

CREATE INDEX "jobs_tags_idx" ON "jobs" USING GIN ("tags");
