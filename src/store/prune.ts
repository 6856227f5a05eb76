// The statements of retention: deleting finished jobs past their time with their
// events, and the watermark that tells resuming subscribers what they can no longer see.
import type { Db } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { retryConflicts } from './statement.js';
import { JOB_STATUSES, type JobStatus } from '../domain/model.js';

/** A flow goes only when all of it has finished: a waiting job still needs the results (and the edges) it waits for. */
const FLOW_FINISHED = Prisma.sql`(jobs.flow_id IS NULL OR NOT EXISTS (
  SELECT 1 FROM jobs o WHERE o.flow_id = jobs.flow_id AND o.status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED')))`;

/**
 * Retention takes a flow whole, once each of its jobs is past its own status's
 * retention: its COMPLETED jobs (7 days by default) stay as long as a FAILED one (30
 * days) may still be retried, which needs their results and the edges to them. A job
 * holds its flow back by a status no rule prunes (one not finished, or one kept
 * forever), or by having finished within its status's retention: one probe of the
 * (flow_id, status, finished_at) index each, not a read of the whole flow for every
 * candidate (a flow of 1,000 held by one FAILED job is 999 candidates a pass).
 */
function flowPastRetention(rules: PruneRule[]): Prisma.Sql {
  const pruned = new Set<JobStatus>(rules.flatMap((rule) => rule.statuses));
  const kept = JOB_STATUSES.filter((status) => !pruned.has(status));
  const holds = [
    ...(kept.length ? [Prisma.sql`o.status = ANY(${kept}::"JobStatus"[])`] : []),
    ...rules.map((rule) => Prisma.sql`o.status = ANY(${rule.statuses}::"JobStatus"[]) AND o.finished_at >= now() - ${rule.olderThanMs} * interval '1 millisecond'`),
  ];
  return Prisma.sql`(jobs.flow_id IS NULL OR (${Prisma.join(
    holds.map((held) => Prisma.sql`NOT EXISTS (SELECT 1 FROM jobs o WHERE o.flow_id = jobs.flow_id AND ${held})`),
    ' AND ',
  )}))`;
}

/** Name of the watermark row in `maintenance`: the largest event id pruned so far. */
export const EVENTS_PRUNED_THROUGH = 'events_pruned_through';

export interface PruneRule {
  statuses: ('COMPLETED' | 'FAILED' | 'CANCELLED')[];
  /** Jobs finished longer ago than this go; 0 keeps them forever. */
  olderThanMs: number;
}

/**
 * Deletes up to `limit` jobs matching `rule`, with their events, in one statement;
 * rows another transaction holds are skipped (SKIP LOCKED), so pruning never waits on
 * the hot path. A job of a flow goes only with all of it (`rules`: every status's
 * retention; by default only `rule`'s statuses are ever pruned). Raises the watermark to the largest event id deleted.
 */
export async function pruneBatch(db: Db, rule: PruneRule, limit: number, rules: PruneRule[] = [rule]): Promise<{ jobs: number; events: number }> {
  return deleteWithEvents(
    db,
    Prisma.sql`
      SELECT id FROM jobs
      WHERE status = ANY(${rule.statuses}::"JobStatus"[]) AND finished_at < now() - ${rule.olderThanMs} * interval '1 millisecond'
        AND ${flowPastRetention(rules)}
      ORDER BY status, finished_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED`,
  );
}

/**
 * Deletes these jobs, if finished and not of a flow still running, with their events
 * (deleteJobs); the same rule and watermark as pruning.
 */
export async function deleteFinished(db: Db, ids: string[]): Promise<{ jobs: number; events: number }> {
  return deleteWithEvents(
    db,
    Prisma.sql`SELECT id FROM jobs WHERE id = ANY(${ids}::uuid[]) AND status IN ('COMPLETED', 'FAILED', 'CANCELLED') AND ${FLOW_FINISHED} FOR UPDATE SKIP LOCKED`,
  );
}

/**
 * Deletes the jobs `doomed` selects, with their events, in one statement, and raises
 * the watermark to the largest event id deleted: a subscriber resuming below it is told.
 */
async function deleteWithEvents(db: Db, doomed: Prisma.Sql): Promise<{ jobs: number; events: number }> {
  const [row] = await retryConflicts(() => db.$queryRaw<{ jobs: bigint; events: bigint }[]>`
    WITH doomed AS (${doomed}), events AS (
      DELETE FROM job_events e USING doomed WHERE e.job_id = doomed.id RETURNING e.id
    ), gone AS (
      DELETE FROM jobs j USING doomed WHERE j.id = doomed.id RETURNING j.id
    ), mark AS (
      INSERT INTO maintenance (name, value)
      SELECT ${EVENTS_PRUNED_THROUGH}, max(id) FROM events HAVING max(id) IS NOT NULL
      ON CONFLICT (name) DO UPDATE SET value = GREATEST(maintenance.value, EXCLUDED.value)
    )
    SELECT (SELECT count(*) FROM gone) AS jobs, (SELECT count(*) FROM events) AS events`);
  return { jobs: Number(row?.jobs ?? 0), events: Number(row?.events ?? 0) };
}

/** The largest event id ever pruned (0 when none was). */
export async function eventsPrunedThrough(db: Db): Promise<bigint> {
  const row = await db.maintenance.findUnique({ where: { name: EVENTS_PRUNED_THROUGH } });
  return row?.value ?? 0n;
}
