// One attempt of a job in this process: runs its handler with a context (progress,
// logger, abort signal) and says how it ended; `recordOutcome` records that through the
// lifecycle, whoever ran the attempt (here, or a remote worker: remote/).
import { validatePayload } from '@jobgraph/worker';
import { handlerReach } from '../domain/reach.js';
import { isPermanentError, serializeError, type AttemptError } from '../domain/errors.js';
import type { JobContext, JobHandler } from '../handlers/handler.js';
import type { Logger } from '../logger.js';
import { handlerLogger, type JobLogs } from './logs.js';
import { currentTraceParent } from '../tracing/tracing.js';
import { nextDelay } from '../domain/backoff.js';
import { storableJson, storableText } from '../domain/json.js';
import type { Job } from '../domain/model.js';
import type { Change } from '../domain/transitions.js';
import type { JobLifecycle } from '../jobs/lifecycle.js';

/**
 * Progress is written at most this often per job (leading and trailing edge), so a
 * chatty handler costs one PROGRESS event per interval. A report still waiting when the
 * attempt ends is dropped: COMPLETED sets 100, and a failure makes it moot.
 */
export const PROGRESS_INTERVAL_MS = 250;
const MAX_ERROR_CHARS = 4000;

/** An attempt's error as a cause of its own (a payload that no longer matches, a dependency that cannot be read). */
export function attemptError(name: string, message: string): AttemptError {
  return { name, message, stack: null, cause: null };
}
/** Why an attempt's signal fired. */
export class AttemptAborted extends Error {
  constructor(
    readonly reason: 'cancelled' | 'timeout' | 'shutdown',
    message: string,
  ) {
    super(message);
    this.name = 'AttemptAborted';
  }
}

export type Outcome =
  | { kind: 'completed'; result: unknown }
  /** The error in full (class, message, stack, causes), kept with the attempt. */
  | { kind: 'failed'; error: AttemptError; permanent: boolean }
  /** Cancelled by a client: the cancel itself already recorded CANCELLED. */
  | { kind: 'cancelled' }
  /** Cut short by a worker's shutdown: handed back to run again elsewhere, the attempt not counted. */
  | { kind: 'interrupted'; reason: string }
  /**
   * The remote worker running it was lost (disconnected, or silent past its heartbeat):
   * nothing is recorded; the job runs again and its lost attempt is counted when it
   * starts, as after a crash. A late outcome of the lost attempt is refused (fenced).
   */
  | { kind: 'lost'; reason: string };

