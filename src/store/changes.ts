// The statements that change jobs one transition at a time: creation (with a flow's
// edges) and every transition a client or worker asks for, each one statement that
// writes the job rows and their events together under the event-ordering lock
// (store/sql.ts). The flows' own transitions are in store/flows.ts. Together with
// that file, this is where every write of `status` lives: TRANSITION_SQL is the table
// of what each transition sets and requires besides its statuses (domain/transitions.ts).
import type pg from 'pg';
import type { Job } from '../domain/model.js';
import { TRANSITIONS, type Change, type TransitionName } from '../domain/transitions.js';
import { JOB_COLUMNS } from './columns.js';
import { DEPENDENCIES_DONE, EVENT_ID, ORDERED, recordEvents, toChange, type ChangeRow } from './sql.js';
import { run, statement, type Statement } from './statement.js';

/** A job ready to be stored: everything but the columns the database fills in. */
export type NewJob = Omit<
  Job,
  'attempts' | 'progress' | 'result' | 'lastError' | 'lastAttemptError' | 'lastDelayMs' | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt' | 'payloadBytes' | 'resultBytes' | 'dependencyCount'
>;

const CREATE = statement<ChangeRow>(
  'create',
  `WITH ${ORDERED}, j AS (
     INSERT INTO jobs (id, queue, type, payload, payload_bytes, status, priority, max_attempts, backoff_type, backoff_delay_ms,
                       backoff_max_delay_ms, backoff_jitter, timeout_ms, idempotency_key, idempotency_scope, submitted_by, run_at,
                       tenant, owner, owner_only, tags, flow_id, flow_key, flow_name, dependency_count, runner_scope, trace_parent)
     SELECT id, queue, type, payload, octet_length(payload::text), status::"JobStatus", priority, max_attempts, backoff_type::"BackoffType",
            backoff_delay_ms, backoff_max_delay_ms, backoff_jitter::"Jitter", timeout_ms, idempotency_key, idempotency_scope, submitted_by, run_at,
            tenant, owner, owner_only, tags, flow_id, flow_key, flow_name, dependency_count, runner_scope, trace_parent
     FROM jsonb_to_recordset($1::jsonb) AS x(
       id uuid, queue text, type text, payload jsonb, status text, priority int, max_attempts int, backoff_type text,
       backoff_delay_ms int, backoff_max_delay_ms int, backoff_jitter text, timeout_ms int, idempotency_key text,
       idempotency_scope text, submitted_by text, run_at timestamptz, tenant text, owner text, owner_only boolean, tags text[], flow_id uuid, flow_key text, flow_name text,
       dependency_count int, runner_scope text, trace_parent text), ordered
     -- An idempotency key another uncommitted submit holds makes this wait for it: never while
     -- holding a row lock the other wants, since both took the ordering lock first.
     ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
     RETURNING *, ${EVENT_ID}
   ), edges AS (
     -- A flow's edges, in the same statement as its jobs: all or nothing.
     INSERT INTO job_dependencies (job_id, depends_on_id)
     SELECT x.job_id, x.depends_on_id FROM jsonb_to_recordset($2::jsonb) AS x(job_id uuid, depends_on_id uuid)
   ), ${recordEvents('CREATED', { attempt: '0' })}`,
);

/** A job ready to be stored, and (in a flow) the ids of the jobs it waits for. */
export type NewFlowJob = NewJob & { dependsOn?: string[] };

/**
 * Stores new jobs with their CREATED events, and a flow's edges; a job whose idempotency
 * key is taken is left out (flows take no idempotency keys, so their edges always hold).
 */
export async function createJobs(pool: pg.Pool, jobs: NewFlowJob[]): Promise<Change[]> {
  const rows = jobs.map(({ dependsOn, ...job }) => ({
    ...Object.fromEntries(Object.entries(job).map(([field, value]) => [JOB_COLUMNS[field as keyof Job], value])),
    dependency_count: dependsOn?.length ?? 0,
  }));
  const edges = jobs.flatMap((job) => (job.dependsOn ?? []).map((dependsOn) => ({ job_id: job.id, depends_on_id: dependsOn })));
  return (await run(pool, CREATE, [JSON.stringify(rows), JSON.stringify(edges)])).map((row) => toChange(row, 'create'));
}

/**
 * What each transition a client or worker asks for sets besides status and updated_at
 * (from `x`, its target), and what more it requires of the job row. Its statuses and
 * event come from domain/transitions.ts.
 */
