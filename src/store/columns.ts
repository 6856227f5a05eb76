// Job and event columns, named as Prisma's models name their fields, so a raw row has the
// same shape as a model. The maps are checked against the models by their types.
import { Prisma } from '../generated/prisma/client.js';
import { LARGE_JOB_FIELDS, type Job, type JobEvent } from '../domain/model.js';

export const JOB_COLUMNS: Record<keyof Job, string> = {
  id: 'id',
  queue: 'queue',
  type: 'type',
  payload: 'payload',
  status: 'status',
  priority: 'priority',
  attempts: 'attempts',
  maxAttempts: 'max_attempts',
  backoffType: 'backoff_type',
  backoffDelayMs: 'backoff_delay_ms',
  backoffMaxDelayMs: 'backoff_max_delay_ms',
  backoffJitter: 'backoff_jitter',
  lastDelayMs: 'last_delay_ms',
  timeoutMs: 'timeout_ms',
  progress: 'progress',
  result: 'result',
  lastError: 'last_error',
  lastAttemptError: 'last_attempt_error',
  idempotencyKey: 'idempotency_key',
  submittedBy: 'submitted_by',
  payloadBytes: 'payload_bytes',
  resultBytes: 'result_bytes',
  idempotencyScope: 'idempotency_scope',
  tenant: 'tenant',
  owner: 'owner',
  ownerOnly: 'owner_only',
  tags: 'tags',
  flowId: 'flow_id',
  flowKey: 'flow_key',
  flowName: 'flow_name',
  dependencyCount: 'dependency_count',
  runnerScope: 'runner_scope',
  traceParent: 'trace_parent',
  runAt: 'run_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
};

export const EVENT_COLUMNS: Record<keyof JobEvent, string> = {
  id: 'id',
  jobId: 'job_id',
  type: 'type',
  status: 'status',
  attempt: 'attempt',
  progress: 'progress',
  message: 'message',
  data: 'data',
  createdAt: 'created_at',
};

/** `alias."column" AS "prefix field", ...` for the given columns. */
export function selectList(alias: string, columns: Record<string, string>, prefix = ''): string {
  return Object.entries(columns)
    .map(([field, column]) => `${alias}."${column}" AS "${prefix}${field}"`)
    .join(', ');
}

/** Every job column but payload and result, of the row aliased `j` (for Prisma raw queries). */
export const JOB_SUMMARY_SELECT_J = Prisma.raw(
  selectList('j', Object.fromEntries(Object.entries(JOB_COLUMNS).filter(([field]) => !(LARGE_JOB_FIELDS as readonly string[]).includes(field)))),
);
