-- Issue 22. JobFilter.payloadContains (payload @> a JSON value) is answered by a GIN
-- index; jsonb_path_ops serves only containment, and is smaller and faster to keep than
-- the default operator class. Migrations run in a transaction, where an index cannot be
-- built CONCURRENTLY: on a large table, build it first without blocking writes, and
-- this does nothing:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS "jobs_payload_idx" ON "jobs" USING GIN ("payload" jsonb_path_ops);
CREATE INDEX IF NOT EXISTS "jobs_payload_idx" ON "jobs" USING GIN ("payload" jsonb_path_ops);
