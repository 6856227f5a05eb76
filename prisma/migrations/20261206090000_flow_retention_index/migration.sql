-- Retention takes a flow whole once each of its jobs is past its own status's retention
-- (src/store/prune.ts). It asks whether a job of the flow holds it back with one index
-- probe per reason (a status no rule prunes, or a status finished within its retention)
-- instead of reading every job of the flow for every candidate. The flow_id index
-- becomes (flow_id, status, finished_at): what used the old one uses its first column.
-- Migrations run in a transaction, where an index cannot be built CONCURRENTLY: on a
-- large table, build it first without blocking writes, and this only drops the old one:
--   CREATE INDEX CONCURRENTLY IF NOT EXISTS "jobs_flow_id_status_finished_at_idx" ON "jobs"("flow_id", "status", "finished_at");
CREATE INDEX IF NOT EXISTS "jobs_flow_id_status_finished_at_idx" ON "jobs"("flow_id", "status", "finished_at");
DROP INDEX IF EXISTS "jobs_flow_id_idx";
