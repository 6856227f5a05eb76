// Glossary of the job lifecycle.
//
//   job       a unit of work: a type (the handler that runs it), a payload, a queue.
//   attempt   one run of a job's handler. `attempts` counts those started since the
//             job was created or last retried by a client; `maxAttempts` bounds it.
//   event     one row of a job's history, written in the same statement as the status
//             change it records. Event ids increase across the service.
//   runAt     the earliest time the job may start: a delayed job's, or its next retry's.
//   final     COMPLETED, FAILED and CANCELLED: no worker moves a job out of them. A
//             client's retryJob brings FAILED or CANCELLED back to PENDING, and a flow
//             brings back (CANCELLED to BLOCKED) what a retried job's failure cancelled.
//   transition  one legal change of status (domain/transitions.ts), one SQL statement.
import type { Job, JobEvent } from '../generated/prisma/client.js';
import type { BackoffType, JobEventType, JobStatus, Jitter } from '../generated/prisma/enums.js';

export type { Job, JobEvent, JobStatus, JobEventType, BackoffType, Jitter };

/** The large columns: a job read for a list leaves them out, and GraphQL loads them when asked, within the response's budget. */
export const LARGE_JOB_FIELDS = ['payload', 'result', 'lastAttemptError'] as const;
export type LargeJobField = (typeof LARGE_JOB_FIELDS)[number];
/**
 * A job as lists read it: everything but payload, result (whose sizes it has:
 * payloadBytes, resultBytes) and lastAttemptError (up to ERROR_LIMITS, read when asked).
 */
export type JobSummary = Omit<Job, LargeJobField>;
/** A job as GraphQL resolves it: a summary, or a whole job (what a mutation just wrote). */
export type JobView = JobSummary & Partial<Pick<Job, LargeJobField>>;

export const JOB_STATUSES = ['PENDING', 'SCHEDULED', 'RUNNING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED', 'BLOCKED'] as const satisfies readonly JobStatus[];

export const JOB_EVENT_TYPES = [
  'CREATED',
  'STARTED',
  'PROGRESS',
  'RETRY_SCHEDULED',
  'COMPLETED',
  'FAILED',
  'CANCELLED',
  'RETRIED',
  'RELEASED',
  'PROMOTED',
] as const satisfies readonly JobEventType[];

/** Statuses a job may end in (deleteJobs and retention take only these). */
export const FINAL_STATUSES = ['COMPLETED', 'FAILED', 'CANCELLED'] as const satisfies readonly JobStatus[];

/** Statuses in which a job waits for a worker: each has its job in the queue backend. */
export const WAITING_STATUSES = ['PENDING', 'SCHEDULED', 'RETRYING'] as const satisfies readonly JobStatus[];

export interface Backoff {
  type: BackoffType;
  delayMs: number;
  maxDelayMs: number;
  jitter: Jitter;
}
