// Flows: submitFlow, flow(id), cancelFlow, and on Job its flowId and dependsOn. A flow
// is its jobs: its status is read from theirs, within what the caller may read.
import type { Context } from '../context.js';
import { expiring, liveSnapshots } from '../events/streams.js';
import { expiresAt } from './subscriptions.js';
import { isUuid } from '../domain/ids.js';
import { FINAL_STATUSES, type JobSummary } from '../domain/model.js';
import { type UserError, checkFilterList, graphqlError, InvalidArgumentError, userError } from '../domain/errors.js';
import { builder } from './builder.js';
import { inReach } from '../domain/reach.js';
import type { LiveEvent } from '../events/message.js';
import { LISTED_JOB_BYTES } from '../http/limits.js';
import { bulkRequest } from './bulk.js';
import { JobRef } from './job.js';
import type { FlowSummary } from '../store/queries.js';
import { limited, SubmitJobInput, UserErrorRef } from './common.js';

/** A flow with its jobs read (flow, submitFlow, flowUpdated). */
interface FlowView {
  id: string;
  jobs: JobSummary[];
}

/** A flow of a list (flows): summed up by one statement, its jobs read only when asked for. */
interface ListedFlow {
  id: string;
  summary: FlowSummary;
}

const isListed = (flow: FlowView | ListedFlow): flow is ListedFlow => 'summary' in flow;

const FlowStatusEnum = builder.enumType('FlowStatus', {
  values: {
    RUNNING: { description: 'Some job has not finished yet.' },
    COMPLETED: { description: 'Every job COMPLETED.' },
    FAILED: { description: 'A job FAILED; the jobs that depended on it were CANCELLED.' },
    CANCELLED: { description: 'Cancelled by a client before it finished.' },
  } as const,
});

const FINAL = new Set<string>(FINAL_STATUSES);

function statusOf(jobs: JobSummary[]): 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED' {
  if (jobs.some((job) => !FINAL.has(job.status))) return 'RUNNING';
  if (jobs.some((job) => job.status === 'FAILED')) return 'FAILED';
  if (jobs.some((job) => job.status === 'CANCELLED')) return 'CANCELLED';
  return 'COMPLETED';
}

/** Summaries by the jobs array they were made from: made once per read, whatever its fields. */
const made = new WeakMap<JobSummary[], FlowSummary>();

/** What a flow's fields read: the list's summary, or one made from the jobs read. */
function summaryOf(flow: FlowView | ListedFlow): FlowSummary {
  if (isListed(flow)) return flow.summary;
  let summary = made.get(flow.jobs);
  if (!summary) made.set(flow.jobs, (summary = summarize(flow)));
  return summary;
}

function summarize(flow: FlowView): FlowSummary {
  const status = statusOf(flow.jobs);
  return {
    id: flow.id,
    name: flow.jobs[0]?.flowName ?? null,
    status,
    createdAt: flow.jobs[0]?.createdAt as Date,
    finishedAt: status === 'RUNNING' ? null : new Date(Math.max(...flow.jobs.map((job) => job.finishedAt?.getTime() ?? 0))),
    jobCount: flow.jobs.length,
  };
}

const FlowRef = builder.objectRef<FlowView | ListedFlow>('Flow').implement({
  description: 'Jobs submitted together that wait for each other (submitFlow).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.string({ nullable: true, resolve: (flow) => summaryOf(flow).name }),
    status: t.field({ type: FlowStatusEnum, resolve: (flow) => summaryOf(flow).status }),
    jobs: t.field({
      type: [JobRef],
      description: 'Every job of the flow, in the order they were given.',
      // As many as a flow may hold: what the fields below it cost, per job.
      complexity: (_args, ctx) => ({ field: 1, multiplier: ctx.config.MAX_FLOW_SIZE }),
      resolve: async (flow, _args, ctx) => {
        // A listed flow's size is known before its jobs are read: charged first.
        ctx.budget.charge(summaryOf(flow).jobCount * LISTED_JOB_BYTES);
        return isListed(flow) ? ctx.queries.flowJobs(flow.id, ctx.reads) : flow.jobs;
      },
    }),
    jobCount: t.int({ description: 'How many of its jobs the caller may see.', resolve: (flow) => summaryOf(flow).jobCount }),
    createdAt: t.field({ type: 'DateTime', resolve: (flow) => summaryOf(flow).createdAt }),
    finishedAt: t.field({ type: 'DateTime', nullable: true, resolve: (flow) => summaryOf(flow).finishedAt }),
  }),
});

