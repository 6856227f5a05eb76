-- Sizes of payload and result as JSON text, so a response can charge for them before
-- loading them; idempotency keys scoped to their submitter.
ALTER TABLE "jobs" ADD COLUMN "payload_bytes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "result_bytes" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "idempotency_scope" TEXT NOT NULL DEFAULT '';

UPDATE "jobs" SET "payload_bytes" = octet_length("payload"::text),
  "result_bytes" = COALESCE(octet_length("result"::text), 0),
  "idempotency_scope" = COALESCE("submitted_by", '');

-- DropIndex
DROP INDEX "jobs_idempotency_key_key";

-- CreateIndex
CREATE INDEX "jobs_idempotency_key_idx" ON "jobs"("idempotency_key");

-- CreateIndex
CREATE UNIQUE INDEX "jobs_idempotency_scope_idempotency_key_key" ON "jobs"("idempotency_scope", "idempotency_key");
