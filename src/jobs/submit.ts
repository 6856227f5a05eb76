// Submitting jobs: check every input, store the valid batch with its CREATED events in
// one statement (the lifecycle then hands the jobs to BullMQ). All or nothing: one bad
// input and nothing is stored. PostgreSQL commits before Redis hears of a job, so a job
// is never run that was not recorded.
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Submitter } from '../domain/reach.js';
import type { Config } from '../config.js';
import type { JobTypeCatalog } from '../handlers/catalog.js';
import type { Logger } from '../logger.js';
import type { JobQueues } from '../redis/queues.js';
import type { JobQueries } from '../store/queries.js';
import { jsonProblem } from '../domain/json.js';
import { WAITING_STATUSES, type BackoffType, type Job, type Jitter } from '../domain/model.js';
import type { JobLifecycle } from './lifecycle.js';
import type { NewFlowJob, NewJob } from '../store/changes.js';
import { fromZod, inInstantRange, userError, type UserError } from '../domain/errors.js';
import { currentTraceParent } from '../tracing/tracing.js';

export interface SubmitJobInput {
  type: string;
  payload?: unknown;
  queue?: string | null;
  priority?: number | null;
  maxAttempts?: number | null;
  backoff?: { type: BackoffType; delayMs: number; maxDelayMs?: number | null; jitter?: Jitter | null } | null;
  runAt?: Date | null;
  timeoutMs?: number | null;
  idempotencyKey?: string | null;
  tags?: string[] | null;
}

export const LIMITS = {
  /** Tags per job, and characters per tag. */
  tags: 20,
  tagChars: 64,
  typeChars: 100,
  idempotencyKeyChars: 255,
  maxAttempts: 100,
  backoffDelayMs: 86_400_000,
  backoffMaxDelayMs: 604_800_000,
  timeoutMs: 86_400_000,
  /** How far ahead a job may be scheduled. */
  runAtAheadMs: 366 * 86_400_000,
} as const;

const DAY = 86_400_000;

function optionsSchema(config: Config) {
  const optional = <T extends z.ZodType>(schema: T) => schema.nullish();
  return z.object({
    type: z.string().min(1).max(LIMITS.typeChars),
    queue: optional(
      z
        .string()
        .refine((queue) => config.QUEUES.includes(queue), { error: `must be one of the configured queues: ${config.QUEUES.join(', ')}` }),
    ),
    priority: optional(z.number().int().min(0).max(100)),
    maxAttempts: optional(z.number().int().min(1).max(LIMITS.maxAttempts)),
    backoff: optional(
      z
        .object({
          type: z.enum(['FIXED', 'EXPONENTIAL']),
          delayMs: z.number().int().min(0).max(LIMITS.backoffDelayMs),
          maxDelayMs: optional(z.number().int().min(0).max(LIMITS.backoffMaxDelayMs)),
          jitter: optional(z.enum(['NONE', 'FULL', 'EQUAL', 'DECORRELATED'])),
        })
        .refine((backoff) => backoff.maxDelayMs == null || backoff.maxDelayMs >= backoff.delayMs, {
          error: 'must be at least delayMs',
          path: ['maxDelayMs'],
        }),
    ),
    runAt: optional(
      z
        .date()
        .refine((date) => inInstantRange(date), { error: 'must be between 1970-01-01 and 9999-12-31' })
        .refine((date) => date.getTime() - Date.now() <= LIMITS.runAtAheadMs, {
          error: `must be within ${LIMITS.runAtAheadMs / DAY} days from now`,
        }),
    ),
    timeoutMs: optional(z.number().int().min(1).max(LIMITS.timeoutMs)),
    idempotencyKey: optional(
      z
        .string()
        .min(1)
        .max(LIMITS.idempotencyKeyChars)
        .refine((key) => !key.includes('\u0000') && key.isWellFormed(), { error: 'must be valid text without NUL characters' }),
    ),
    tags: optional(
      z
        .array(
          z
            .string()
            .min(1)
            .max(LIMITS.tagChars)
            .refine((tag) => !tag.includes('\u0000') && tag.isWellFormed(), { error: 'must be valid text without NUL characters' }),
        )
        .max(LIMITS.tags),
    ),
  });
}

export interface SubmissionDeps {
  config: Config;
  queries: JobQueries;
  /** The types callers may submit: the service's own and those remote workers registered. */
  catalog: JobTypeCatalog;
  lifecycle: JobLifecycle;
  queues: JobQueues;
  logger: Logger;
}

