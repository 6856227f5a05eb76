-- Flows (issue 13): jobs that depend on each other. A job of a flow waits BLOCKED until
-- every job it depends on is COMPLETED; job_dependencies holds the edges, deleted with
-- either job. A flow is its jobs (flow_id, with its name on each): no row of its own to
-- outlive them.
ALTER TYPE "JobStatus" ADD VALUE 'BLOCKED';
ALTER TYPE "JobEventType" ADD VALUE 'RELEASED';

ALTER TABLE "jobs" ADD COLUMN "flow_id" UUID,
ADD COLUMN "flow_key" TEXT,
ADD COLUMN "flow_name" TEXT;

CREATE TABLE "job_dependencies" (
    "job_id" UUID NOT NULL,
    "depends_on_id" UUID NOT NULL,

    CONSTRAINT "job_dependencies_pkey" PRIMARY KEY ("job_id","depends_on_id")
);

CREATE INDEX "jobs_flow_id_idx" ON "jobs"("flow_id");
CREATE INDEX "job_dependencies_depends_on_id_idx" ON "job_dependencies"("depends_on_id");

ALTER TABLE "job_dependencies" ADD CONSTRAINT "job_dependencies_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "job_dependencies" ADD CONSTRAINT "job_dependencies_depends_on_id_fkey" FOREIGN KEY ("depends_on_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
