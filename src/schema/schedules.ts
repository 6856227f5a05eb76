// Schedules: recurring jobs from cron expressions (writes need jobs:write, like submits).
import { isUuid } from '../domain/ids.js';
import { InvalidArgumentError, userError, type UserError } from '../domain/errors.js';
import { nextRun, nextRuns, SCHEDULE_RUNS, type Schedule, type ScheduleRefusal, type ScheduleRun } from '../schedules/schedules.js';
import { JobRef } from './job.js';
import type { Context } from '../context.js';
import { builder } from './builder.js';
import { limited, SubmitJobInput, UserErrorRef } from './common.js';

const ScheduleRunRef = builder.objectRef<ScheduleRun>('ScheduleRun').implement({
  description: 'One firing of a schedule.',
  fields: (t) => ({
    at: t.field({ type: 'DateTime', resolve: (run) => new Date(run.at) }),
    job: t.field({
      type: JobRef,
      nullable: true,
      description: 'The job it submitted, if the caller may see it and it is still kept.',
      resolve: (run, _args, ctx) => (run.jobId ? ctx.queries.byId(run.jobId, ctx.reads) : null),
    }),
    skipped: t.string({ nullable: true, description: 'Why it submitted nothing, when it did not.', resolve: (run) => run.skipped ?? null }),
  }),
});

const ScheduleRef = builder.objectRef<Schedule>('Schedule').implement({
  description: 'A recurring job: each time the cron expression fires, an ordinary job is submitted from the template.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    cron: t.exposeString('cron', { description: 'Five fields (minute hour day month weekday), or six with seconds first.' }),
    timezone: t.exposeString('timezone', { description: 'IANA time zone the expression is read in, e.g. "Europe/Paris".' }),
    job: t.field({
      type: 'JSON',
      description: 'The SubmitJobInput each firing submits.',
      resolve: (schedule, _args, ctx) => {
        ctx.budget.charge(Buffer.byteLength(JSON.stringify(schedule.job)));
        return schedule.job;
      },
    }),
    paused: t.exposeBoolean('paused'),
    nextRunAt: t.field({ type: 'DateTime', nullable: true, resolve: (schedule) => nextRun(schedule) }),
    nextRuns: t.field({
      type: ['DateTime'],
      description: 'Its next firings, soonest first (count: 1 to 10, default 3); none while paused.',
      args: { count: t.arg.int({ defaultValue: 3 }) },
      resolve: (schedule, { count }) => {
        const wanted = count ?? 3;
        if (wanted < 1 || wanted > 10) throw new InvalidArgumentError(['count'], 'from 1 to 10');
        return nextRuns(schedule, wanted);
      },
    }),
    lastRunAt: t.expose('lastRunAt', { type: 'DateTime', nullable: true, description: 'When it last submitted a job.' }),
    lastJob: t.field({
      type: JobRef,
      nullable: true,
      description: 'The job it submitted last, if the caller may see it and it is still kept.',
      resolve: (schedule, _args, ctx) => (schedule.lastJobId ? ctx.queries.byId(schedule.lastJobId, ctx.reads) : null),
    }),
    runs: t.field({
      type: [ScheduleRunRef],
      description: `Its latest firings, newest first (at most ${SCHEDULE_RUNS}): the job each made, or why it made none (a rate limit, a refused template).`,
      complexity: { field: 1, multiplier: SCHEDULE_RUNS },
      resolve: (schedule) => schedule.runs as unknown as ScheduleRun[],
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const SchedulePayloadRef = builder.objectRef<{ schedule: Schedule | null; userErrors: UserError[] }>('SchedulePayload').implement({
  fields: (t) => ({
    schedule: t.field({ type: ScheduleRef, nullable: true, resolve: (payload) => payload.schedule }),
    userErrors: t.field({ type: [UserErrorRef], resolve: (payload) => payload.userErrors }),
  }),
});

const CreateScheduleInput = builder.inputType('CreateScheduleInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique; 1 to 100 letters, digits, _ . : -' }),
    cron: t.string({ required: true, description: 'e.g. "0 9 * * 1-5" (9:00 on weekdays) or "*/10 * * * * *" (every 10 s).' }),
    timezone: t.string({ description: 'Default "UTC".' }),
    job: t.field({ type: SubmitJobInput, required: true, description: 'The job to submit each time (runAt and idempotencyKey are ignored).' }),
  }),
});

const scheduleLists = new WeakMap<Context, Promise<Schedule[]>>();

builder.queryFields((t) => ({
  schedules: t.field({
    type: [ScheduleRef],
    description: 'Every schedule, by name, with its next run.',
    // As many as MAX_SCHEDULES, each as dear as its selection.
    complexity: (_args, ctx) => ({ field: 1, multiplier: ctx.config.MAX_SCHEDULES }),
    // Aliases of one request share one read.
    resolve: (_root, _args, ctx) => {
      let list = scheduleLists.get(ctx);
      if (!list) scheduleLists.set(ctx, (list = ctx.schedules.list(ctx.reads)));
      return list;
    },
  }),
}));

async function byId(ctx: Context, id: string, change: (id: string) => Promise<Schedule | ScheduleRefusal | 'forbidden' | null>) {
  if (!isUuid(id)) return { schedule: null, userErrors: [userError('INVALID_INPUT', ['id'], `id: "${id.slice(0, 100)}" is not a schedule id`)] };
  const schedule = await change(id);
  if (schedule !== null && typeof schedule === 'object' && 'refused' in schedule) return { schedule: null, userErrors: [schedule.refused] };
  if (schedule === 'forbidden') {
    return { schedule: null, userErrors: [userError('FORBIDDEN', ['id'], `id: you may read schedule ${id} but not change it: only schedules you created (jobs:write:own)`)] };
  }
  return schedule ? { schedule, userErrors: [] } : { schedule: null, userErrors: [userError('NOT_FOUND', ['id'], `id: no schedule ${id}`)] };
}

builder.mutationFields((t) => ({
  createSchedule: t.field({
    type: SchedulePayloadRef,
    args: { input: t.arg({ type: CreateScheduleInput, required: true }) },
    resolve: (_root, { input }, ctx) => limited(ctx, 1, () => ctx.schedules.create(input, ctx.submitter)),
  }),
  pauseSchedule: t.field({
    type: SchedulePayloadRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => byId(ctx, String(id), (scheduleId) => ctx.schedules.setPaused(scheduleId, true, ctx)),
  }),
  resumeSchedule: t.field({
    type: SchedulePayloadRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => byId(ctx, String(id), (scheduleId) => ctx.schedules.setPaused(scheduleId, false, ctx)),
  }),
  runSchedule: t.field({
    type: SchedulePayloadRef,
    description: "Submits the schedule's job now, as a firing would; its next run stays as it was.",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => byId(ctx, String(id), (scheduleId) => ctx.schedules.runNow(scheduleId, ctx)),
  }),
  deleteSchedule: t.field({
    type: SchedulePayloadRef,
    description: 'Deletes the schedule; jobs it already made stay.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => byId(ctx, String(id), (scheduleId) => ctx.schedules.delete(scheduleId, ctx)),
  }),
}));