export interface FlowJobInput {
  key: string;
  job: SubmitJobInput;
  dependsOn?: string[] | null;
}

export type FlowResult = { flowId: string; jobs: Job[]; userErrors: [] } | { flowId: null; jobs: []; userErrors: UserError[] };

/** A cycle among the flow's keys, as the keys on it in order (first repeated last), or null. */
export function findCycle(edges: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (key: string): string[] | null => {
    if (state.get(key) === 'done') return null;
    if (state.get(key) === 'open') return [...path.slice(path.indexOf(key)), key];
    state.set(key, 'open');
    path.push(key);
    for (const next of edges.get(key) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(key, 'done');
    return null;
  };
  for (const key of edges.keys()) {
    const cycle = visit(key);
    if (cycle) return cycle;
  }
  return null;
}

/** Submissions of an open service (no credentials configured). */
const ANYONE: Submitter = { tenant: '', owner: null, ownerOnly: false, submittedBy: null, idempotencyScope: '' };

export type SubmitResult = { jobs: Job[]; userErrors: [] } | { jobs: []; userErrors: UserError[] };

export class JobSubmissions {
  private readonly schema;

  constructor(private readonly deps: SubmissionDeps) {
    this.schema = optionsSchema(deps.config);
  }

  /**
   * Checks and stores the jobs, in input order. `at` is the path of each input in the
   * request (["input"] for one job, ["input", i] for a batch) so errors name the field.
   */
  async submit(inputs: SubmitJobInput[], at: (index: number) => (string | number)[], submitter: Submitter = ANYONE): Promise<SubmitResult> {
    const { config } = this.deps;
    if (inputs.length > config.MAX_BATCH_SIZE) {
      return { jobs: [], userErrors: [userError('INVALID_INPUT', ['input'], `input: at most ${config.MAX_BATCH_SIZE} jobs per call, got ${inputs.length}`)] };
    }
    const userErrors: UserError[] = [];
    const now = Date.now();
    const rows: (NewJob | null)[] = [];
    for (const [index, input] of inputs.entries()) {
      const { errors, runnerScope } = await this.checked(input, at(index), submitter.tenant);
      userErrors.push(...errors);
      rows.push(errors.length ? null : this.toNewJob(input, now, submitter, runnerScope));
    }
    if (userErrors.length) return { jobs: [], userErrors };
    const jobs = await this.store(rows as NewJob[]);
    return { jobs, userErrors: [] };
  }

  /**
   * Checks a flow (keys, edges, no cycle, each job) and stores all its jobs and edges in
   * one statement, or nothing. Jobs with dependencies start BLOCKED.
   */
  async submitFlow(name: string | null, inputs: FlowJobInput[], submitter: Submitter = ANYONE): Promise<FlowResult> {
    const { config } = this.deps;
    const problems: UserError[] = [];
    const refuse = (field: (string | number)[], message: string) => problems.push(userError('INVALID_INPUT', field, `${field.join('.')}: ${message}`));
    const limit = (field: (string | number)[], message: string) => problems.push(userError('LIMIT_EXCEEDED', field, `${field.join('.')}: ${message}`));
    if (inputs.length > config.MAX_FLOW_SIZE) return { flowId: null, jobs: [], userErrors: [userError('LIMIT_EXCEEDED', ['input', 'jobs'], `input.jobs: at most ${config.MAX_FLOW_SIZE} jobs per flow (MAX_FLOW_SIZE), got ${inputs.length}`)] };
    if (inputs.length === 0) refuse(['input', 'jobs'], 'at least one job');
    if (name != null && (name.length < 1 || name.length > 200)) refuse(['input', 'name'], '1 to 200 characters');
    const keys = new Map<string, number>();
    inputs.forEach((input, index) => {
      if (input.key.length < 1 || input.key.length > 100) refuse(['input', 'jobs', index, 'key'], '1 to 100 characters');
      else if (keys.has(input.key)) refuse(['input', 'jobs', index, 'key'], `"${input.key}" is used twice`);
      keys.set(input.key, index);
      if (input.job.idempotencyKey != null) refuse(['input', 'jobs', index, 'job', 'idempotencyKey'], 'not taken within a flow (the flow is submitted once, all or nothing)');
    });
    const edges = new Map<string, string[]>();
    let edgeCount = 0;
    inputs.forEach((input, index) => {
      const given = input.dependsOn ?? [];
      if (given.length > config.MAX_JOB_DEPENDENCIES) {
        limit(['input', 'jobs', index, 'dependsOn'], `at most ${config.MAX_JOB_DEPENDENCIES} jobs per job (MAX_JOB_DEPENDENCIES), got ${given.length}`);
        return;
      }
      const dependsOn = [...new Set(given)];
      edgeCount += dependsOn.length;
      for (const key of dependsOn) {
        if (!keys.has(key)) refuse(['input', 'jobs', index, 'dependsOn'], `no job with key "${key.slice(0, 100)}" in this flow`);
        else if (key === input.key) refuse(['input', 'jobs', index, 'dependsOn'], 'a job cannot depend on itself');
      }
      edges.set(input.key, dependsOn.filter((key) => keys.has(key) && key !== input.key));
    });
    if (edgeCount > config.MAX_FLOW_EDGES) limit(['input', 'jobs'], `at most ${config.MAX_FLOW_EDGES} dependsOn entries per flow (MAX_FLOW_EDGES), got ${edgeCount}`);
    const cycle = problems.length ? null : findCycle(edges);
    if (cycle) refuse(['input', 'jobs'], `a cycle: ${cycle.join(' -> ')}`);
    const scopes: (string | null)[] = [];
    for (const [index, input] of inputs.entries()) {
      const { errors, runnerScope } = await this.checked(input.job, ['input', 'jobs', index, 'job'], submitter.tenant);
      problems.push(...errors);
      scopes.push(runnerScope);
    }
    if (problems.length) return { flowId: null, jobs: [], userErrors: problems };

    const flowId = uuidv7();
    const now = Date.now();
    const rows = inputs.map((input, index) => ({ ...this.toNewJob(input.job, now, submitter, scopes[index] ?? null), flowId, flowKey: input.key, flowName: name ?? null }));
    const ids = new Map(inputs.map((input, index) => [input.key, (rows[index] as NewJob).id]));
    const flowRows = rows.map((row, index) => {
      const dependsOn = (edges.get((inputs[index] as FlowJobInput).key) ?? []).map((key) => ids.get(key) as string);
      return dependsOn.length ? { ...row, status: 'BLOCKED' as const, dependsOn } : row;
    });
    const jobs = await this.store(flowRows);
    return { flowId, jobs, userErrors: [] };
  }

  /** The refusals `submit` would give this input from a caller of `tenant`, without storing anything (schedules check their templates). */
  async check(input: SubmitJobInput, at: (string | number)[], tenant: string): Promise<UserError[]> {
    return (await this.checked(input, at, tenant)).errors;
  }

  /** The refusals, and who would run the job: null for the service's own workers, else the scope of the remote workers that registered its type. */
  private async checked(input: SubmitJobInput, at: (string | number)[], tenant: string): Promise<{ errors: UserError[]; runnerScope: string | null }> {
    const refused = (errors: UserError[]) => ({ errors, runnerScope: null });
    const parsed = this.schema.safeParse(input);
    if (!parsed.success) return refused(fromZod(parsed.error, at));
    const type = await this.deps.catalog.resolve(input.type, tenant);
    if (!type) {
      const known = (await this.deps.catalog.list(tenant)).map((view) => view.name).join(', ');
      return refused([userError('UNKNOWN_JOB_TYPE', [...at, 'type'], `type: no job type "${input.type}"; known types: ${known.slice(0, 2000)}`)]);
    }
    const field = [...at, 'payload'];
    // Depth first (its walk stops at MAX_JSON_DEPTH): measuring a payload nested
    // 100,000 deep with JSON.stringify would overflow the stack.
    const problem = jsonProblem(input.payload);
    if (problem) {
      const path = [...field, ...problem.path];
      return refused([userError('INVALID_INPUT', path, `${path.join('.')}: ${problem.message}`)]);
    }
    const bytes = Buffer.byteLength(JSON.stringify(input.payload) ?? '');
    if (bytes > this.deps.config.MAX_PAYLOAD_BYTES) {
      return refused([userError('PAYLOAD_TOO_LARGE', field, `payload: ${bytes} bytes as JSON, at most ${this.deps.config.MAX_PAYLOAD_BYTES}`)]);
    }
    const issues = await this.deps.catalog.validate(type, input.payload);
    if (issues.length) {
      return refused(issues.map((issue) => {
        const path = [...field, ...issue.path];
        return userError('INVALID_INPUT', path, `${path.join('.')}: ${issue.message}`);
      }));
    }
    return { errors: [], runnerScope: type.kind === 'remote' ? type.type.scope : null };
  }

  private toNewJob(input: SubmitJobInput, now: number, submitter: Submitter, runnerScope: string | null): NewJob {
    const { config } = this.deps;
    const backoff = input.backoff;
    const delayMs = backoff?.delayMs ?? config.DEFAULT_BACKOFF_DELAY_MS;
    const runAt = input.runAt ?? null;
    return {
      id: uuidv7(),
      queue: input.queue ?? (config.QUEUES[0] as string),
      type: input.type,
      payload: input.payload as NewJob['payload'],
      status: runAt && runAt.getTime() > now ? 'SCHEDULED' : 'PENDING',
      priority: input.priority ?? 0,
      maxAttempts: input.maxAttempts ?? config.DEFAULT_MAX_ATTEMPTS,
      backoffType: backoff?.type ?? config.DEFAULT_BACKOFF_TYPE,
      backoffDelayMs: delayMs,
      backoffMaxDelayMs: backoff?.maxDelayMs ?? Math.max(config.DEFAULT_BACKOFF_MAX_DELAY_MS, delayMs),
      backoffJitter: backoff?.jitter ?? config.DEFAULT_BACKOFF_JITTER,
      timeoutMs: input.timeoutMs ?? config.DEFAULT_TIMEOUT_MS,
      idempotencyKey: input.idempotencyKey ?? null,
      // A key names a job only within its scope (the tenant): no caller can find or take another tenant's.
      idempotencyScope: submitter.idempotencyScope,
      submittedBy: submitter.submittedBy,
      tenant: submitter.tenant,
      owner: submitter.owner,
      ownerOnly: submitter.ownerOnly,
      tags: [...new Set(input.tags ?? [])],
      flowId: null,
      flowKey: null,
      flowName: null,
      runnerScope,
      runAt,
      // Its attempts join the trace of this submit (tracing/).
      traceParent: currentTraceParent(),
    };
  }

  /**
   * Inserts the jobs (the lifecycle queues them once they have committed); an input whose
   * idempotency key its submitter already used, in the database or earlier in the same
   * batch, gets the job that holds the key.
   */
  private async store(rows: NewFlowJob[]): Promise<Job[]> {
    const firstByKey = new Map<string, NewJob>();
    const fresh = rows.filter((row) => {
      if (row.idempotencyKey === null) return true;
      if (firstByKey.has(row.idempotencyKey)) return false;
      firstByKey.set(row.idempotencyKey, row);
      return true;
    });
    const created = await this.deps.lifecycle.create(fresh);
    const byId = new Map(created.map(({ job }) => [job.id, job]));
    // Keys whose insert was skipped belong to a job stored earlier (or by a concurrent
    // submit that committed first); read them in a new statement, which sees that commit.
    const takenKeys = [...firstByKey.values()].filter((row) => !byId.has(row.id)).map((row) => row.idempotencyKey as string);
    const scope = rows[0]?.idempotencyScope ?? '';
    const existing = await this.deps.queries.byIdempotencyKeys(scope, takenKeys);
    await this.requeue(existing);
    const byKey = new Map(existing.map((job) => [job.idempotencyKey as string, job]));
    for (const job of created.map((change) => change.job)) if (job.idempotencyKey) byKey.set(job.idempotencyKey, job);
    return rows.map((row) => {
      const job = row.idempotencyKey === null ? byId.get(row.id) : byKey.get(row.idempotencyKey);
      if (!job) throw new Error(`job for idempotency key vanished while submitting (${row.idempotencyKey})`);
      return job;
    });
  }

  /**
   * Jobs returned for a reused idempotency key that are still waiting are queued again
   * (not a change of status, so not the lifecycle's): BullMQ ignores a job id it holds,
   * and a client that resubmits after a lost enqueue gets its job queued.
   */
  private async requeue(jobs: Job[]): Promise<void> {
    const waiting = jobs.filter((job) => (WAITING_STATUSES as readonly string[]).includes(job.status));
    if (waiting.length === 0) return;
    await this.deps.queues.enqueue(waiting).catch((error: unknown) =>
      // Stored, so accepted: the reconciler queues them when Redis is back.
      this.deps.logger.warn({ err: error, jobIds: waiting.map((job) => job.id) }, 'jobs submitted again could not be queued yet; the reconciler will'),
    );
  }
}
