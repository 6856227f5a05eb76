// The statements that move flows on: release what waits for COMPLETED jobs, cancel what
// waits for FAILED or CANCELLED ones, bring back what waits for a retried one. Each is
// one set-based statement over the flow's edges, however many jobs it touches, and they
// run together in one transaction that takes the event-ordering lock first (flowStep).
//
// Why a transaction with the lock first, not single statements: a statement's snapshot
// is taken when it begins, before it waits for the lock, so it may not see a status
// change that committed while it waited. A flow step decides from other jobs' statuses
// (is the job it waits for still FAILED? did all it waits for COMPLETE?), so it must see
// every change committed before it. Taking the lock in the transaction's first
// statement and deciding in the next ones gives exactly that: no status change commits
// while the step runs, and each of its statements sees all that committed before. A
// retry racing the cascade of its own failure, or two completions releasing one job,
// then come out right in whichever order they meet. Only the walks down a flow's edges,
// which may be long, are made before the lock, and checked under it (flowStep).
import type pg from 'pg';
import type { Change, TransitionName } from '../domain/transitions.js';
import { DEPENDENCIES_DONE, EVENT_ID, EVENT_ORDER_LOCK, ORDERED, recordEvents, toChange, type ChangeRow } from './sql.js';
import { run, runIn, statement, transaction } from './statement.js';

/** What an event's message names: the one seed of the job's flow by its key, or several listed. */
const ONE_SEED = 'n.count = 1';

/** Per flow, the seeds' keys: what the messages name. */
const SEED_NAMES = `names AS (
  SELECT flow_id, count(*) AS count, min(coalesce(flow_key, id::text)) AS first, string_agg(coalesce(flow_key, id::text), ', ' ORDER BY flow_key) AS names
  FROM seeds GROUP BY flow_id)`;

/** The seeds of a cascade: those of `$1` that are FAILED or CANCELLED now. */
const ENDED_SEEDS = `seeds AS (
  SELECT id, flow_id, flow_key, status FROM jobs WHERE id = ANY($1::uuid[]) AND status IN ('FAILED', 'CANCELLED') AND flow_id IS NOT NULL)`;

/** The seeds of a reblock: those of `$1` that are no longer FAILED or CANCELLED (retried). */
const RETRIED_SEEDS = `seeds AS (
  SELECT id, flow_id, flow_key FROM jobs WHERE id = ANY($1::uuid[]) AND status NOT IN ('FAILED', 'CANCELLED') AND flow_id IS NOT NULL)`;

/**
 * The jobs downstream of the seeds, walking only through jobs in `status` (past any
 * other there is nothing left to change): `$2` when given (a walk made before the
 * ordering lock and still true under it), else walked here.
 */
const downstream = (status: 'BLOCKED' | 'CANCELLED') => `down(id) AS (
  SELECT unnest($2::uuid[])
  UNION
  SELECT d.job_id FROM seeds s JOIN job_dependencies d ON d.depends_on_id = s.id JOIN jobs c ON c.id = d.job_id AND c.status = '${status}' WHERE $2::uuid[] IS NULL
  UNION
  SELECT d.job_id FROM down JOIN job_dependencies d ON d.depends_on_id = down.id JOIN jobs c ON c.id = d.job_id AND c.status = '${status}' WHERE $2::uuid[] IS NULL)`;

/**
 * A walk made before taking the ordering lock: the jobs downstream, and the newest event
 * id this statement's snapshot sees. Event ids are given out in commit order, so once
 * the lock is held, the walk still holds unless an event newer than that belongs to one
 * of the flows walked (changedSince).
 */
const walk = (seeds: string, status: 'BLOCKED' | 'CANCELLED') => statement<{ ids: string[]; seen: string }>(
  `flows.walk${status}`,
  `WITH RECURSIVE ${seeds}, ${downstream(status)}
   SELECT ARRAY(SELECT id FROM down) AS ids, (SELECT coalesce(max(id), 0) FROM job_events)::text AS seen`,
);
const WALK_CASCADE = walk(ENDED_SEEDS, 'BLOCKED');
const WALK_REBLOCK = walk(RETRIED_SEEDS, 'CANCELLED');

