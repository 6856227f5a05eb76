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
import type { Job, JobEvent } from '../domain/model.js';
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
export const CHANGE_SELECT = `${selectList('j', JOB_COLUMNS)}, ${selectList('e', EVENT_COLUMNS, EVENT_PREFIX)}`;

/** A row of CHANGE_SELECT: the job's fields, and the event's under `event.`. */
export type ChangeRow = Record<string, unknown>;

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
export const DEPENDENCIES_DONE = `(jobs.dependency_count = 0 OR jobs.dependency_count = (
  SELECT count(*) FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id WHERE d.job_id = jobs.id AND p.status = 'COMPLETED'))`;
