-- Issue 20. Errors kept in full; jobs run by remote workers; the types those workers
-- register, kept so that submits are checked while no worker is connected.
ALTER TABLE "jobs" ADD COLUMN "last_attempt_error" JSONB,
ADD COLUMN "runner_scope" TEXT;

CREATE TABLE "job_types" (
    "scope" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "payload_schema" JSONB NOT NULL,
    "registered_by" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_types_pkey" PRIMARY KEY ("scope","name")
);
