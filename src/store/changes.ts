// The statements that change jobs: each writes the job rows and their events together,
// and each draws its event ids under the event-ordering lock. This file is the only
// place that rule is written.
//
// Event ids are handed out in commit order: each statement takes one transaction-level
// advisory lock before it draws ids and holds it until it commits. So once an event is
// visible, every event with a smaller id that will ever exist is visible too, which is
// what lets subscribers resume from an id and fill gaps from PostgreSQL without missing
// one (a bigserial alone lets a later commit take a smaller id). It serialises the
// commits of status changes, so writers batch them (a statement may carry many jobs).
//
// Lock order: the ordering lock comes before any row lock. A statement that locked a
// row and then waited for the ordering lock could wait for one that holds the ordering
// lock and wants that row (PostgreSQL found exactly that deadlock between a bulk cancel
// and the workers' completions). So the lock is a CTE that every row change joins: no
// row can be changed (so locked) before it is taken. Writers that never take it
// (retention's and deleteJobs' deletes) skip rows others hold (SKIP LOCKED).
import type pg from 'pg';
import type { Job, JobEvent, JobEventType, JobStatus } from '../domain/model.js';
import { EVENT_COLUMNS, JOB_COLUMNS, selectList } from './columns.js';
import { run, statement, type Statement } from './statement.js';

/** A job as the database now holds it, and the event that recorded the change. */
export interface Change {
  job: Job;
  event: JobEvent;
}

/** A job ready to be stored: everything but the columns the database fills in. */
export type NewJob = Omit<
  Job,
  'attempts' | 'progress' | 'result' | 'lastError' | 'lastDelayMs' | 'createdAt' | 'updatedAt' | 'startedAt' | 'finishedAt' | 'payloadBytes' | 'resultBytes' | 'dependencyCount'
>;

/** Key of the advisory lock that orders event ids by commit. */
export const EVENT_ORDER_LOCK = 0x6a6f_6265_7665_6e74n; // "jobevent"

/**
 * Takes the ordering lock, once, before the statement changes (and so locks) any row:
 * every row change joins it. MATERIALIZED: evaluated once, never inlined.
 */
export const ORDERED = `ordered AS MATERIALIZED (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}) AS locked)`;

const EVENT_PREFIX = 'event.';
export const CHANGE_SELECT = `${selectList('j', JOB_COLUMNS)}, ${selectList('e', EVENT_COLUMNS, EVENT_PREFIX)}`;

/** A row of CHANGE_SELECT: the job's fields, and the event's under `event.`. */
export type ChangeRow = Record<string, unknown>;

export function toChange(row: ChangeRow): Change {
  const job: Record<string, unknown> = {};
  const event: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(EVENT_PREFIX)) event[key.slice(EVENT_PREFIX.length)] = value;
    else job[key] = value;
  }
  // node-postgres gives bigint columns as strings; the models hold a bigint.
  event.id = BigInt(event.id as string);
  return { job: job as unknown as Job, event: event as unknown as JobEvent };
}

