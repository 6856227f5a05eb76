// Job, JobEvent and the queries that read them.
import { ownerName } from '../auth/access.js';
import type { Context } from '../context.js';
import type { JobEvent, JobView } from '../domain/model.js';
import type { AttemptError } from '../domain/errors.js';
import { waitingFor } from '../jobs/waiting.js';
import { pageSize, type JobLogLine } from '../store/queries.js';
import type { GraphQLResolveInfo } from 'graphql';
import { builder } from './builder.js';
import { nodeFieldNames } from './selection.js';
import { JobEventTypeEnum, JobOrderFieldEnum, JobStatusEnum, OrderDirectionEnum } from './enums.js';

export const JobRef = builder.objectRef<JobView>('Job');

/**
 * A job's payload or result: charged to the response's budget by its stored size,
 * then taken from the job if it came whole (a mutation's answer) or loaded, batched.
 */
async function largeField(ctx: Context, job: JobView, field: 'payload' | 'result'): Promise<unknown> {
  ctx.budget.charge(field === 'payload' ? job.payloadBytes : job.resultBytes);
  const value = job[field];
  return value !== undefined ? value : ctx.largeFieldLoader(field).load(job.id);
}

/** The large columns (message, data) a page of events or log lines is asked for: only those are read. */
function largeAsked(info: GraphQLResolveInfo): ('message' | 'data')[] {
  const asked = nodeFieldNames(info);
  // An event's `error` is part of its data.
  return (['message', 'data'] as const).filter((column) => asked.has(column) || (column === 'data' && asked.has('error')));
}

export const AttemptErrorRef = builder.objectRef<AttemptError>('AttemptError');
AttemptErrorRef.implement({
  description: 'Why an attempt failed, in full: the error\'s class (or code), message, stack, and the chain of causes, each cut to a bounded size.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The error\'s class or code, e.g. "TypeError", "ECONNREFUSED", "PermanentError".' }),
    message: t.exposeString('message'),
    stack: t.exposeString('stack', { nullable: true, description: "The stack as the handler's runtime printed it, cut to a bounded size; null if none." }),
    cause: t.field({ type: AttemptErrorRef, nullable: true, description: 'What caused it (error.cause), if anything.', resolve: (error) => error.cause ?? null }),
  }),
});

/** An event's error (RETRY_SCHEDULED, FAILED): in its data, where the worker put it. */
function eventError(event: JobEvent): AttemptError | null {
  const data = event.data as { error?: unknown } | null;
  const error = data && typeof data === 'object' ? data.error : null;
  return error && typeof error === 'object' && typeof (error as AttemptError).message === 'string' ? (error as AttemptError) : null;
}

/** What a paged field costs: its items, each as dear as its selection. */
const paged = (args: { first?: number | null; last?: number | null }) => ({ field: 1, multiplier: pageSize(args) });
export const JobEventRef = builder.objectRef<JobEvent>('JobEvent');
const JobLogRef = builder.objectRef<JobLogLine>('JobLog');
export const LogLevelEnum = builder.enumType('LogLevel', { values: ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const });
JobLogRef.implement({
  description: 'A line a handler logged through its context while running the job.',
  fields: (t) => ({
    attempt: t.exposeInt('attempt'),
    level: t.expose('level', { type: LogLevelEnum }),
    message: t.string({
      resolve: (line, _args, ctx) => {
        if (!ctx.prepaid.has(line)) ctx.budget.charge(line.message.length);
        return line.message;
      },
    }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Structured fields logged with the message.',
      resolve: (line, _args, ctx) => {
        if (line.data !== null && !ctx.prepaid.has(line)) ctx.budget.charge(Buffer.byteLength(JSON.stringify(line.data)));
        return line.data;
      },
    }),
    at: t.expose('at', { type: 'DateTime' }),
  }),
});
const JobLogConnection = builder.connectionObject({ type: JobLogRef, name: 'JobLogConnection' }, { name: 'JobLogEdge' });

const JobEventConnection = builder.connectionObject({ type: JobEventRef, name: 'JobEventConnection' }, { name: 'JobEventEdge' });

