-- Issue 21. The trace a job's attempts join (W3C traceparent), when tracing is on.
ALTER TABLE "jobs" ADD COLUMN "trace_parent" TEXT;
