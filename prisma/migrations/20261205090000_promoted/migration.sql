-- Issue 22. promoteJob: a SCHEDULED or RETRYING job runs now.
ALTER TYPE "JobEventType" ADD VALUE 'PROMOTED';