/** Whether any job of the flows of `$2` changed after event `$1`. */
const CHANGED_SINCE = statement<{ changed: boolean }>(
  'flows.changedSince',
  `SELECT EXISTS (
     SELECT 1 FROM job_events e JOIN jobs j ON j.id = e.job_id
     WHERE e.id > $1::bigint AND j.flow_id IN (SELECT flow_id FROM jobs WHERE id = ANY($2::uuid[]))) AS changed`,
);

/**
 * Cancels every BLOCKED job downstream of the seeds that are FAILED or CANCELLED now,
 * with a CANCELLED event naming what it waited for.
 */
const CASCADE = statement<ChangeRow>(
  'flows.cascade',
  `WITH RECURSIVE ${ORDERED}, ${ENDED_SEEDS}, ${downstream('BLOCKED')}, ${SEED_NAMES}, endings AS (
     SELECT flow_id, string_agg(DISTINCT status::text, ' or ') AS ended FROM seeds GROUP BY flow_id
   ), x AS (
     SELECT down.id, 'cancelled: ' || CASE WHEN ${ONE_SEED} THEN n.first || ', which it depends on,' ELSE 'jobs it depends on (' || left(n.names, 300) || ')' END
            || ' ended ' || e.ended AS message
     FROM down JOIN jobs c ON c.id = down.id JOIN names n ON n.flow_id = c.flow_id JOIN endings e ON e.flow_id = c.flow_id
   ), j AS (
     UPDATE jobs SET status = 'CANCELLED', updated_at = now(), finished_at = now()
     FROM x, ordered WHERE jobs.id = x.id AND jobs.status = 'BLOCKED'
     RETURNING jobs.*, x.message AS x_message, ${EVENT_ID}
   ), ${recordEvents('CANCELLED', { message: 'j.x_message' })}`,
);

/**
 * Brings back (CANCELLED to BLOCKED, with a fresh set of attempts) every CANCELLED job
 * downstream of the seeds that are not FAILED or CANCELLED now (retried). A seed that
 * failed again before this ran brings nothing back: its own cascade already found its
 * downstream CANCELLED.
 */
const REBLOCK = statement<ChangeRow>(
  'flows.reblock',
  `WITH RECURSIVE ${ORDERED}, ${RETRIED_SEEDS}, ${downstream('CANCELLED')}, ${SEED_NAMES}, x AS (
     SELECT down.id, 'brought back: ' || CASE WHEN ${ONE_SEED} THEN n.first || ', which it depends on, was retried'
            ELSE 'jobs it depends on (' || left(n.names, 300) || ') were retried' END AS message
     FROM down JOIN jobs c ON c.id = down.id JOIN names n ON n.flow_id = c.flow_id
   ), j AS (
     UPDATE jobs SET status = 'BLOCKED', updated_at = now(), attempts = 0, progress = 0, result = NULL, result_bytes = 0, last_delay_ms = NULL, last_attempt_error = NULL, finished_at = NULL
     FROM x, ordered WHERE jobs.id = x.id AND jobs.status = 'CANCELLED'
     RETURNING jobs.*, x.message AS x_message, ${EVENT_ID}
   ), ${recordEvents('RETRIED', { message: 'j.x_message' })}`,
);

/**
 * Releases every BLOCKED job that waits for one of `$1` (just COMPLETED) or is one of
 * `$2`, once all it waits for has COMPLETED: to SCHEDULED while its own runAt is ahead,
 * else PENDING, each with its RELEASED event.
 */
const RELEASE = statement<ChangeRow>(
  'flows.release',
  `WITH ${ORDERED}, x AS (
     SELECT d.job_id AS id FROM job_dependencies d WHERE d.depends_on_id = ANY($1::uuid[])
     UNION SELECT unnest($2::uuid[])
   ), j AS (
     UPDATE jobs SET status = CASE WHEN jobs.run_at > now() THEN 'SCHEDULED'::"JobStatus" ELSE 'PENDING'::"JobStatus" END, updated_at = now()
     FROM x, ordered
     WHERE jobs.id = x.id AND jobs.status = 'BLOCKED' AND ${DEPENDENCIES_DONE}
     RETURNING jobs.*, ${EVENT_ID}
   ), ${recordEvents('RELEASED')}`,
);

