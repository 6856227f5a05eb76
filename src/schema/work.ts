// The worker protocol (docs/workers.md): a remote worker subscribes to `work` with the
// types it runs and receives jobs under leases over the same WebSocket; it answers with
// the mutations below, on that connection (the leases live in the API process that
// handed them out). Every field needs jobs:work; a worker with a tenant registers types
// for, and receives jobs of, that tenant only.
import { requireScope } from '../http/scopes.js';
import type { Context } from '../context.js';
import { graphqlError, serializeError, userError, type UserError } from '../domain/errors.js';
import { storableJson } from '../domain/json.js';
import type { JobStatus } from '../domain/model.js';
import type { RemoteOutcome, WorkMessage } from '../remote/workers.js';
import type { LogLevel } from '../store/logs.js';
import { builder } from './builder.js';
import { UserErrorRef } from './common.js';
import { JobStatusEnum } from './enums.js';
import { LogLevelEnum } from './job.js';

/** What a worker may register and send. */
export const WORK_LIMITS = { nameChars: 200, concurrency: 1000, logLines: 100, messageChars: 2000, dataBytes: 8192 } as const;

/** The tenant a worker works for: its credential's ('' for an operator's, which serves every tenant). */
function scopeOf(ctx: Context): string {
  requireScope(ctx, 'jobs:work');
  return ctx.caller.kind === 'known' ? (ctx.caller.who.tenant ?? '') : '';
}

function remoteOf(ctx: Context) {
  if (!ctx.remote) throw graphqlError('SERVICE_UNAVAILABLE', 'Service unavailable: this process serves no remote workers.');
  return ctx.remote;
}

const WorkerTypeInput = builder.inputType('WorkerTypeInput', {
  description: 'A job type a worker runs.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Letters, digits, _ . : - (up to 100); not a type the service runs itself.' }),
    description: t.string(),
    payloadSchema: t.field({ type: 'JSON', required: true, description: 'JSON Schema (2020-12) a payload must satisfy; checked at submit, also while no worker is connected.' }),
  }),
});

const WorkerRegistrationInput = builder.inputType('WorkerRegistration', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'How it shows in `workers` (e.g. host:pid).' }),
    types: t.field({ type: [WorkerTypeInput], required: true }),
    concurrency: t.int({ required: true, description: 'Jobs it runs at once (1 to 1000).' }),
    queues: t.stringList({ description: 'Queues it takes jobs from; default: every queue of the service.' }),
  }),
});

const JobLogInput = builder.inputType('JobLogInput', {
  fields: (t) => ({
    level: t.field({ type: LogLevelEnum, required: true }),
    message: t.string({ required: true }),
    data: t.field({ type: 'JSON' }),
  }),
});

interface AttemptErrorShape {
  name: string;
  message: string;
  stack?: string | null;
  cause?: AttemptErrorShape | null;
}
const AttemptErrorInput = builder.inputRef<AttemptErrorShape>('AttemptErrorInput').implement({
  description: 'An error as a worker caught it; each part is cut to the service\'s bounds, the cause chain to 5.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The class or code, e.g. "TypeError", "ECONNREFUSED".' }),
    message: t.string({ required: true }),
    stack: t.string(),
    cause: t.field({ type: AttemptErrorInput }),
  }),
});

const WorkMessageKindEnum = builder.enumType('WorkMessageKind', {
  values: {
    REGISTERED: { description: 'The worker is registered: `workerId`, and `heartbeatMs` (beat that often; three missed and its jobs run elsewhere).' },
    JOB: { description: 'A job to run under `lease`: answer with completeJob, failJob or handBackJob.' },
    CANCEL: { description: 'Stop the job of `lease` (cancelled, timed out, or the service is stopping); its outcome is no longer taken.' },
  } as const,
});

const WorkItemRef = builder.objectRef<NonNullable<WorkMessage['job']>>('WorkItem').implement({
  description: 'A job handed to a worker.',
  fields: (t) => ({
    id: t.exposeID('id'),
    type: t.exposeString('type'),
    queue: t.exposeString('queue'),
    payload: t.field({ type: 'JSON', resolve: (job) => job.payload }),
    attempt: t.exposeInt('attempt', { description: 'This attempt, counted from 1.' }),
    maxAttempts: t.exposeInt('maxAttempts'),
    timeoutMs: t.exposeInt('timeoutMs', { description: 'The service counts this attempt failed after it (and sends CANCEL).' }),
    dependencies: t.field({ type: 'JSON', description: "A flow's job: the results of the jobs it depends on, by key.", resolve: (job) => job.dependencies }),
    traceparent: t.string({
      nullable: true,
      description:
        "This attempt's span as a W3C traceparent, when the service traces (OTEL_EXPORTER_OTLP_ENDPOINT): the worker's spans join the job's trace under it. Null when it does not.",
      resolve: (job) => job.traceparent,
    }),
  }),
});