const TRANSITION_SQL = {
  start: { set: 'attempts = jobs.attempts + 1, started_at = now(), run_at = NULL, progress = 0' },
  progress: { set: 'progress = x.progress' },
  complete: { set: 'result = x.result, result_bytes = COALESCE(octet_length(x.result::text), 0), progress = 100, finished_at = now()' },
  scheduleRetry: { set: "last_error = x.message, last_attempt_error = x.error, last_delay_ms = x.delay_ms, run_at = now() + x.delay_ms * interval '1 millisecond'" },
  fail: { set: 'last_error = x.message, last_attempt_error = x.error, finished_at = now()' },
  // Not a failure: the attempt it spent is given back, so a job handed back at every
  // deploy never runs out of attempts.
  handBack: { set: 'attempts = jobs.attempts - 1, last_error = x.message, run_at = now()' },
  cancel: { set: 'finished_at = now()' },
  // Its attempts stay as they are: running now is not a retry.
  promote: { set: 'run_at = NULL' },
  retry: { set: 'attempts = 0, progress = 0, result = NULL, result_bytes = 0, run_at = NULL, last_delay_ms = NULL, last_attempt_error = NULL, finished_at = NULL', where: DEPENDENCIES_DONE },
} as const satisfies Partial<Record<TransitionName, { set: string; where?: string }>>;

/** The transitions applied to targets chosen by id (the rest are creation and the flows' own). */
export type TargetedTransition = keyof typeof TRANSITION_SQL;

const transitionStatements = new Map<TargetedTransition, Statement<ChangeRow>>();

function transitionStatement(name: TargetedTransition): Statement<ChangeRow> {
  let found = transitionStatements.get(name);
  if (!found) {
    const { from, to, event } = TRANSITIONS[name];
    const { set, where } = TRANSITION_SQL[name] as { set: string; where?: string };
    // Statuses and event types are the schema's enum values, never input: safe to write in the text.
    const statuses = from.map((status) => `'${status}'`).join(', ');
    found = statement<ChangeRow>(
      `transition.${name}`,
      `WITH ${ORDERED}, x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS x(id uuid, attempt int, result jsonb, progress float8, message text, delay_ms int, data jsonb, error jsonb)
       ), j AS (
         UPDATE jobs SET status = '${to[0]}', updated_at = now(), ${set}
         FROM x, ordered
         WHERE jobs.id = x.id AND jobs.status IN (${statuses}) AND (x.attempt IS NULL OR jobs.attempts = x.attempt)${where ? ` AND ${where}` : ''}
         RETURNING jobs.*, x.progress AS x_progress, x.message AS x_message, x.data AS x_data, ${EVENT_ID}
       ), ${recordEvents(event, { progress: 'j.x_progress', message: 'j.x_message', data: 'j.x_data' })}`,
    );
    transitionStatements.set(name, found);
  }
  return found;
}

/** A job a transition applies to, with what the transition writes for it. */
export interface Target {
  id: string;
  /** Refuse unless the job is still in this attempt: fences off a worker that lost its job. */
  attempt?: number | null;
  /** The handler's result (`x.result`). */
  result?: unknown;
  /** Progress percent (`x.progress`), also the event's. */
  progress?: number | null;
  /** An error or reason (`x.message`), also the event's message. */
  message?: string | null;
  /** A retry's delay (`x.delay_ms`). */
  delayMs?: number | null;
  /** The event's data (`x.data`). */
  data?: unknown;
  /** A failed attempt's error in full (`x.error`): the job's lastAttemptError. */
  error?: unknown;
}

/**
 * Applies a transition to each target whose job's status (and attempt) allows it, in
 * one statement, and records an event for each. Returns the changes made, in event
 * order; each target appears at most once in `targets`.
 */
export async function applyTransition(pool: pg.Pool, name: TargetedTransition, targets: Target[]): Promise<Change[]> {
  const rows = targets.map((target) => ({
    id: target.id,
    attempt: target.attempt ?? null,
    result: target.result ?? null,
    progress: target.progress ?? null,
    message: target.message ?? null,
    delay_ms: target.delayMs ?? null,
    data: target.data ?? null,
    error: target.error ?? null,
  }));
  return (await run(pool, transitionStatement(name), [JSON.stringify(rows)])).map((row) => toChange(row, name));
}