/** The FAILED or CANCELLED jobs these wait for: what the brought-back and swept must be cancelled behind. */
const ENDED_DEPENDENCIES = statement<{ id: string }>(
  'flows.endedDependencies',
  `SELECT DISTINCT p.id FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id
   WHERE d.job_id = ANY($1::uuid[]) AND p.status IN ('FAILED', 'CANCELLED')`,
);

const LOCK = `SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})`;

/** What happened to flow jobs since the last step, for one step to act on. */
export interface FlowStep {
  /** Jobs that COMPLETED: what waits for them may be released. */
  completed: string[];
  /** Jobs that ended FAILED or CANCELLED: what waits for them is cancelled. */
  ended: string[];
  /** Jobs a client retried: what was cancelled downstream of them waits again. */
  retried: string[];
  /** BLOCKED jobs to look at whatever they wait for (the sweep after a crash). */
  blocked: string[];
}

/**
 * Moves flows on after `step`, in one transaction: brings back what waits for retried
 * jobs, cancels what waits for ended ones (and what was brought back behind a job that
 * has ended since), then releases what is ready. Returns every change made, in event order.
 *
 * The walks through a flow's edges (a chain of 1,000 jobs is 1,000 steps of a recursive
 * query) are made before the ordering lock, which every writer of every tenant waits
 * for; under the lock they are used only if nothing in their flows changed meanwhile,
 * else walked again. The lock is then held for the writes alone.
 */
export async function flowStep(pool: pg.Pool, step: FlowStep): Promise<Change[]> {
  return transaction(pool, async (client) => {
    const walked = {
      back: step.retried.length ? (await runIn(client, WALK_REBLOCK, [step.retried, null]))[0] : undefined,
      down: step.ended.length ? (await runIn(client, WALK_CASCADE, [step.ended, null]))[0] : undefined,
    };
    await client.query(LOCK);
    // The first walk's snapshot is the older one.
    const seen = (walked.back ?? walked.down)?.seen;
    const fresh = seen !== undefined && !(await runIn(client, CHANGED_SINCE, [seen, [...step.retried, ...step.ended]]))[0]?.changed;
    const changes: Change[] = [];
    const made = (rows: ChangeRow[], transition: TransitionName) => changes.push(...rows.map((row) => toChange(row, transition)));
    const back = step.retried.length ? await runIn(client, REBLOCK, [step.retried, fresh ? walked.back?.ids : null]) : [];
    made(back, 'reblock');
    const backIds = back.map((row) => row.id as string);
    const looked = [...backIds, ...step.blocked];
    const extraSeeds = looked.length ? (await runIn(client, ENDED_DEPENDENCIES, [looked])).map((row) => row.id) : [];
    const seeds = [...step.ended, ...extraSeeds];
    // The walk before the lock went through BLOCKED jobs as they were: not through those this step brought back.
    const down = fresh && backIds.length === 0 && extraSeeds.length === 0 ? walked.down?.ids : undefined;
    if (seeds.length) made(await runIn(client, CASCADE, [seeds, down ?? null]), 'cascade');
    if (step.completed.length || looked.length) made(await runIn(client, RELEASE, [step.completed, looked]), 'release');
    return changes;
  });
}

/** BLOCKED jobs whose dependencies all COMPLETED, or one of which ended otherwise: what a lost step left (the reconciler's sweep). */
const STRANDED = statement<{ id: string }>(
  'flows.stranded',
  `SELECT j.id FROM jobs j
   WHERE j.status = 'BLOCKED' AND (
     EXISTS (SELECT 1 FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id WHERE d.job_id = j.id AND p.status IN ('FAILED', 'CANCELLED'))
     OR j.dependency_count = (SELECT count(*) FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id WHERE d.job_id = j.id AND p.status = 'COMPLETED'))
   LIMIT $1`,
);

export async function strandedBlocked(pool: pg.Pool, limit: number): Promise<string[]> {
  return (await run(pool, STRANDED, [limit])).map((row) => row.id);
}
