// Recurring jobs. PostgreSQL holds each schedule; BullMQ's job schedulers (one per
// schedule, on a queue of their own) fire at the cron times, and each firing submits an
// ordinary job from the schedule's template, visible in history and subscriptions like
// any other. The firing's BullMQ id is the new job's idempotency key, so a firing
// delivered twice still makes one job. The reconciler rebuilds the schedulers from
// PostgreSQL after Redis loss.
import { Worker, type Queue } from 'bullmq';
import type { GraphQLError } from 'graphql';
import { rateKeysOfOwner, type WorkRateLimit } from '../auth/rateLimit.js';
import { CronExpressionParser } from 'cron-parser';
import type { RedisClient } from '../redis/connection.js';
import { accessTo, type Reach, type Reaches, type Submitter } from '../domain/reach.js';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/client.js';
import type { JobSubmissions, SubmitJobInput } from '../jobs/submit.js';
import { userError, type UserError } from '../domain/errors.js';
import type { Logger } from '../logger.js';
import type { JobQueues } from '../redis/queues.js';
import { within } from '../redis/within.js';
import type { Schedule } from '../generated/prisma/client.js';

export type { Schedule };

export const SCHEDULES_QUEUE = 'jobgraph-schedules';
/** Firings a schedule remembers (Schedule.runs). */
export const SCHEDULE_RUNS = 20;

/** One firing, as Schedule.runs keeps it: the job it made, or why it made none. */
export interface ScheduleRun {
  at: string;
  jobId?: string;
  skipped?: string;
}
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;

export interface ScheduleInput {
  name: string;
  cron: string;
  timezone?: string | null;
  job: SubmitJobInput;
}

/** Why a run of a schedule made no job (a rate limit, a template the service now refuses). */
export interface ScheduleRefusal {
  refused: UserError;
}

export type ScheduleResult = { schedule: Schedule; userErrors: [] } | { schedule: null; userErrors: UserError[] };

const owned = (schedule: Schedule) => ({ id: schedule.id, tenant: schedule.tenant, owner: schedule.owner || null });

/** The next `count` firings (none when paused or the expression never fires again). */
export function nextRuns(schedule: Pick<Schedule, 'cron' | 'timezone' | 'paused'>, count: number, after = new Date()): Date[] {
  if (schedule.paused) return [];
  try {
    const expression = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: after });
    const runs: Date[] = [];
    while (runs.length < count && expression.hasNext()) runs.push(expression.next().toDate());
    return runs;
  } catch {
    return [];
  }
}

/** When the schedule fires next (null when paused or the expression never fires again). */
export function nextRun(schedule: Pick<Schedule, 'cron' | 'timezone' | 'paused'>, after = new Date()): Date | null {
  return nextRuns(schedule, 1, after)[0] ?? null;
}

/** Firings sampled to find a cron expression's shortest interval (irregular ones such as "0,1 * * * *" included). */
const INTERVAL_SAMPLES = 200;

/** The shortest time between two of the expression's next firings, in ms. */
export function shortestInterval(cron: string, timezone: string): number {
  const expression = CronExpressionParser.parse(cron, { tz: timezone });
  let previous = expression.next().getTime();
  let shortest = Infinity;
  for (let i = 0; i < INTERVAL_SAMPLES && expression.hasNext(); i++) {
    const next = expression.next().getTime();
    shortest = Math.min(shortest, next - previous);
    previous = next;
  }
  return shortest;
}

export interface ScheduleLimits {
  /** Most schedules at once (MAX_SCHEDULES). */
  maxSchedules: number;
  /** Shortest interval between firings (SCHEDULE_MIN_INTERVAL_MS). */
  minIntervalMs: number;
}

export class Schedules {
  private readonly queue: Queue;
  private worker: Worker | undefined;

  constructor(
    private readonly deps: {
      db: Db;
      submissions: JobSubmissions;
      queues: JobQueues;
      connection: RedisClient;
      prefix: string;
      logger: Logger;
      timeoutMs: number;
      limits: ScheduleLimits;
      /** Firings count against their creator's (and its tenant's) rate limits, as submits do. */
      rateLimit: WorkRateLimit;
    },
  ) {
    // One of JobQueues' queues (same connection and prefix, closed with the others).
    this.queue = deps.queues.get(SCHEDULES_QUEUE);
  }

  /** The schedules the caller reaches (all of them for the reconciler). */
  async list(reach: Reach = {}): Promise<Schedule[]> {
    // A job token reaches one job and no schedule.
    if (reach.jobId !== undefined) return [];
    return this.deps.db.schedule.findMany({ where: { tenant: reach.tenant, owner: reach.owner }, orderBy: [{ tenant: 'asc' }, { name: 'asc' }] });
  }