const FlowJobInput = builder.inputType('FlowJobInput', {
  fields: (t) => ({
    key: t.string({ required: true, description: 'Names this job within the flow, for dependsOn (1 to 100 characters).' }),
    job: t.field({ type: SubmitJobInput, required: true }),
    dependsOn: t.stringList({ description: 'Keys of jobs of the same flow that must be COMPLETED before this one starts.' }),
  }),
});

const SubmitFlowInput = builder.inputType('SubmitFlowInput', {
  fields: (t) => ({
    name: t.string(),
    jobs: t.field({ type: [FlowJobInput], required: true }),
  }),
});

interface FlowPayload {
  flow: FlowView | null;
  userErrors: UserError[];
}

const SubmitFlowPayloadRef = builder.objectRef<FlowPayload>('SubmitFlowPayload').implement({
  fields: (t) => ({
    flow: t.field({ type: FlowRef, nullable: true, resolve: (payload) => payload.flow }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

const FlowPayloadRef = builder.objectRef<FlowPayload>('FlowPayload').implement({
  fields: (t) => ({
    flow: t.field({ type: FlowRef, nullable: true, resolve: (payload) => payload.flow }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

/** The flow as the caller may see it; null when it sees none of its jobs (another tenant's, or none). */
async function flowById(ctx: Context, id: string): Promise<FlowView | null> {
  if (!isUuid(id)) return null;
  const jobs = await ctx.queries.flowJobs(id, ctx.reads);
  return jobs.length ? { id, jobs } : null;
}

builder.objectField(JobRef, 'flowKey', (t) => t.exposeString('flowKey', { nullable: true, description: 'Its key within its flow (FlowJobInput.key).' }));
builder.objectField(JobRef, 'flowId', (t) => t.exposeID('flowId', { nullable: true, description: 'The flow this job belongs to, if any.' }));
builder.objectField(JobRef, 'dependsOn', (t) =>
  t.field({
    type: [JobRef],
    description: 'Jobs of the same flow that must be COMPLETED before this one may start.',
    // A flow's jobs together wait for at most MAX_FLOW_EDGES jobs, so under Flow.jobs (priced
    // at MAX_FLOW_SIZE) each job is priced at their share. One job alone may wait for up to
    // MAX_JOB_DEPENDENCIES: those are charged to the response's budget before they are read.
    complexity: (_args, ctx) => ({ field: 1, multiplier: Math.max(1, Math.ceil(ctx.config.MAX_FLOW_EDGES / ctx.config.MAX_FLOW_SIZE)) }),
    resolve: (job, _args, ctx) => {
      if (job.dependencyCount === 0) return [];
      ctx.budget.charge(job.dependencyCount * LISTED_JOB_BYTES);
      // One statement for every job of this level of the response.
      return ctx.dependencies().load(job.id);
    },
  }),
);

const FlowFilterInput = builder.inputType('FlowFilter', {
  fields: (t) => ({
    status: t.field({ type: [FlowStatusEnum] }),
    name: t.string({ description: 'Flows whose name starts with this.' }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

const FlowConnection = builder.connectionObject({ type: FlowRef, name: 'FlowConnection' }, { name: 'FlowEdge' });

/** Flows per page: default and most. */
const FLOW_PAGE = { defaultSize: 20, maxSize: 100 } as const;
/** Flows looked at per page, per flow asked for: a status filter may leave a page short, never slow. */
const FLOW_SCAN_FACTOR = 20;

builder.queryFields((t) => ({
  flows: t.field({
    type: FlowConnection,
    description:
      'Flows the caller may see, newest first. Each page looks at most 20 flows per flow asked for: a status filter that matches few may leave a page short (pageInfo.hasNextPage says whether to go on).',
    args: { filter: t.arg({ type: FlowFilterInput }), first: t.arg.int(), after: t.arg.string() },
    complexity: (args) => ({ field: 1, multiplier: args.first ?? FLOW_PAGE.defaultSize }),
    resolve: async (_root, { filter, first, after }, ctx) => {
      const size = first ?? FLOW_PAGE.defaultSize;
      if (size < 1 || size > FLOW_PAGE.maxSize) throw new InvalidArgumentError(['first'], `from 1 to ${FLOW_PAGE.maxSize}`);
      if (after != null && !isUuid(after)) throw new InvalidArgumentError(['after'], 'not a cursor of flows (a flow id, as endCursor gives)');
      checkFilterList(['filter', 'status'], filter?.status);
      const page = await ctx.queries.flowSummaries(filter ?? {}, after ?? null, size, size * FLOW_SCAN_FACTOR, ctx.reads);
      const edges = page.flows.map((summary) => ({ cursor: summary.id, node: { id: summary.id, summary } }));
      return { edges, pageInfo: { hasNextPage: page.more, hasPreviousPage: after != null, startCursor: edges[0]?.cursor ?? null, endCursor: page.scanned } };
    },
  }),
  flow: t.field({ type: FlowRef, nullable: true, args: { id: t.arg.id({ required: true }) }, resolve: (_root, { id }, ctx) => flowById(ctx, String(id)) }),
}));

builder.mutationFields((t) => ({
  submitFlow: t.field({
    type: SubmitFlowPayloadRef,
    description: 'Submits jobs that depend on each other, all or nothing.',
    args: { input: t.arg({ type: SubmitFlowInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const result = await limited(ctx, input.jobs.length, () => ctx.submissions.submitFlow(input.name ?? null, input.jobs, ctx.submitter));
      return { flow: result.flowId ? { id: result.flowId, jobs: result.jobs } : null, userErrors: result.userErrors };
    },
  }),
  cancelFlow: t.field({
    type: FlowPayloadRef,
    description: 'Cancels every unfinished job of the flow.',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const flow = await flowById(ctx, String(id));
      if (!flow) return { flow: null, userErrors: [userError('NOT_FOUND', ['id'], `id: no flow ${String(id).slice(0, 100)}`)] };
      const result = await ctx.bulk.run('cancel', bulkRequest(ctx, { ids: flow.jobs.map((job) => job.id) }));
      return { flow: await flowById(ctx, flow.id), userErrors: result.userErrors };
    },
  }),
}));

/** Versions by the jobs array they describe: one string per read, shared by its subscribers. */
const versions = new WeakMap<JobSummary[], string>();

/** What a flowUpdated subscriber would see change. */
function flowVersion(flow: FlowView): string {
  let version = versions.get(flow.jobs);
  if (version === undefined) {
    version = flow.jobs.map((job) => `${job.id}:${job.status}:${job.updatedAt.getTime()}`).join('|');
    versions.set(flow.jobs, version);
  }
  return version;
}

builder.subscriptionFields((t) => ({
  flowUpdated: t.field({
    type: FlowRef,
    description: 'The flow as it is now, at once, then again after every change of one of its jobs.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, args, ctx) => {
      const id = String(args.id);
      const reach = ctx.reads;
      // One read of the flow per change for all its subscribers in this process (the first
      // one too: a hundred subscribing at once share it); each keeps what it may see.
      const load = async (event?: LiveEvent): Promise<FlowView | null> => {
        if (!isUuid(id)) return null;
        const all = await ctx.streams.flows.jobs(id, event?.id ?? ctx.streams.hub.lastId);
        // A flow is one submitter's: a caller who sees one job usually sees all, and shares the read's array (and version).
        const jobs = all.every((job) => inReach(reach, job)) ? all : all.filter((job) => inReach(reach, job));
        return jobs.length ? { id, jobs } : null;
      };
      if (!(await load())) throw graphqlError('NOT_FOUND', `id: no flow ${id.slice(0, 100)}`, { field: ['id'] });
      const flow = liveSnapshots(ctx.streams.hub, { flowId: id, reach }, load, flowVersion);
      return expiring(flow, expiresAt(ctx), () => null);
    },
    // Each state is a response of its own, with a fresh MAX_RESPONSE_BYTES.
    resolve: (flow: FlowView, _args, ctx) => {
      ctx.budget.reset();
      return flow;
    },
  }),
}));
