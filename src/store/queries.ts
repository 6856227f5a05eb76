// Reading jobs: lists with keyset pagination, counts, history. Lists are raw SQL so
// that the page condition is a row comparison, `(created_at, id) < ($1, $2)`, which
// PostgreSQL answers from the matching index however deep the page is (Prisma's cursor
// option would look the cursor row up first and expand the comparison into ORs).
import { parseCursorConnectionArgs } from '@pothos/core';
import type { Reach } from '../domain/reach.js';
import type { Db } from '../db/client.js';
import { Prisma } from '../generated/prisma/client.js';
import { decodeCursor, encodeCursor, type JobOrderField, type OrderDirection, type SortValue } from '../domain/cursor.js';

export type { JobOrderField, OrderDirection };
import { checkJobId, parseEventId } from '../domain/ids.js';
import { FINAL_STATUSES, JOB_STATUSES, type Job, type JobEvent, type JobStatus, type JobSummary } from '../domain/model.js';
import { checkFilterList, checkFilterText, checkInstant, InvalidArgumentError } from '../domain/errors.js';
import type { EventFilter, LiveEvent } from '../domain/events.js';
import { eventsPrunedThrough } from './prune.js';
import { JOB_SUMMARY_SELECT_J } from './columns.js';

/** A line a handler logged (Job.logs). */
export interface JobLogLine {
  id: bigint;
  jobId: string;
  attempt: number;
  level: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  message: string;
  data: unknown;
  at: Date;
}


