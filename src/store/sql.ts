// What every statement that changes jobs shares: the event-ordering lock, the row it
// returns (the job and its event), and the flows' condition for a job to go on.
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
import type { Job, JobEvent, JobEventType } from '../domain/model.js';
import type { Change, TransitionName } from '../domain/transitions.js';
import { EVENT_COLUMNS, JOB_COLUMNS, selectList } from './columns.js';

/** Key of the advisory lock that orders event ids by commit. */
export const EVENT_ORDER_LOCK = 0x6a6f_6265_7665_6e74n; // "jobevent"

/**
 * Takes the ordering lock, once, before the statement changes (and so locks) any row:
 * every row change joins it. MATERIALIZED: evaluated once, never inlined.
 */
export const ORDERED = `ordered AS MATERIALIZED (SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK}) AS locked)`;

const EVENT_PREFIX = 'event.';

/** A row of recordEvents' SELECT: the job's fields, and the event's under `event.`. */
export type ChangeRow = Record<string, unknown>;

/** What an event holds besides its id, job, type and status: SQL over `j` (NULL when not given). */
export interface EventValues {
  attempt?: string;
  progress?: string;
  message?: string;
  data?: string;
}

/** The draw of an event id, for the RETURNING of `j`: after the ordering lock, which `j` joins. */
export const EVENT_ID = `nextval('job_events_id_seq') AS event_id`;

/**
 * The end of every statement that changes jobs, once its CTE `j` returned the changed
 * rows with an `event_id` (EVENT_ID): `e` inserts each job's event, and the statement
 * returns each change, in event order. The event is returned from the values it was
 * inserted with, not joined back from `e`: PostgreSQL plans a join of two CTEs as a
 * nested loop (999 x 999 comparisons for one cascade, 150 ms holding the ordering lock).
 */
export function recordEvents(type: JobEventType, values: EventValues = {}): string {
  const { attempt, progress, message, data } = { attempt: 'j.attempts', progress: 'NULL::float8', message: 'NULL::text', data: 'NULL::jsonb', ...values };
  // The column keeps milliseconds: the change carries the value as stored.
  const createdAt = 'now()::timestamptz(3)';
  const event: Record<keyof typeof EVENT_COLUMNS, string> = {
    id: 'j.event_id', jobId: 'j.id', type: `'${type}'::"JobEventType"`, status: 'j.status', attempt, progress, message, data, createdAt,
  };
  const fields = Object.keys(EVENT_COLUMNS) as (keyof typeof EVENT_COLUMNS)[];
  return `e AS (
     INSERT INTO job_events (${fields.map((field) => EVENT_COLUMNS[field]).join(', ')})
     SELECT ${fields.map((field) => event[field]).join(', ')} FROM j
   )
   SELECT ${selectList('j', JOB_COLUMNS)}, ${fields.map((field) => `${event[field]} AS "${EVENT_PREFIX}${field}"`).join(', ')}
   FROM j ORDER BY j.event_id`;
}

export function toChange(row: ChangeRow, transition: TransitionName): Change {
  const job: Record<string, unknown> = {};
  const event: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(EVENT_PREFIX)) event[key.slice(EVENT_PREFIX.length)] = value;
    else job[key] = value;
  }
  // node-postgres gives bigint columns as strings; the models hold a bigint.
  event.id = BigInt(event.id as string);
  return { job: job as unknown as Job, event: event as unknown as JobEvent, transition };
}

/**
 * A further condition of release and retry (on `jobs`): as many of the jobs it waits for
 * have COMPLETED as it was submitted with. A dependency deleted meanwhile never counts,
 * so such a job waits (and says why) rather than run without it.
 */
// Written as "none of them is not COMPLETED, and none is gone", not as a count of the
// COMPLETED ones: the count made PostgreSQL hash every COMPLETED job of the table once
// per job looked at (1.4 s holding the ordering lock for 999 jobs, measured), where this
// stops at the first edge that is not done, through the primary keys.
export const DEPENDENCIES_DONE = `(jobs.dependency_count = 0 OR (
  NOT EXISTS (SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id WHERE d.job_id = jobs.id AND p.status <> 'COMPLETED')
  AND jobs.dependency_count = (SELECT count(*) FROM job_dependencies d WHERE d.job_id = jobs.id)))`;