/** The job's lastError: the top error's message (or class), bounded; lastAttemptError has the rest. */
export function errorMessage(error: AttemptError): string {
  const message = storableText(error.message || error.name);
  return message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS)}…` : message;
}

/** How an aborted attempt ended, from why its signal fired; null when it was not aborted by us. */
export function abortedOutcome(reason: unknown): Outcome | null {
  if (!(reason instanceof AttemptAborted)) return null;
  if (reason.reason === 'cancelled') return { kind: 'cancelled' };
  if (reason.reason === 'shutdown') return { kind: 'interrupted', reason: reason.message };
  return { kind: 'failed', error: serializeError(reason), permanent: false };
}

/** Writes progress, leading and trailing edge, no more than once per interval. */
function throttledProgress(write: (percent: number) => Promise<unknown>, logger: Logger) {
  let lastWrite = 0;
  let pending: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const flush = () => {
    timer = undefined;
    if (pending === undefined || closed) return;
    const percent = pending;
    pending = undefined;
    lastWrite = Date.now();
    write(percent).catch((error: unknown) => logger.warn({ err: error }, 'progress not recorded'));
  };
  return {
    report(percent: number) {
      if (!Number.isFinite(percent)) return;
      pending = Math.min(Math.max(percent, 0), 100);
      if (timer) return;
      const wait = lastWrite + PROGRESS_INTERVAL_MS - Date.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}

export interface AttemptDeps {
  lifecycle: JobLifecycle;
  logger: Logger;
  /** Keeps what the handler logs with the job (Job.logs). */
  logs?: JobLogs;
  /** The results of the jobs a flow's job depends on, by key. */
  dependencies?: Record<string, unknown>;
}

/**
 * Runs the handler of a job that the lifecycle has just started. `controller` is the
 * attempt's: the caller aborts it with an AttemptAborted when the job is cancelled, times
 * out, or the worker shuts down.
 */
export async function runAttempt(job: Job, handler: JobHandler, controller: AbortController, deps: AttemptDeps): Promise<Outcome> {
  const attempt = job.attempts;
  const logger = deps.logger.child({ jobId: job.id, type: job.type, attempt });
  const parsed = await validatePayload(handler.payload, job.payload);
  if (!parsed.ok) {
    const issues = parsed.issues.map((issue) => `${['payload', ...issue.path].join('.')}: ${issue.message}`).join('; ');
    return { kind: 'failed', error: attemptError('InvalidPayload', `payload no longer matches the ${job.type} schema: ${issues}`), permanent: true };
  }
  const progress = throttledProgress((percent) => deps.lifecycle.progress(job.id, attempt, percent), logger);
  const kept = deps.logs?.attemptLogger(logger, job.id, attempt);
  const ctx: JobContext = {
    jobId: job.id,
    attempt,
    signal: controller.signal,
    progress: progress.report,
    logger: handlerLogger(kept?.logger ?? logger),
    reach: handlerReach(job),
    dependencies: deps.dependencies ?? {},
    // Inside the attempt's span (worker.ts): the handler's own spans are its children already.
    traceparent: currentTraceParent(),
  };
  try {
    const running = (handler as JobHandler<typeof handler.payload>).run(parsed.value as never, ctx as never);
    // A handler that ignores its signal must not hold the attempt open past its timeout.
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(controller.signal.reason);
      if (controller.signal.aborted) onAbort();
      else controller.signal.addEventListener('abort', onAbort, { once: true });
    });
    running.catch(() => undefined);
    aborted.catch(() => undefined);
    const result = await Promise.race([running, aborted]);
    if (controller.signal.aborted) throw controller.signal.reason;
    return { kind: 'completed', result: storableJson(result) };
  } catch (error) {
    // A handler's own AbortError says less than the reason the signal fired for.
    if (controller.signal.aborted) return abortedOutcome(controller.signal.reason) ?? { kind: 'failed', error: serializeError(controller.signal.reason), permanent: false };
    return { kind: 'failed', error: serializeError(error), permanent: isPermanentError(error) };
  } finally {
    progress.close();
    // Its lines are stored before its outcome: whoever sees the job finish sees its logs.
    await kept?.flushed();
  }
}

/**
 * Records an attempt's outcome. A failure with attempts left schedules a retry after
 * the job's backoff; otherwise the job is FAILED. Null when the lifecycle refused:
 * the job was cancelled, retried or taken over by another delivery meanwhile.
 */
export async function recordOutcome(job: Job, outcome: Outcome, lifecycle: JobLifecycle): Promise<Change | null> {
  const attempt = job.attempts;
  switch (outcome.kind) {
    case 'completed':
      return lifecycle.complete(job.id, attempt, outcome.result);
    case 'cancelled':
    case 'lost':
      return null;
    case 'interrupted':
      return lifecycle.handBack(job.id, attempt, outcome.reason);
    case 'failed': {
      if (outcome.permanent || attempt >= job.maxAttempts) return lifecycle.fail(job.id, attempt, errorMessage(outcome.error), outcome.error);
      const delayMs = nextDelay(
        { type: job.backoffType, delayMs: job.backoffDelayMs, maxDelayMs: job.backoffMaxDelayMs, jitter: job.backoffJitter },
        { failures: attempt, previousDelayMs: job.lastDelayMs },
      );
      return lifecycle.scheduleRetry(job.id, attempt, errorMessage(outcome.error), delayMs, outcome.error);
    }
  }
}