  async create(input: ScheduleInput, submitter: Submitter): Promise<ScheduleResult> {
    const timezone = input.timezone ?? 'UTC';
    const problems: UserError[] = [];
    if (!NAME.test(input.name)) problems.push(userError('INVALID_INPUT', ['input', 'name'], 'name: 1 to 100 letters, digits, _ . : -'));
    if (!Intl.supportedValuesOf('timeZone').includes(timezone) && timezone !== 'UTC') {
      problems.push(userError('INVALID_INPUT', ['input', 'timezone'], `timezone: "${timezone.slice(0, 64)}" is not an IANA time zone`));
    } else {
      try {
        const interval = shortestInterval(input.cron, timezone);
        const { minIntervalMs } = this.deps.limits;
        if (interval < minIntervalMs) {
          problems.push(
            userError('LIMIT_EXCEEDED', ['input', 'cron'], `cron: fires every ${interval / 1000} s at times; schedules may fire at most every ${minIntervalMs / 1000} s (SCHEDULE_MIN_INTERVAL_MS)`),
          );
        }
      } catch (error) {
        problems.push(userError('INVALID_INPUT', ['input', 'cron'], `cron: ${(error as Error).message}`));
      }
    }
    const job = { ...input.job, runAt: null, idempotencyKey: null };
    problems.push(...(await this.deps.submissions.check(job, ['input', 'job'], submitter.tenant)));
    if (problems.length) return { schedule: null, userErrors: problems };
    const { tenant, ownerOnly } = submitter;
    const owner = submitter.owner ?? '';
    // Per tenant: one tenant's schedules never crowd out another's.
    const count = await this.deps.db.schedule.count({ where: { tenant } });
    if (count >= this.deps.limits.maxSchedules) {
      return { schedule: null, userErrors: [userError('LIMIT_EXCEEDED', ['input'], `at most ${this.deps.limits.maxSchedules} schedules may exist per tenant (MAX_SCHEDULES); delete one first`)] };
    }
    // Names are unique per creator: another's schedule of the same name is no conflict, and never revealed.
    const nameTaken = () => ({ schedule: null, userErrors: [userError('INVALID_INPUT', ['input', 'name'], `name: you have a schedule "${input.name}"`)] });
    const taken = await this.deps.db.schedule.findUnique({ where: { tenant_owner_name: { tenant, owner, name: input.name } } });
    if (taken) return nameTaken();
    let schedule: Schedule;
    try {
      schedule = await this.deps.db.schedule.create({
        data: { id: uuidv7(), name: input.name, cron: input.cron, timezone, job: JSON.parse(JSON.stringify(job)) as object, tenant, owner, ownerOnly },
      });
    } catch (error) {
      // Created by a concurrent request between the look-up above and this insert.
      if ((error as { code?: string }).code === 'P2002') return nameTaken();
      throw error;
    }
    await this.apply(schedule);
    return { schedule, userErrors: [] };
  }

  /**
   * The schedule, if the caller may change it; 'forbidden' if it may only read it; null
   * if it may not see it (answered as a missing one).
   */
  private async changeable(id: string, caller: Reaches): Promise<Schedule | 'forbidden' | null> {
    const found = await this.deps.db.schedule.findUnique({ where: { id } });
    const access = found ? accessTo(caller, owned(found)) : 'none';
    return access === 'change' ? found : access === 'read' ? 'forbidden' : null;
  }

  async setPaused(id: string, paused: boolean, caller: Reaches): Promise<Schedule | 'forbidden' | null> {
    const found = await this.changeable(id, caller);
    if (found === null || found === 'forbidden') return found;
    const schedule = await this.deps.db.schedule.update({ where: { id }, data: { paused } });
    await this.apply(schedule);
    return schedule;
  }

  async delete(id: string, caller: Reaches): Promise<Schedule | 'forbidden' | null> {
    const found = await this.changeable(id, caller);
    if (found === null || found === 'forbidden') return found;
    await this.deps.db.schedule.delete({ where: { id } });
    await this.apply({ ...found, paused: true });
    return found;
  }

  /** Runs the firings (in worker processes). */
  async startWorker(): Promise<void> {
    this.worker = new Worker(SCHEDULES_QUEUE, (firing) => this.fire(firing.data as { scheduleId: string }, String(firing.id)), {
      connection: this.deps.connection,
      prefix: this.deps.prefix,
      concurrency: 10,
    });
    this.worker.on('error', (error) => this.deps.logger.warn({ err: error }, 'schedule worker error'));
    await this.worker.waitUntilReady();
  }

  /** Makes BullMQ's schedulers match PostgreSQL's schedules. */
  async reconcile(): Promise<void> {
    const schedules = await this.list();
    for (const schedule of schedules) await this.apply(schedule);
    const known = new Set(schedules.filter((schedule) => !schedule.paused).map((schedule) => schedule.id));
    for (const scheduler of await this.queue.getJobSchedulers()) {
      const id = scheduler.id ?? scheduler.key;
      if (id && !known.has(id)) await this.queue.removeJobScheduler(id);
    }
  }

  /** Stops running firings (the queue itself closes with JobQueues). */
  async close(): Promise<void> {
    await this.worker?.close();
  }