const CREATE = statement<ChangeRow>(
  'create',
  `WITH ${ORDERED}, j AS (
     INSERT INTO jobs (id, queue, type, payload, payload_bytes, status, priority, max_attempts, backoff_type, backoff_delay_ms,
                       backoff_max_delay_ms, backoff_jitter, timeout_ms, idempotency_key, idempotency_scope, submitted_by, run_at,
                       tenant, owner, owner_only, tags, flow_id, flow_key, flow_name, dependency_count)
     SELECT id, queue, type, payload, octet_length(payload::text), status::"JobStatus", priority, max_attempts, backoff_type::"BackoffType",
            backoff_delay_ms, backoff_max_delay_ms, backoff_jitter::"Jitter", timeout_ms, idempotency_key, idempotency_scope, submitted_by, run_at,
            tenant, owner, owner_only, tags, flow_id, flow_key, flow_name, dependency_count
     FROM jsonb_to_recordset($1::jsonb) AS x(
       id uuid, queue text, type text, payload jsonb, status text, priority int, max_attempts int, backoff_type text,
       backoff_delay_ms int, backoff_max_delay_ms int, backoff_jitter text, timeout_ms int, idempotency_key text,
       idempotency_scope text, submitted_by text, run_at timestamptz, tenant text, owner text, owner_only boolean, tags text[], flow_id uuid, flow_key text, flow_name text,
       dependency_count int), ordered
     -- An idempotency key another uncommitted submit holds makes this wait for it: never while
     -- holding a row lock the other wants, since both took the ordering lock first.
     ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
     RETURNING *
   ), e AS (
     INSERT INTO job_events (id, job_id, type, status, attempt)
     SELECT nextval('job_events_id_seq'), j.id, 'CREATED', j.status, 0 FROM j, ordered
     RETURNING *
   ), edges AS (
     -- A flow's edges, in the same statement as its jobs: all or nothing.
     INSERT INTO job_dependencies (job_id, depends_on_id)
     SELECT x.job_id, x.depends_on_id FROM jsonb_to_recordset($2::jsonb) AS x(job_id uuid, depends_on_id uuid)
   )
   SELECT ${CHANGE_SELECT} FROM j JOIN e ON e.job_id = j.id ORDER BY e.id`,
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
  return (await run(pool, CREATE, [JSON.stringify(rows), JSON.stringify(edges)])).map(toChange);
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
}

/** A status change, as SQL: which statuses it leaves, where it goes, its event, and what else it sets (from `x`, the target). */
export interface TransitionSql {
  from: readonly JobStatus[];
  to: JobStatus;
  event: JobEventType;
  /** Assignments besides status and updated_at, e.g. `result = x.result`; a fixed text. */
  set: string;
  /** A further condition on the job row (`jobs`), a fixed text. */
  where?: string;
}

const transitionStatements = new Map<string, Statement<ChangeRow>>();

function transitionStatement(name: string, { from, to, event, set, where }: TransitionSql): Statement<ChangeRow> {
  let found = transitionStatements.get(name);
  if (!found) {
    // Statuses and event types are the schema's enum values, never input: safe to write in the text.
    const statuses = from.map((status) => `'${status}'`).join(', ');
    found = statement<ChangeRow>(
      `transition.${name}`,
      `WITH ${ORDERED}, x AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS x(id uuid, attempt int, result jsonb, progress float8, message text, delay_ms int, data jsonb)
       ), j AS (
         UPDATE jobs SET status = '${to}', updated_at = now()${set ? `, ${set}` : ''}
         FROM x, ordered
         WHERE jobs.id = x.id AND jobs.status IN (${statuses}) AND (x.attempt IS NULL OR jobs.attempts = x.attempt)${where ? ` AND ${where}` : ''}
         RETURNING jobs.*, x.progress AS x_progress, x.message AS x_message, x.data AS x_data
       ), e AS (
         INSERT INTO job_events (id, job_id, type, status, attempt, progress, message, data)
         SELECT nextval('job_events_id_seq'), j.id, '${event}', j.status, j.attempts, j.x_progress, j.x_message, j.x_data
         FROM j, ordered
         RETURNING *
       )
       SELECT ${CHANGE_SELECT} FROM j JOIN e ON e.job_id = j.id ORDER BY e.id`,
    );
    transitionStatements.set(name, found);
  }
  return found;
}

/**
 * Applies a status change to each target whose job's status (and attempt) allows it, in
 * one statement, and records an event for each. Returns the changes made, in event order;
 * each target appears at most once in `targets`.
 */
export async function applyTransition(pool: pg.Pool, name: string, transition: TransitionSql, targets: Target[]): Promise<Change[]> {
  const rows = targets.map((target) => ({
    id: target.id,
    attempt: target.attempt ?? null,
    result: target.result ?? null,
    progress: target.progress ?? null,
    message: target.message ?? null,
    delay_ms: target.delayMs ?? null,
    data: target.data ?? null,
  }));
  return (await run(pool, transitionStatement(name, transition), [JSON.stringify(rows)])).map(toChange);
}

