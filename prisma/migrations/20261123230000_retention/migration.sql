-- Retention: the pruner finds finished jobs by status and finish time, and records the
-- largest event id it has deleted, so a resume cursor below it is told, not misled.
CREATE TABLE "maintenance" (
    "name" TEXT NOT NULL,
    "value" BIGINT NOT NULL,

    CONSTRAINT "maintenance_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE INDEX "jobs_status_finished_at_idx" ON "jobs"("status", "finished_at");