  /** Tells BullMQ; if Redis is away, the reconciler will. */
  private async apply(schedule: Schedule): Promise<void> {
    const change: Promise<unknown> = schedule.paused
      ? this.queue.removeJobScheduler(schedule.id)
      : this.queue.upsertJobScheduler(schedule.id, { pattern: schedule.cron, tz: schedule.timezone }, {
          name: 'fire',
          data: { scheduleId: schedule.id },
          // The job a firing makes is the record; the firing itself need not stay.
          opts: { removeOnComplete: true, removeOnFail: 1000 },
        });
    await within(change, this.deps.timeoutMs, 'updating a schedule').catch((error: unknown) =>
      this.deps.logger.warn({ err: error, schedule: schedule.name }, 'schedule not passed to Redis yet; the reconciler will'),
    );
  }

  /**
   * Submits the schedule's job now (runSchedule), as a firing would: the creator's rate
   * limits, the template, the run recorded. A paused schedule runs too (an operator asked
   * for this one run); its next run stays as it was. What stopped it comes back as a
   * userError, and is kept in its runs as a firing's would be.
   */
  async runNow(id: string, caller: Reaches): Promise<Schedule | ScheduleRefusal | 'forbidden' | null> {
    const found = await this.changeable(id, caller);
    if (found === null || found === 'forbidden') return found;
    const outcome = await this.submitFrom(found, `now:${uuidv7()}`);
    if ('refused' in outcome) return outcome;
    // Read again: its runs and last job now include this one.
    return this.deps.db.schedule.findUnique({ where: { id } });
  }

  private async fire({ scheduleId }: { scheduleId: string }, firingId: string): Promise<void> {
    const schedule = await this.deps.db.schedule.findUnique({ where: { id: scheduleId } });
    if (!schedule || schedule.paused) return;
    await this.submitFrom(schedule, firingId);
  }

  /** One run of the schedule: its job submitted (idempotent per firing), or why not, recorded either way. */
  private async submitFrom(schedule: Schedule, firingId: string): Promise<{ jobId: string } | ScheduleRefusal> {
    const template = schedule.job as unknown as SubmitJobInput;
    // The jobs are the schedule's creator's: same tenant, same owner, same reach, same allowance.
    const keys = rateKeysOfOwner(schedule.tenant, schedule.owner || null, `schedule:${schedule.id}`);
    try {
      await this.deps.rateLimit.take(keys, 1);
    } catch (error) {
      if ((error as GraphQLError).extensions?.code !== 'RATE_LIMITED') throw error;
      const why = `skipped: over the rate limit of its creator or tenant (${(error as Error).message.replace(/^Rate limited: /, '')})`;
      this.deps.logger.warn({ schedule: schedule.name, tenant: schedule.tenant }, `scheduled job ${why}`);
      await this.record(schedule.id, { skipped: why.slice(0, 500) });
      return { refused: userError('LIMIT_EXCEEDED', ['id'], `id: schedule ${schedule.name} ${why}`) };
    }
    const { jobs, userErrors } = await this.deps.submissions.submit([{ ...template, idempotencyKey: `schedule:${schedule.id}:${firingId}` }], () => ['job'], {
      tenant: schedule.tenant,
      owner: schedule.owner || null,
      ownerOnly: schedule.ownerOnly,
      submittedBy: `schedule:${schedule.name}`,
      idempotencyScope: `schedule:${schedule.id}`,
    });
    if (userErrors.length) {
      await this.deps.rateLimit.refund(keys, 1);
      this.deps.logger.error({ schedule: schedule.name, userErrors }, 'scheduled job refused; the schedule goes on');
      const why = `refused: ${userErrors.map((problem) => problem.message).join('; ')}`.slice(0, 500);
      await this.record(schedule.id, { skipped: why });
      return { refused: userError(userErrors[0]?.code ?? 'INVALID_INPUT', ['id'], `id: schedule ${schedule.name}'s job was ${why}`) };
    }
    const jobId = (jobs[0] as { id: string }).id;
    await this.record(schedule.id, { jobId });
    return { jobId };
  }

  /** Notes a firing in the schedule's short history (newest first, at most SCHEDULE_RUNS kept) and, for a job, as its last run. */
  private async record(id: string, run: { jobId: string } | { skipped: string }): Promise<void> {
    const entry = JSON.stringify({ at: new Date().toISOString(), ...run });
    const jobId = 'jobId' in run ? run.jobId : null;
    await this.deps.db.$executeRaw`
      UPDATE schedules SET
        runs = jsonb_path_query_array(jsonb_build_array(${entry}::jsonb) || runs, ${`$[0 to ${SCHEDULE_RUNS - 1}]`}::jsonpath),
        last_run_at = CASE WHEN ${jobId}::uuid IS NULL THEN last_run_at ELSE now() END,
        last_job_id = coalesce(${jobId}::uuid, last_job_id)
      WHERE id = ${id}::uuid`;
  }
}