JobRef.implement({
  description: 'A unit of work: a handler (its type) to run with a payload.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable id (UUID), also the id of the job in the queue backend.' }),
    queue: t.exposeString('queue'),
    type: t.exposeString('type', { description: 'Name of the handler that runs the job, e.g. "http.request".' }),
    payload: t.field({ type: 'JSON', resolve: (job, _args, ctx) => largeField(ctx, job, 'payload') }),
    status: t.expose('status', { type: JobStatusEnum }),
    priority: t.exposeInt('priority', { description: '0 to 100; higher runs sooner. Default 0.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts started so far (since the last retryJob).' }),
    maxAttempts: t.exposeInt('maxAttempts'),
    progress: t.exposeFloat('progress', { description: '0 to 100, as last reported by the handler.' }),
    result: t.field({
      type: 'JSON',
      nullable: true,
      description: 'What the handler returned, once COMPLETED.',
      resolve: (job, _args, ctx) => largeField(ctx, job, 'result'),
    }),
    lastError: t.string({
      nullable: true,
      description: 'Message of the latest failed attempt.',
      // Up to 4000 characters each, and partly chosen by remote servers: counted like stored JSON.
      resolve: (job, _args, ctx) => {
        if (job.lastError) ctx.budget.charge(job.lastError.length);
        return job.lastError;
      },
    }),
    lastAttemptError: t.field({
      type: AttemptErrorRef,
      nullable: true,
      description: 'The error of its latest failed attempt, in full (lastError is its message).',
      resolve: async (job, _args, ctx) => {
        if (job.lastAttemptError !== undefined) {
          if (job.lastAttemptError !== null) ctx.budget.charge(Buffer.byteLength(JSON.stringify(job.lastAttemptError)));
          return job.lastAttemptError as AttemptError | null;
        }
        return (await ctx.largeFieldLoader('lastAttemptError').load(job.id)) as AttemptError | null;
      },
    }),
    waitingFor: t.string({
      nullable: true,
      description:
        'Why it is not running now, in words, when it waits: e.g. scheduled for a time, its queue paused, waiting for jobs it depends on, no worker alive runs its type, a concurrency or rate limit. Null when it runs or has finished.',
      resolve: async (job, _args, ctx) => (['RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status) ? null : waitingFor(job, await ctx.serviceFacts())),
    }),
    idempotencyKey: t.exposeString('idempotencyKey', { nullable: true }),
    submittedBy: t.exposeString('submittedBy', {
      nullable: true,
      description: 'Name of the API key (or subject of the token) that submitted the job, or "schedule:<name>"; null when the service runs open.',
    }),
    tenant: t.string({
      nullable: true,
      description: 'The tenant whose caller submitted it; null for jobs of operator keys.',
      resolve: (job) => job.tenant || null,
    }),
    tags: t.stringList({ description: 'Free labels given at submit, for finding jobs (filter `tags`).', resolve: (job) => job.tags ?? [] }),
    owner: t.string({ nullable: true, description: "Who submitted it: a token's subject, or an API key's name.", resolve: (job) => ownerName(job.owner) }),
    runAt: t.expose('runAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Earliest time the job may run next (delayed job, or the next retry).',
    }),
    timeoutMs: t.exposeInt('timeoutMs', { description: 'An attempt running longer than this fails.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true, description: 'Start of the latest attempt.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it reached COMPLETED, FAILED or CANCELLED.',
    }),
    events: t.field({
      type: JobEventConnection,
      description: 'The job\'s history, oldest first. Cursors are event ids.',
      args: {
        first: t.arg.int(),
        after: t.arg.string(),
        last: t.arg.int(),
        before: t.arg.string(),
      },
      complexity: paged,
      resolve: (job, args, ctx, info) => ctx.eventPages(args, largeAsked(info)).load(job.id),
    }),
    logs: t.field({
      type: JobLogConnection,
      description: 'What its handler logged while it ran, oldest first, every attempt.',
      args: { first: t.arg.int(), after: t.arg.string() },
      complexity: paged,
      resolve: (job, args, ctx, info) => ctx.logPages(args, largeAsked(info)).load(job.id),
    }),
  }),
});