export interface JobFilter {
  status?: JobStatus[] | null;
  type?: string[] | null;
  queue?: string[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  idempotencyKey?: string | null;
  /** Jobs carrying every one of these tags. */
  tags?: string[] | null;
  /** Jobs whose payload contains this JSON (PostgreSQL's @>). */
  payloadContains?: unknown;
  /** Only these jobs (the running jobs of a worker); not a client's filter. */
  ids?: readonly string[];
}

/** What a flows list is filtered by (FlowFilter). */
export interface FlowListFilter {
  status?: FlowStatus[] | null;
  /** Flows whose name starts with this. */
  name?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export type FlowStatus = 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';

/** A flow summed up from its jobs (within reach), for a list. */
export interface FlowSummary {
  id: string;
  name: string | null;
  status: FlowStatus;
  createdAt: Date;
  finishedAt: Date | null;
  jobCount: number;
}

/** Jobs that finished in one time bucket (finishedOverTime). */
export interface FinishedCount {
  at: Date;
  completed: number;
  failed: number;
  cancelled: number;
}

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

export const PAGE = { defaultSize: 50, maxSize: 500 } as const;

/** The large columns of events and log lines: read only when asked for. */
const LARGE_COLUMNS = ['message', 'data'] as const;

/** Which large columns a response asks for, and how many bytes of them it may still carry. */
export interface LargeColumns {
  large: readonly (typeof LARGE_COLUMNS)[number][];
  maxBytes: number;
}

/** Pages of many jobs, and the bytes of their large columns (read only if they fit). */
export interface Pages<T> {
  pages: Page<T>[];
  bytes: number;
}

/** How many items a page asked for with these arguments may hold: what its fields cost. */
export function pageSize(args: PageArgs): number {
  return Math.min(Math.max(args.first ?? args.last ?? PAGE.defaultSize, 0), PAGE.maxSize);
}

const OMIT_LARGE = { payload: true, result: true } as const;

// Each order is a list of columns ending in the unique id, so every row has one place.
const ORDERS: Record<JobOrderField, { columns: string[]; shape: ('date' | 'int' | 'uuid')[]; key: (job: JobSummary) => SortValue[] }> = {
  CREATED_AT: { columns: ['created_at', 'id'], shape: ['date', 'uuid'], key: (job) => [job.createdAt.toISOString(), job.id] },
  UPDATED_AT: { columns: ['updated_at', 'id'], shape: ['date', 'uuid'], key: (job) => [job.updatedAt.toISOString(), job.id] },
  PRIORITY: {
    columns: ['priority', 'created_at', 'id'],
    shape: ['int', 'date', 'uuid'],
    key: (job) => [job.priority, job.createdAt.toISOString(), job.id],
  },
};

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** Checks first/last/after/before and works out what to fetch, as Relay's spec says. */
function pageWindow(args: PageArgs) {
  for (const name of ['first', 'last'] as const) {
    const size = args[name];
    if (size != null && (size < 0 || size > PAGE.maxSize)) throw new InvalidArgumentError([name], `must be between 0 and ${PAGE.maxSize}`);
  }
  return parseCursorConnectionArgs({ args, defaultSize: PAGE.defaultSize, maxSize: PAGE.maxSize });
}

/** Trims the extra row fetched to learn whether another page exists, and builds edges. */
function toPage<T>(rows: T[], window: ReturnType<typeof pageWindow>, cursor: (row: T) => string): Page<T> {
  const nodes = rows.slice(0, window.expectedSize);
  if (window.inverted) nodes.reverse();
  const edges = nodes.map((node) => ({ cursor: cursor(node), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: window.hasNextPage(rows.length),
      hasPreviousPage: window.hasPreviousPage(rows.length),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function filterSql(filter: JobFilter | null | undefined): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (!filter) return where;
  for (const name of ['status', 'type', 'queue', 'tags'] as const) checkFilterList(['filter', name], filter[name]);
  if (filter.idempotencyKey != null) checkFilterText(['filter', 'idempotencyKey'], filter.idempotencyKey);
  for (const name of ['createdAfter', 'createdBefore'] as const) checkInstant(['filter', name], filter[name]);
  if (filter.status) where.push(Prisma.sql`status = ANY(${filter.status}::"JobStatus"[])`);
  if (filter.type) where.push(Prisma.sql`type = ANY(${filter.type}::text[])`);
  if (filter.queue) where.push(Prisma.sql`queue = ANY(${filter.queue}::text[])`);
  if (filter.createdAfter) where.push(Prisma.sql`created_at > ${filter.createdAfter}`);
  if (filter.createdBefore) where.push(Prisma.sql`created_at < ${filter.createdBefore}`);
  if (filter.idempotencyKey != null) where.push(Prisma.sql`idempotency_key = ${filter.idempotencyKey}`);
  // Containment, which the GIN index on tags answers.
  if (filter.tags?.length) where.push(Prisma.sql`tags @> ${filter.tags}::text[]`);
  // Containment too, which the GIN index on payload (jsonb_path_ops) answers.
  if (filter.payloadContains != null) where.push(Prisma.sql`payload @> ${checkPayloadFilter(filter.payloadContains)}::jsonb`);
  if (filter.ids) where.push(Prisma.sql`id = ANY(${[...filter.ids]}::uuid[])`);
  return where;
}

/** Jobs that have finished (FINAL_STATUSES): the (status, finished_at) index answers it with finished_at. */
const FINISHED = Prisma.sql`status = ANY(${[...FINAL_STATUSES]}::"JobStatus"[])`;

/** Largest payloadContains, as JSON text: a filter, not a document. */
export const PAYLOAD_FILTER_MAX_BYTES = 4096;

/** The payloadContains filter as JSON text, refused past its bound or with text PostgreSQL cannot store, naming the field. */
function checkPayloadFilter(value: unknown): string {
  const field = ['filter', 'payloadContains'];
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) > PAYLOAD_FILTER_MAX_BYTES) throw new InvalidArgumentError(field, `at most ${PAYLOAD_FILTER_MAX_BYTES} bytes of JSON`);
  // jsonb holds no NUL character (\u0000) and no unpaired surrogate.
  if (json.includes('\\u0000') || !json.isWellFormed()) throw new InvalidArgumentError(field, 'JSON without NUL characters or unpaired surrogates');
  return json;
}

/** The conditions that keep a statement to the jobs (aliased `alias`) a caller reaches. */
export function reachSql(reach: Reach, alias = 'jobs'): Prisma.Sql[] {
  const column = (name: string) => Prisma.raw(`${alias}.${name}`);
  const where: Prisma.Sql[] = [];
  if (reach.tenant !== undefined) where.push(Prisma.sql`${column('tenant')} = ${reach.tenant}`);
  if (reach.owner !== undefined) where.push(Prisma.sql`${column('owner')} = ${reach.owner}`);
  if (reach.jobId !== undefined) where.push(Prisma.sql`${column('id')} = ${reach.jobId}::uuid`);
  return where;
}

const whereAll = (where: Prisma.Sql[]) => (where.length ? Prisma.sql`WHERE ${Prisma.join(where, ' AND ')}` : Prisma.empty);

function rowCompare(columns: string[], op: '<' | '>', values: SortValue[], shape: ('date' | 'int' | 'uuid')[]): Prisma.Sql {
  const casts = { date: 'timestamptz', int: 'int', uuid: 'uuid' } as const;
  const right = Prisma.join(values.map((value, index) => Prisma.sql`${value}::${Prisma.raw(casts[shape[index] as 'date'])}`));
  return Prisma.sql`(${Prisma.raw(columns.join(', '))}) ${Prisma.raw(op)} (${right})`;
}

export class JobQueries {
  constructor(private readonly db: Db) {}

  /** Where a job stands: enough to decide what its queue entry should become. */
  async statusOf(id: string): Promise<{ status: JobStatus; runAt: Date | null } | null> {
    return this.db.job.findUnique({ where: { id }, select: { status: true, runAt: true } });
  }

  /** The jobs holding these idempotency keys in a scope (whoever stored them first). */
  async byIdempotencyKeys(scope: string, keys: string[]): Promise<Job[]> {
    return keys.length ? this.db.job.findMany({ where: { idempotencyScope: scope, idempotencyKey: { in: keys } } }) : [];
  }

  /** A page, in id order after `after`, of the jobs in these statuses (the reconciler's scan). */
  async inStatuses(statuses: readonly JobStatus[], after: string | null, limit: number): Promise<Job[]> {
    return this.db.job.findMany({
      where: { status: { in: [...statuses] }, ...(after ? { id: { gt: after } } : {}) },
      orderBy: { id: 'asc' },
      take: limit,
    });
  }

  /** Jobs by queue and status (every tenant), as the job_counts triggers keep them. */
  async counts(): Promise<{ queue: string; status: JobStatus; count: number }[]> {
    const rows = await this.db.jobCount.groupBy({ by: ['queue', 'status'], _sum: { count: true } });
    return rows.map((row) => ({ queue: row.queue, status: row.status, count: Number(row._sum.count ?? 0) }));
  }

  /** The job, if the caller reaches it (else null, as if it did not exist). */
  async byId(id: string, reach: Reach): Promise<JobSummary | null> {
    const jobId = checkJobId(['id'], id);
    if (reach.jobId !== undefined && reach.jobId !== jobId) return null;
    // undefined leaves a condition out.
    return this.db.job.findUnique({ where: { id: jobId, tenant: reach.tenant, owner: reach.owner }, omit: OMIT_LARGE });
  }

  /** The results of the jobs a flow's job depends on, by their keys (a handler's ctx.dependencies). */
  async dependencyResults(jobId: string): Promise<Record<string, unknown>> {
    const rows = await this.db.$queryRaw<{ key: string | null; id: string; result: unknown }[]>`
      SELECT p.flow_key AS key, p.id, p.result FROM job_dependencies d JOIN jobs p ON p.id = d.depends_on_id WHERE d.job_id = ${jobId}::uuid`;
    return Object.fromEntries(rows.map((row) => [row.key ?? row.id, row.result]));
  }

  /** The jobs of a flow the caller reaches, in the order they were given (their ids are time-ordered). */
  async flowJobs(flowId: string, reach: Reach): Promise<JobSummary[]> {
    const rows = await this.db.$queryRaw<JobSummary[]>`
      SELECT ${JOB_SUMMARY_SELECT_J} FROM jobs j ${whereAll([Prisma.sql`j.flow_id = ${flowId}::uuid`, ...reachSql(reach, 'j')])} ORDER BY j.id`;
    return rows;
  }

  /**
   * A page of flows, newest first (their ids are UUIDv7: in creation order), each read
   * as a summary of its jobs within reach. At most `scan` flows are looked at: the
   * distinct flow ids come from the flow_id index one probe at a time (a loose index
   * scan), then one statement sums up their jobs. A status filter can leave fewer than
   * `limit` on a page; `scanned` says where the next page starts.
   */
  async flowSummaries(filter: FlowListFilter, after: string | null, limit: number, scan: number, reach: Reach): Promise<{ flows: FlowSummary[]; scanned: string | null; more: boolean }> {
    const each = [Prisma.sql`j.flow_id IS NOT NULL`, ...reachSql(reach, 'j')];
    if (filter.name) {
      checkFilterText(['filter', 'name'], filter.name);
      each.push(Prisma.sql`j.flow_name LIKE ${`${filter.name.replace(/[\\%_]/g, '\\$&')}%`}`);
    }
    for (const name of ['createdAfter', 'createdBefore'] as const) checkInstant(['filter', name], filter[name]);
    if (filter.createdAfter) each.push(Prisma.sql`j.created_at > ${filter.createdAfter}`);
    if (filter.createdBefore) each.push(Prisma.sql`j.created_at < ${filter.createdBefore}`);
    const conditions = Prisma.join(each, ' AND ');
    const top = after ?? 'ffffffff-ffff-ffff-ffff-ffffffffffff';
    const ids = await this.db.$queryRaw<{ id: string }[]>`
      WITH RECURSIVE ids(id, n) AS (
        (SELECT j.flow_id, 1 FROM jobs j WHERE ${conditions} AND j.flow_id < ${top}::uuid ORDER BY j.flow_id DESC LIMIT 1)
        UNION ALL
        SELECT (SELECT j.flow_id FROM jobs j WHERE ${conditions} AND j.flow_id < ids.id ORDER BY j.flow_id DESC LIMIT 1), n + 1
        FROM ids WHERE ids.id IS NOT NULL AND n <= ${scan}
      )
      SELECT id FROM ids WHERE id IS NOT NULL`;
    // One more than scanned says whether there is more.
    const more = ids.length > scan;
    const candidates = ids.slice(0, scan).map((row) => row.id);
    if (candidates.length === 0) return { flows: [], scanned: null, more: false };
    const summaries = await this.db.$queryRaw<FlowSummary[]>`
      SELECT j.flow_id AS id, min(j.flow_name) AS name, min(j.created_at) AS "createdAt", count(*)::int AS "jobCount",
             CASE WHEN bool_or(NOT (j.status = ANY(${[...FINAL_STATUSES]}::"JobStatus"[]))) THEN 'RUNNING'
                  WHEN bool_or(j.status = 'FAILED') THEN 'FAILED'
                  WHEN bool_or(j.status = 'CANCELLED') THEN 'CANCELLED'
                  ELSE 'COMPLETED' END AS status,
             max(j.finished_at) AS "finishedAt"
      FROM jobs j ${whereAll([Prisma.sql`j.flow_id = ANY(${candidates}::uuid[])`, ...reachSql(reach, 'j')])}
      GROUP BY j.flow_id ORDER BY j.flow_id DESC`;
    const wanted = filter.status?.length ? summaries.filter((flow) => filter.status?.includes(flow.status)) : summaries;
    // A page ends at its `limit`-th flow, or at the last one looked at.
    const page = wanted.slice(0, limit);
    const lastShown = page.length === limit ? (page.at(-1) as FlowSummary).id : (candidates.at(-1) as string);
    const moreAfter = page.length === limit ? candidates.indexOf(lastShown) < candidates.length - 1 || more : more;
    return { flows: page.map((flow) => ({ ...flow, finishedAt: flow.status === 'RUNNING' ? null : flow.finishedAt })), scanned: lastShown, more: moreAfter };
  }

  /** The jobs each of these waits for (Job.dependsOn), within reach, in the order asked. */
  async dependenciesOf(jobIds: readonly string[], reach: Reach): Promise<JobSummary[][]> {
    const rows = await this.db.$queryRaw<(JobSummary & { dependentId: string })[]>`
      SELECT ${JOB_SUMMARY_SELECT_J}, d.job_id AS "dependentId" FROM job_dependencies d JOIN jobs j ON j.id = d.depends_on_id
      ${whereAll([Prisma.sql`d.job_id = ANY(${[...new Set(jobIds)]}::uuid[])`, ...reachSql(reach, 'j')])} ORDER BY j.id`;
    const byDependent = new Map<string, JobSummary[]>();
    for (const { dependentId, ...job } of rows) {
      let list = byDependent.get(dependentId);
      if (!list) byDependent.set(dependentId, (list = []));
      list.push(job as JobSummary);
    }
    return jobIds.map((id) => byDependent.get(id) ?? []);
  }

  /** Whose a job is: what decides whether a caller reaches it. */
  async ownerOf(id: string): Promise<{ id: string; tenant: string; owner: string | null } | null> {
    return this.db.job.findUnique({ where: { id }, select: { id: true, tenant: true, owner: true } });
  }

  /** Jobs by id, in the order asked, for the per-request data loader. */
  async byIds(ids: readonly string[]): Promise<(JobSummary | null)[]> {
    const jobs = await this.db.job.findMany({ where: { id: { in: [...ids] } }, omit: OMIT_LARGE });
    const byId = new Map(jobs.map((job) => [job.id, job]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /** One large column (payload or result) of many jobs, in the order asked. */
  async largeField(field: 'payload' | 'result', ids: readonly string[]): Promise<unknown[]> {
    const rows = await this.db.$queryRaw<{ id: string; value: unknown }[]>`
      SELECT id, ${Prisma.raw(field)} AS value FROM jobs WHERE id = ANY(${[...ids]}::uuid[])`;
    const byId = new Map(rows.map((row) => [row.id, row.value]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  /**
   * The jobs' latest attempt errors (Job.lastAttemptError) and their stored size; past
   * `maxBytes` in all, the rest are not read (the caller's budget then refuses the response).
   */
  async attemptErrors(ids: readonly string[], maxBytes: number): Promise<{ values: unknown[]; bytes: number }> {
    const rows = await this.db.$queryRaw<{ id: string; value: unknown; bytes: number }[]>`
      SELECT id, bytes, CASE WHEN running <= ${maxBytes} THEN last_attempt_error END AS value
      FROM (SELECT id, last_attempt_error, octet_length(last_attempt_error::text)::int AS bytes,
                   sum(octet_length(last_attempt_error::text)) OVER (ORDER BY id) AS running
            FROM jobs WHERE id = ANY(${[...ids]}::uuid[]) AND last_attempt_error IS NOT NULL) errors`;
    const byId = new Map(rows.map((row) => [row.id, row.value]));
    return { values: ids.map((id) => byId.get(id) ?? null), bytes: rows.reduce((sum, row) => sum + row.bytes, 0) };
  }

  async list(
    filter: JobFilter | null | undefined,
    order: { field: JobOrderField; direction: OrderDirection },
    args: PageArgs,
    reach: Reach,
  ): Promise<Page<JobSummary>> {
    const window = pageWindow(args);
    const { columns, shape, key } = ORDERS[order.field];
    const where = [...filterSql(filter), ...reachSql(reach, 'j')];
    const descending = order.direction === 'DESC';
    for (const name of ['after', 'before'] as const) {
      const cursor = window[name];
      if (cursor === undefined) continue;
      const values = decodeCursor(cursor, order.field, shape);
      if (!values) throw new InvalidArgumentError([name], `not a cursor of this list (ordered by ${order.field})`);
      // "after" means further along the requested order; "before" means earlier.
      const forward = name === 'after';
      where.push(rowCompare(columns, forward === descending ? '<' : '>', values, shape));
    }
    const scanDescending = descending !== window.inverted;
    const direction = Prisma.raw(scanDescending ? 'DESC' : 'ASC');
    const orderBy = Prisma.join(columns.map((column) => Prisma.sql`${Prisma.raw(column)} ${direction}`));
    const rows = await this.db.$queryRaw<JobSummary[]>`
      SELECT ${JOB_SUMMARY_SELECT_J} FROM jobs j
      ${whereAll(where)}
      ORDER BY ${orderBy}
      LIMIT ${window.limit}`;
    return toPage(rows, window, (job) => encodeCursor(order.field, key(job)));
  }

  /**
   * Jobs that finished since `since`, per bucket of `bucketSeconds` (starting at
   * multiples of it since the epoch), within reach and optionally one queue: buckets
   * with none are left out. The (status, finished_at) index answers it.
   */
  async finishedOverTime(since: Date, bucketSeconds: number, queue: string | null, reach: Reach): Promise<FinishedCount[]> {
    const where = [FINISHED, Prisma.sql`finished_at >= ${since}`, ...reachSql(reach)];
    if (queue !== null) where.push(Prisma.sql`queue = ${queue}`);
    const rows = await this.db.$queryRaw<{ bucket: bigint; completed: bigint; failed: bigint; cancelled: bigint }[]>`
      SELECT floor(extract(epoch FROM finished_at) / ${bucketSeconds})::bigint AS bucket,
             count(*) FILTER (WHERE status = 'COMPLETED') AS completed,
             count(*) FILTER (WHERE status = 'FAILED') AS failed,
             count(*) FILTER (WHERE status = 'CANCELLED') AS cancelled
      FROM jobs ${whereAll(where)}
      GROUP BY 1 ORDER BY 1`;
    return rows.map((row) => ({ at: new Date(Number(row.bucket) * bucketSeconds * 1000), completed: Number(row.completed), failed: Number(row.failed), cancelled: Number(row.cancelled) }));
  }

  async count(filter: JobFilter | null | undefined, reach: Reach): Promise<number> {
    const where = [...filterSql(filter), ...reachSql(reach)];
    const [row] = await this.db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM jobs ${whereAll(where)}`;
    return Number(row?.count ?? 0);
  }

  /** How many jobs match the filter within reach and these statuses, counting at most `limit` (bulk actions). */
  async countMatching(filter: JobFilter, reach: Reach, statuses: readonly JobStatus[], limit: number): Promise<number> {
    const where = [...filterSql(filter), ...reachSql(reach), Prisma.sql`status = ANY(${[...statuses]}::"JobStatus"[])`];
    const [row] = await this.db.$queryRaw<{ count: bigint }[]>`SELECT count(*) AS count FROM (SELECT 1 FROM jobs ${whereAll(where)} LIMIT ${limit}) AS matching`;
    return Number(row?.count ?? 0);
  }

  /** A page, in id order after `after`, of the ids of those jobs (a bulk action's next batch). */
  async idsMatching(filter: JobFilter, reach: Reach, statuses: readonly JobStatus[], after: string | null, limit: number): Promise<string[]> {
    const where = [...filterSql(filter), ...reachSql(reach), Prisma.sql`status = ANY(${[...statuses]}::"JobStatus"[])`];
    if (after !== null) where.push(Prisma.sql`id > ${after}::uuid`);
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT id FROM jobs ${whereAll(where)} ORDER BY id LIMIT ${limit}`;
    return rows.map((row) => row.id);
  }

  /**
   * Per queue, within reach: since when the job that has waited longest has waited (its
   * runAt, or its submission; PENDING jobs only, which nothing but a free slot holds
   * back), and how many jobs finished in the last minute. Two statements for every queue.
   */
  async queueActivity(reach: Reach): Promise<Map<string, { waitingSince: Date | null; finishedLastMinute: number }>> {
    const [waiting, finished] = await Promise.all([
      this.db.$queryRaw<{ queue: string; since: Date }[]>`
        SELECT queue, min(coalesce(run_at, created_at)) AS since FROM jobs ${whereAll([Prisma.sql`status = 'PENDING'`, ...reachSql(reach)])} GROUP BY queue`,
      this.db.$queryRaw<{ queue: string; count: bigint }[]>`
        SELECT queue, count(*) AS count FROM jobs
        ${whereAll([FINISHED, Prisma.sql`finished_at > now() - interval '1 minute'`, ...reachSql(reach)])} GROUP BY queue`,
    ]);
    const activity = new Map<string, { waitingSince: Date | null; finishedLastMinute: number }>();
    const of = (queue: string) => activity.get(queue) ?? activity.set(queue, { waitingSince: null, finishedLastMinute: 0 }).get(queue)!;
    for (const row of waiting) of(row.queue).waitingSince = row.since;
    for (const row of finished) of(row.queue).finishedLastMinute = Number(row.count);
    return activity;
  }

  /** Jobs RUNNING now, per queue and per tenant, from job_counts (a few rows, whatever the size of jobs). */
  async runningCounts(): Promise<{ byQueue: Map<string, number>; byTenant: Map<string, number> }> {
    const rows = await this.db.$queryRaw<{ tenant: string; queue: string; count: bigint }[]>`
      SELECT tenant, queue, sum(count) AS count FROM job_counts WHERE status = 'RUNNING' GROUP BY tenant, queue HAVING sum(count) > 0`;
    const byQueue = new Map<string, number>();
    const byTenant = new Map<string, number>();
    for (const row of rows) {
      byQueue.set(row.queue, (byQueue.get(row.queue) ?? 0) + Number(row.count));
      byTenant.set(row.tenant, (byTenant.get(row.tenant) ?? 0) + Number(row.count));
    }
    return { byQueue, byTenant };
  }

  /** Counts by status, for one queue or all, of the jobs the caller reaches. */
  async stats(queue: string | null | undefined, reach: Reach): Promise<{ queue: string | null; total: number } & Record<Lowercase<JobStatus>, number>> {
    // job_counts is kept by triggers: a few rows per tenant, whatever the size of jobs.
    // One owner's or one job's are counted from jobs (the owner's index bounds it).
    const rows =
      reach.owner !== undefined || reach.jobId !== undefined
        ? await this.db.$queryRaw<{ status: JobStatus; count: bigint }[]>`
            SELECT status, count(*) AS count FROM jobs
            ${whereAll([...reachSql(reach), ...(queue == null ? [] : [Prisma.sql`queue = ${queue}`])])} GROUP BY status`
        : await this.db.jobCount.findMany({ where: { ...(queue == null ? {} : { queue }), ...(reach.tenant === undefined ? {} : { tenant: reach.tenant }) } });
    const counts = Object.fromEntries(JOB_STATUSES.map((status) => [status.toLowerCase(), 0])) as Record<Lowercase<JobStatus>, number>;
    for (const row of rows) counts[row.status.toLowerCase() as Lowercase<JobStatus>] += Number(row.count);
    return { queue: queue ?? null, total: rows.reduce((sum, row) => sum + Number(row.count), 0), ...counts };
  }

  /**
   * The histories of many jobs, oldest first, one page each: one statement however many
   * jobs a list holds (a lateral join walks each job's index range). Cursors are event ids.
   */
  events(jobIds: readonly string[], args: PageArgs, asked: LargeColumns): Promise<Pages<JobEvent>> {
    return this.perJob<JobEvent>('job_events', ['e.type', 'e.status', 'e.attempt', 'e.progress', 'e.created_at AS "createdAt"'], jobIds, args, asked);
  }

  /** What the handlers of many jobs logged, oldest first, one page each, as events are read. Cursors are log line ids. */
  logs(jobIds: readonly string[], args: PageArgs, asked: LargeColumns): Promise<Pages<JobLogLine>> {
    return this.perJob<JobLogLine>('job_logs', ['e.attempt', 'e.level', 'e.at'], jobIds, args, asked);
  }

  /**
   * Rows of `table` (keyed by job_id and a bigint id), one page per job, in one statement.
   * Of the large columns (message, data) only those asked for are read, and only if all
   * of them together fit in `asked.maxBytes`: PostgreSQL sums their sizes first, so an
   * answer over the budget never leaves the database (`bytes` says what it would be).
   */
  private async perJob<Row extends { id: bigint; jobId: string }>(
    table: 'job_events' | 'job_logs',
    columns: string[],
    jobIds: readonly string[],
    args: PageArgs,
    asked: LargeColumns,
  ): Promise<Pages<Row>> {
    const window = pageWindow(args);
    const where: Prisma.Sql[] = [Prisma.sql`e.job_id = p.job_id`];
    for (const name of ['after', 'before'] as const) {
      const cursor = window[name];
      if (cursor === undefined) continue;
      const id = parseEventId(cursor);
      if (id === null) throw new InvalidArgumentError([name], `not a cursor of this list (an ${table === 'job_logs' ? 'log line' : 'event'} id)`);
      where.push(name === 'after' ? Prisma.sql`e.id > ${id}` : Prisma.sql`e.id < ${id}`);
    }
    // Column names are fixed texts of this file, never input.
    const size = asked.large.length ? asked.large.map((column) => `coalesce(octet_length(r.${column}${column === 'data' ? '::text' : ''}), 0)`).join(' + ') : '0';
    const maxBytes = Math.max(0, Math.floor(asked.maxBytes));
    const large = LARGE_COLUMNS.map((column) => (asked.large.includes(column) ? `CASE WHEN total.bytes <= ${maxBytes} THEN r.${column} END AS ${column}` : `NULL AS ${column}`));
    const rows = await this.db.$queryRaw<(Row & { totalBytes: bigint })[]>`
      WITH r AS MATERIALIZED (
        SELECT e.* FROM unnest(${[...new Set(jobIds)]}::uuid[]) AS p(job_id)
        CROSS JOIN LATERAL (
          SELECT * FROM ${Prisma.raw(table)} e WHERE ${Prisma.join(where, ' AND ')}
          ORDER BY e.id ${Prisma.raw(window.inverted ? 'DESC' : 'ASC')} LIMIT ${window.limit}
        ) e
      ), total AS (SELECT coalesce(sum(${Prisma.raw(size)}), 0)::bigint AS bytes FROM r)
      SELECT r.id, r.job_id AS "jobId", ${Prisma.raw(columns.map((column) => column.replace(/^e\./, 'r.')).join(', '))},
             ${Prisma.raw(large.join(', '))}, total.bytes AS "totalBytes"
      FROM r, total`;
    const bytes = Number(rows[0]?.totalBytes ?? 0);
    const byJob = new Map(jobIds.map((id) => [id, [] as Row[]] as const));
    for (const { totalBytes: _total, ...row } of rows) byJob.get(row.jobId)?.push(row as unknown as Row);
    const order = (a: Row, b: Row) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) * (window.inverted ? -1 : 1);
    return { bytes, pages: jobIds.map((id) => toPage((byJob.get(id) ?? []).sort(order), window, (row) => row.id.toString())) };
  }

  /** The largest event id the pruner has deleted (0 when none): a cursor below it may have lost events. */
  eventsPrunedThrough(): Promise<bigint> {
    return eventsPrunedThrough(this.db);
  }

  /** The smallest event id above `id` still recorded, if any. */
  async firstEventAfter(id: bigint): Promise<bigint | null> {
    const [row] = await this.db.$queryRaw<{ id: bigint | null }[]>`SELECT min(id) AS id FROM job_events WHERE id > ${id}`;
    return row?.id ?? null;
  }

  /** The largest event id recorded so far (0 when there is none). */
  async lastEventId(): Promise<bigint> {
    const [row] = await this.db.$queryRaw<{ id: bigint | null }[]>`SELECT max(id) AS id FROM job_events`;
    return row?.id ?? 0n;
  }

  /**
   * Events with `after < id <= upTo` matching the filter, oldest first, with their job's
   * queue and type: the live stream's replay and gap fill read this.
   */
  async eventsAfter(after: bigint, options: { upTo?: bigint; filter?: EventFilter; limit: number }): Promise<LiveEvent[]> {
    const { upTo, filter, limit } = options;
    const where = [Prisma.sql`e.id > ${after}`, ...reachSql(filter?.reach ?? {}, 'j')];
    if (upTo !== undefined) where.push(Prisma.sql`e.id <= ${upTo}`);
    if (filter?.jobId != null) where.push(Prisma.sql`e.job_id = ${filter.jobId}::uuid`);
    if (filter?.flowId != null) where.push(Prisma.sql`j.flow_id = ${filter.flowId}::uuid`);
    if (filter?.queue != null) where.push(Prisma.sql`j.queue = ANY(${[...filter.queue]}::text[])`);
    if (filter?.type != null) where.push(Prisma.sql`j.type = ANY(${[...filter.type]}::text[])`);
    if (filter?.eventType != null) where.push(Prisma.sql`e.type = ANY(${[...filter.eventType]}::"JobEventType"[])`);
    return this.db.$queryRaw<LiveEvent[]>`
      SELECT e.id, e.job_id AS "jobId", e.type, e.status, e.attempt, e.progress, e.message, e.data,
             e.created_at AS "createdAt", j.queue, j.type AS "jobType", j.tenant, j.owner, j.flow_id AS "flowId"
      FROM job_events e JOIN jobs j ON j.id = e.job_id
      WHERE ${Prisma.join(where, ' AND ')}
      ORDER BY e.id
      LIMIT ${limit}`;
  }
}