const WorkMessageRef = builder.objectRef<WorkMessage>('WorkMessage').implement({
  fields: (t) => ({
    kind: t.field({ type: WorkMessageKindEnum, resolve: (message) => message.kind }),
    workerId: t.string({ nullable: true, resolve: (message) => message.workerId ?? null }),
    heartbeatMs: t.int({ nullable: true, resolve: (message) => message.heartbeatMs ?? null }),
    lease: t.string({ nullable: true, resolve: (message) => message.lease ?? null }),
    reason: t.string({ nullable: true, resolve: (message) => message.reason ?? null }),
    job: t.field({ type: WorkItemRef, nullable: true, resolve: (message) => message.job ?? null }),
  }),
});

interface WorkOutcome {
  status: JobStatus | null;
  userErrors: UserError[];
}
const WorkOutcomeRef = builder.objectRef<WorkOutcome>('WorkOutcomePayload').implement({
  fields: (t) => ({
    status: t.field({ type: JobStatusEnum, nullable: true, description: 'The job\'s status once the outcome was recorded.', resolve: (outcome) => outcome.status }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (outcome) => outcome.userErrors }),
  }),
});

const notHeld = (lease: string): WorkOutcome => ({
  status: null,
  userErrors: [userError('NOT_FOUND', ['lease'], `lease ${lease.slice(0, 64)} is not held here: it was lost (disconnected, silent, cancelled or timed out) or already answered; the job is the service's again`)],
});

async function answer(ctx: Context, lease: string, outcome: RemoteOutcome): Promise<WorkOutcome> {
  const change = await remoteOf(ctx).outcome(lease, scopeOf(ctx), outcome);
  if (change === 'unknown') return notHeld(lease);
  if (!change) return { status: null, userErrors: [userError('INVALID_STATE', ['lease'], 'the outcome was not recorded: the job was cancelled or retried meanwhile')] };
  return { status: change.job.status, userErrors: [] };
}

builder.subscriptionFields((t) => ({
  work: t.field({
    type: WorkMessageRef,
    description:
      'A remote worker\'s stream (needs jobs:work): registers its types, then REGISTERED, and JOB and CANCEL messages until it disconnects. Its leases end with the connection; their jobs run again. Protocol: docs/workers.md.',
    args: { worker: t.arg({ type: WorkerRegistrationInput, required: true }) },
    subscribe: async (_root, { worker }, ctx) => {
      const scope = scopeOf(ctx);
      const remote = remoteOf(ctx);
      const refuse = (field: string[], message: string) => graphqlError('BAD_USER_INPUT', `worker.${field.join('.')}: ${message}`, { field: ['worker', ...field] });
      if (worker.name.length === 0 || worker.name.length > WORK_LIMITS.nameChars) throw refuse(['name'], `1 to ${WORK_LIMITS.nameChars} characters`);
      if (!Number.isInteger(worker.concurrency) || worker.concurrency < 1 || worker.concurrency > WORK_LIMITS.concurrency) throw refuse(['concurrency'], `1 to ${WORK_LIMITS.concurrency}`);
      const queues = worker.queues ?? ctx.config.QUEUES;
      const unknown = queues.find((queue) => !ctx.config.QUEUES.includes(queue));
      if (unknown !== undefined || queues.length === 0) throw refuse(['queues'], `${unknown === undefined ? 'at least one' : `no queue ${JSON.stringify(unknown.slice(0, 100))}`}; this service has ${ctx.config.QUEUES.join(', ')}`);
      const types = worker.types.map((type) => ({ name: type.name, description: type.description ?? null, payloadSchema: type.payloadSchema }));
      // Checked whole before anything is recorded: a refused worker registers nothing.
      const invalid = (problems: string[]) => graphqlError('BAD_USER_INPUT', `worker.${problems.join('; worker.')}`, { field: ['worker', 'types'] });
      const wrong = ctx.catalog.check(types);
      if (wrong.length) throw invalid(wrong);
      const refusal = remote.refusal(scope, types.map((type) => type.name), queues);
      if (refusal) throw graphqlError('LIMIT_EXCEEDED', refusal, { limit: 'MAX_REMOTE_QUEUES' });
      const problems = await ctx.catalog.register(scope, types, ctx.caller.kind === 'known' ? ctx.caller.who.name : null);
      if (problems.length) throw invalid(problems);
      const address = ctx.caller.kind === 'known' ? ctx.caller.who.name : null;
      return remote.connect({ name: worker.name, scope, types: types.map((type) => type.name), queues: [...new Set(queues)], concurrency: worker.concurrency, by: address }, address);
    },
    resolve: (message: WorkMessage) => message,
  }),
}));