JobEventRef.implement({
  description: 'One step of a job\'s history.',
  fields: (t) => ({
    id: t.id({
      description: 'Increases with every event the service records, across all jobs: a resume cursor.',
      resolve: (event) => event.id.toString(),
    }),
    jobId: t.exposeID('jobId'),
    job: t.field({
      type: JobRef,
      resolve: async (event, _args, ctx) => {
        const job = await ctx.streams.snapshots.at(event);
        // Events cascade with their job, so an event without one is a broken invariant.
        if (!job) throw new Error(`job ${event.jobId} of event ${event.id} not found`);
        return job;
      },
    }),
    type: t.expose('type', { type: JobEventTypeEnum }),
    status: t.expose('status', { type: JobStatusEnum, description: 'The job\'s status right after this event.' }),
    attempt: t.exposeInt('attempt'),
    progress: t.exposeFloat('progress', { nullable: true }),
    message: t.string({
      nullable: true,
      resolve: (event, _args, ctx) => {
        if (event.message && !ctx.prepaid.has(event)) ctx.budget.charge(event.message.length);
        return event.message;
      },
    }),
    data: t.field({
      type: 'JSON',
      nullable: true,
      resolve: (event, _args, ctx) => {
        if (event.data !== null && !ctx.prepaid.has(event)) ctx.budget.charge(Buffer.byteLength(JSON.stringify(event.data)));
        return event.data;
      },
    }),
    error: t.field({
      type: AttemptErrorRef,
      nullable: true,
      description: "For a RETRY_SCHEDULED or FAILED event: the attempt's error in full.",
      resolve: (event, _args, ctx) => {
        const error = eventError(event);
        if (error && !ctx.prepaid.has(event)) ctx.budget.charge(Buffer.byteLength(JSON.stringify(error)));
        return error;
      },
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const JobFilterInput = builder.inputType('JobFilter', {
  fields: (t) => ({
    status: t.field({ type: [JobStatusEnum] }),
    type: t.stringList(),
    queue: t.stringList(),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
    idempotencyKey: t.string(),
    tags: t.stringList({ description: 'Jobs carrying every one of these tags.' }),
    payloadContains: t.field({
      type: 'JSON',
      description: 'Jobs whose payload contains this JSON (PostgreSQL\'s @> containment), e.g. { "orderId": 42 }. At most 4096 bytes of JSON; answered by an index.',
    }),
  }),
});

const JobOrderInput = builder.inputType('JobOrder', {
  fields: (t) => ({
    field: t.field({ type: JobOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

const JobConnection = builder.connectionObject(
  {
    type: JobRef,
    name: 'JobConnection',
    fields: (t) => ({
      totalCount: t.int({
        description: 'Jobs matching the filter, ignoring pagination.',
        // Counted only when asked for: a count is the one part of a page that grows with the table.
        resolve: (connection) => (connection as unknown as { count: () => Promise<number> }).count(),
      }),
    }),
  },
  { name: 'JobEdge' },
);

builder.queryFields((t) => ({
  job: t.field({
    type: JobRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.queries.byId(String(id), ctx.reads),
  }),
  jobs: t.field({
    type: JobConnection,
    description: 'Jobs matching the filter, newest first unless orderBy says otherwise.',
    args: {
      filter: t.arg({ type: JobFilterInput }),
      orderBy: t.arg({ type: JobOrderInput }),
      first: t.arg.int(),
      after: t.arg.string(),
      last: t.arg.int(),
      before: t.arg.string(),
    },
    complexity: paged,
    resolve: async (_root, { filter, orderBy, ...page }, ctx) => {
      const result = await ctx.queries.list(filter, orderBy ?? { field: 'CREATED_AT', direction: 'DESC' }, page, ctx.reads);
      return { ...result, count: () => ctx.queries.count(filter, ctx.reads) };
    },
  }),
}));
