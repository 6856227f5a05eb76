-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('PENDING', 'SCHEDULED', 'RUNNING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "JobEventType" AS ENUM ('CREATED', 'STARTED', 'PROGRESS', 'RETRY_SCHEDULED', 'COMPLETED', 'FAILED', 'CANCELLED', 'RETRIED');

-- CreateEnum
CREATE TYPE "BackoffType" AS ENUM ('FIXED', 'EXPONENTIAL');

-- CreateEnum
CREATE TYPE "Jitter" AS ENUM ('NONE', 'FULL', 'EQUAL', 'DECORRELATED');

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL,
    "queue" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "JobStatus" NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL,
    "backoff_type" "BackoffType" NOT NULL,
    "backoff_delay_ms" INTEGER NOT NULL,
    "backoff_max_delay_ms" INTEGER NOT NULL,
    "backoff_jitter" "Jitter" NOT NULL,
    "last_delay_ms" INTEGER,
    "timeout_ms" INTEGER NOT NULL,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "result" JSONB,
    "last_error" TEXT,
    "idempotency_key" TEXT,
    "run_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_events" (
    "id" BIGSERIAL NOT NULL,
    "job_id" UUID NOT NULL,
    "type" "JobEventType" NOT NULL,
    "status" "JobStatus" NOT NULL,
    "attempt" INTEGER NOT NULL,
    "progress" DOUBLE PRECISION,
    "message" TEXT,
    "data" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "jobs_idempotency_key_key" ON "jobs"("idempotency_key");

-- CreateIndex
CREATE INDEX "jobs_created_at_id_idx" ON "jobs"("created_at", "id");

-- CreateIndex
CREATE INDEX "jobs_updated_at_id_idx" ON "jobs"("updated_at", "id");

-- CreateIndex
CREATE INDEX "jobs_priority_created_at_id_idx" ON "jobs"("priority", "created_at", "id");

-- CreateIndex
CREATE INDEX "jobs_status_created_at_id_idx" ON "jobs"("status", "created_at", "id");

-- CreateIndex
CREATE INDEX "jobs_queue_status_created_at_id_idx" ON "jobs"("queue", "status", "created_at", "id");

-- CreateIndex
CREATE INDEX "jobs_type_created_at_id_idx" ON "jobs"("type", "created_at", "id");

-- CreateIndex
CREATE INDEX "job_events_job_id_id_idx" ON "job_events"("job_id", "id");

-- AddForeignKey
ALTER TABLE "job_events" ADD CONSTRAINT "job_events_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