builder.mutationFields((t) => ({
  workerHeartbeat: t.boolean({
    description: 'A remote worker is alive (every heartbeatMs). False: it is not known here (its stream ended); it should connect again.',
    args: {
      workerId: t.arg.string({ required: true }),
      memoryBytes: t.arg.float({ description: "The worker's process's resident memory (RSS), in bytes, for the workers page (0 to 2^53)." }),
    },
    resolve: (_root, { workerId, memoryBytes }, ctx) => {
      // A number it says about itself: kept only when it is one a process could have.
      const rss = memoryBytes != null && Number.isSafeInteger(memoryBytes) && memoryBytes >= 0 ? memoryBytes : undefined;
      return remoteOf(ctx).heartbeat(workerId, scopeOf(ctx), rss);
    },
  }),
  drainWorker: t.boolean({
    description: 'A remote worker takes no more jobs (it is stopping); those it holds are still its own to finish or hand back.',
    args: { workerId: t.arg.string({ required: true }) },
    resolve: (_root, { workerId }, ctx) => remoteOf(ctx).drain(workerId, scopeOf(ctx)),
  }),
  reportProgress: t.boolean({
    description: "A leased job's progress (0 to 100). False: the lease is not held.",
    args: { lease: t.arg.string({ required: true }), percent: t.arg.float({ required: true }) },
    resolve: (_root, { lease, percent }, ctx) => (Number.isFinite(percent) ? remoteOf(ctx).progress(lease, scopeOf(ctx), percent) : false),
  }),
  appendJobLogs: t.boolean({
    description: `Lines a leased job's handler logged, kept with the job (Job.logs; at most ${WORK_LIMITS.logLines} per call, JOB_LOG_MAX_LINES per job). False: the lease is not held.`,
    args: { lease: t.arg.string({ required: true }), lines: t.arg({ type: [JobLogInput], required: true }) },
    resolve: (_root, { lease, lines }, ctx) => {
      if (lines.length > WORK_LIMITS.logLines) throw graphqlError('BAD_USER_INPUT', `lines: at most ${WORK_LIMITS.logLines} per call, got ${lines.length}`, { field: ['lines'] });
      return remoteOf(ctx).log(
        lease,
        scopeOf(ctx),
        lines.map((line) => ({ level: line.level as LogLevel, message: line.message, data: line.data ?? null })),
      );
    },
  }),
  completeJob: t.field({
    type: WorkOutcomeRef,
    description: `A leased job's handler returned: its result is recorded (COMPLETED). A result over MAX_PAYLOAD_BYTES fails the attempt instead.`,
    args: { lease: t.arg.string({ required: true }), result: t.arg({ type: 'JSON' }) },
    resolve: async (_root, { lease, result }, ctx) => {
      const stored = storableJson(result ?? null);
      const bytes = Buffer.byteLength(JSON.stringify(stored));
      if (bytes > ctx.config.MAX_PAYLOAD_BYTES) {
        const failed = await answer(ctx, lease, {
          kind: 'failed',
          error: { name: 'ResultTooLarge', message: `the result is ${bytes} bytes; results may be at most MAX_PAYLOAD_BYTES (${ctx.config.MAX_PAYLOAD_BYTES})`, stack: null, cause: null },
          permanent: false,
        });
        return { status: failed.status, userErrors: [userError('LIMIT_EXCEEDED', ['result'], `result: ${bytes} bytes, more than MAX_PAYLOAD_BYTES (${ctx.config.MAX_PAYLOAD_BYTES}); the attempt was counted failed`), ...failed.userErrors] };
      }
      return answer(ctx, lease, { kind: 'completed', result: stored });
    },
  }),
  failJob: t.field({
    type: WorkOutcomeRef,
    description: "A leased job's handler threw: a retry is scheduled after its backoff, or, with `permanent` or no attempts left, it is FAILED. The error is kept whole (Job.lastAttemptError).",
    args: { lease: t.arg.string({ required: true }), error: t.arg({ type: AttemptErrorInput, required: true }), permanent: t.arg.boolean() },
    resolve: (_root, { lease, error, permanent }, ctx) => answer(ctx, lease, { kind: 'failed', error: serializeError(error), permanent: permanent ?? false }),
  }),
  handBackJob: t.field({
    type: WorkOutcomeRef,
    description: 'A worker gives a leased job back without running it to the end (it is stopping): it runs again elsewhere, the attempt not counted.',
    args: { lease: t.arg.string({ required: true }), reason: t.arg.string() },
    resolve: (_root, { lease, reason }, ctx) => answer(ctx, lease, { kind: 'handedBack', reason: (reason ?? 'handed back by the worker').slice(0, 500) }),
  }),
}));
